"""`make load`: a headless locust run of a working day against the running suite's gateway.

1. Checks the gateway answers (it does not start the suite: run `make run` first; exit 2 if down).
2. Signs in as the admin (QABILET_ADMIN_EMAIL / QABILET_ADMIN_PASSWORD, else var/admin_password),
   creates the run's accounts through the admin API — one per simulated user: learners with
   different profiles (at least 50), employers with a valid BIN and two vacancies each (at
   least 10), ministry readers — and signs each in once.
3. Runs locust (scripts/load/locustfile.py) for the given time, printing its progress, and writes
   reports/load.html, reports/load_*.csv and reports/load-summary.json (requests, failures, rps,
   p50/p95/p99 ms overall and per endpoint).
4. Records the run at the gateway (POST /api/v1/ministry/load-runs) for the ministry dashboard.

`--capacity` (`make load-capacity`) instead steps the users up (shorter think time), one locust
run per step, until p99 passes `--p99-limit` ms or requests fail, and reports the highest request
rate held within the limit: reports/load-capacity.json, one history entry per step.

Exit status: 0 when the run had no failures, 1 when some requests failed, 2 when it could not run.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scripts.load.accounts import Api, make_accounts, wait_for_matcher
from services.common.launch.suite import ROOT


def _num(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def summarise(stats_csv: Path) -> dict[str, Any]:
    """Turn locust's stats CSV into the run's summary (overall and per endpoint)."""
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))

    def figures(row: dict[str, str]) -> dict[str, Any]:
        return {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": round(_num(row["Requests/s"]) or 0.0, 2),
            "p50_ms": _num(row["50%"]),
            "p95_ms": _num(row["95%"]),
            "p99_ms": _num(row["99%"]),
        }

    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    endpoints = [
        {"method": r["Type"], "name": r["Name"], **figures(r)}
        for r in rows
        if r["Name"] != "Aggregated"
    ]
    overall = (
        figures(total)
        if total
        else {"requests": 0, "failures": 0, "rps": 0.0, "p50_ms": None, "p95_ms": None}
    )
    overall.setdefault("p99_ms", None)
    return {**overall, "endpoints": endpoints}


def parse_duration(text: str) -> int:
    """Return seconds of a locust-style duration ("60s", "2m", "1h30m", "45")."""
    total, number = 0, ""
    for char in text.strip():
        if char.isdigit():
            number += char
        elif char in "hms" and number:
            total += int(number) * {"h": 3600, "m": 60, "s": 1}[char]
            number = ""
        else:
            raise argparse.ArgumentTypeError(f"not a duration: {text!r}")
    return total + (int(number) if number else 0)


WEIGHTS = {"learner": 85, "employer": 12, "ministry": 3}


def accounts_for(users: int, learners: int, employers: int) -> dict[str, int]:
    """Return how many accounts of each role ``users`` simulated users need (one each)."""
    total = sum(WEIGHTS.values())
    need = {role: math.ceil(users * w / total) + 1 for role, w in WEIGHTS.items()}
    need["learner"] = max(need["learner"], learners)
    need["employer"] = max(need["employer"], employers)
    return need


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users")
    parser.add_argument("--rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--duration", default="60s", help="run time, e.g. 60s, 2m")
    default_host = f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}"
    parser.add_argument("--host", default=default_host, help="gateway base URL")
    parser.add_argument("--out", default=str(ROOT / "reports"), help="where reports go")
    parser.add_argument("--learners", type=int, default=50, help="least learner accounts")
    parser.add_argument("--employers", type=int, default=10, help="least employer accounts")
    parser.add_argument("--capacity", action="store_true", help="step users up (see above)")
    parser.add_argument(
        "--steps", default="20,40,60,90,120,160", help="users per capacity step, comma-separated"
    )
    parser.add_argument("--think", default=None, help="think time 'lo,hi' s (capacity: 0.2,0.6)")
    parser.add_argument("--p99-limit", type=float, default=500.0, help="capacity p99 limit, ms")
    parser.add_argument(
        "--sync-timeout",
        type=float,
        default=float(os.environ.get("LOAD_SYNC_TIMEOUT", "3600")),
        help="seconds to wait for the matcher to index the run's accounts",
    )
    args = parser.parse_args(argv)
    seconds = parse_duration(args.duration)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    steps = [int(n) for n in args.steps.split(",")] if args.capacity else [args.users]
    think = args.think or ("0.2,0.6" if args.capacity else "1,3")

    if not _up(args.host):
        print(f"the gateway at {args.host} is not running: start the suite with `make run`")
        return 2
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + f"{random.randrange(1000):03d}"
    need = accounts_for(max(steps), args.learners, args.employers)
    print(f"load run {run_id}: users {steps}, {args.rate}/s, {seconds} s each against {args.host}")
    print(f"creating accounts through the admin API: {need} ...", flush=True)
    try:
        accounts = make_accounts(
            args.host, need["learner"], need["employer"], run_id, need["ministry"]
        )
    except RuntimeError as exc:
        print(f"could not prepare the run: {exc}", file=sys.stderr)
        return 2
    admin_token = accounts.pop("admin_token")
    print("waiting for the matcher to index the run's learners ...", flush=True)
    if not wait_for_matcher(args.host, admin_token, accounts, args.sync_timeout):
        print("the matcher did not catch up in time; see GET /api/v1/sync/status", file=sys.stderr)
        return 2
    admin = Api(args.host, admin_token)
    results = []
    with tempfile.TemporaryDirectory(prefix="qabilet-load-") as tmp:
        # Tokens stay out of reports/: the accounts file lives only for the run.
        accounts_file = Path(tmp) / "accounts.json"
        accounts_file.write_text(json.dumps(accounts))
        env = dict(os.environ, QABILET_LOAD_ACCOUNTS=str(accounts_file), QABILET_LOAD_THINK=think)
        for users in steps:
            prefix = f"load-capacity-{users}" if args.capacity else "load"
            summary = run_locust(args, users, seconds, out, prefix, env)
            if summary is None:
                return 2
            summary["run_id"] = f"{run_id}-{users}u" if args.capacity else run_id
            (out / f"{prefix}-summary.json").write_text(json.dumps(summary, indent=2))
            _record(admin, summary)
            results.append(summary)
            if args.capacity and (summary["failures"] or (summary["p99_ms"] or 0) > args.p99_limit):
                break
    if not args.capacity:
        return 0 if results[0]["failures"] == 0 else 1
    held = [r for r in results if not r["failures"] and (r["p99_ms"] or 0) <= args.p99_limit]
    best = max(held, key=lambda r: r["rps"], default=None)
    report = {
        "run_id": run_id,
        "p99_limit_ms": args.p99_limit,
        "think_s": think,
        "steps": [
            {k: r[k] for k in ("users", "requests", "failures", "rps", "p50_ms", "p99_ms")}
            for r in results
        ],
        "highest_rps_held": best["rps"] if best else None,
        "at_users": best["users"] if best else None,
    }
    (out / "load-capacity.json").write_text(json.dumps(report, indent=2))
    print("\nusers  requests  failures  req/s   p50 ms  p99 ms")
    for r in report["steps"]:
        print(
            f"{r['users']:>5}  {r['requests']:>8}  {r['failures']:>8}  {r['rps']:>6}  "
            f"{r['p50_ms']!s:>6}  {r['p99_ms']!s:>6}"
        )
    print(
        f"highest request rate held with p99 <= {args.p99_limit:g} ms and no failures: "
        f"{report['highest_rps_held']} req/s at {report['at_users']} users "
        f"({out / 'load-capacity.json'})"
    )
    return 0 if best else 1


def run_locust(
    args: argparse.Namespace,
    users: int,
    seconds: int,
    out: Path,
    prefix: str,
    env: dict[str, str],
) -> dict[str, Any] | None:
    """Run locust once with ``users`` users; return its summary (None if it wrote none)."""
    started = datetime.now(UTC)
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(args.rate),
        "--run-time",
        f"{seconds}s",
        "--host",
        args.host,
        "--csv",
        str(out / prefix),
        "--html",
        str(out / f"{prefix}.html"),
        "--stop-timeout",
        "5",
        "--loglevel",
        "WARNING",
    ]
    print("$ " + " ".join(cmd), flush=True)
    code = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    stats = out / f"{prefix}_stats.csv"
    if not stats.exists():
        print(f"locust wrote no statistics (exit {code})", file=sys.stderr)
        return None
    summary = {
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": seconds,
        "users": users,
        "spawn_rate": args.rate,
        "target": args.host,
        **summarise(stats),
    }
    print(
        f"\n{users} users: {summary['requests']} requests, {summary['failures']} failures, "
        f"{summary['rps']} req/s, p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
        f"p99 {summary['p99_ms']} ms"
    )
    for row in summary["endpoints"]:
        if row["failures"]:
            print(f"  failures at {row['method']} {row['name']}: {row['failures']}")
    return summary


def _record(admin: Api, summary: dict[str, Any]) -> None:
    status, payload, _ = admin.call("POST", "/api/v1/ministry/load-runs", summary)
    if status == 201:
        print("recorded for the ministry dashboard (GET /api/v1/ministry/load-runs)")
    else:
        print(f"warning: the gateway did not record the run ({status}: {payload})")


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(base.rstrip("/") + "/readyz", timeout=3):
            return True
    except (OSError, urllib.error.HTTPError):
        return False


if __name__ == "__main__":
    sys.exit(main())
