"""`make load`: a headless locust run of a working day against the running suite's gateway.

1. Checks the gateway answers (it does not start the suite: run `make run` first; exit 2 if down).
2. Signs in as the admin (QABILET_ADMIN_EMAIL / QABILET_ADMIN_PASSWORD, else var/admin_password),
   creates the run's accounts through the admin API (learners with profiles, employers with a
   valid BIN and a few vacancies, one ministry account) and signs each in once. Logins are rate
   limited per address, so the accounts are a small pool the simulated users share.
3. Runs locust (scripts/load/locustfile.py) for the given time, printing its progress, and writes
   reports/load.html, reports/load_*.csv and reports/load-summary.json (requests, failures, rps,
   p50/p95/p99 ms overall and per endpoint).
4. Records the run at the gateway (POST /api/v1/ministry/load-runs) for the ministry dashboard.

Exit status: 0 when the run had no failures, 1 when some requests failed, 2 when it could not run.
"""

from __future__ import annotations

import argparse
import csv
import json
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users")
    parser.add_argument("--rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--duration", default="60s", help="run time, e.g. 60s, 2m")
    default_host = f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}"
    parser.add_argument("--host", default=default_host, help="gateway base URL")
    parser.add_argument("--out", default=str(ROOT / "reports"), help="where reports go")
    parser.add_argument("--learners", type=int, default=6, help="learner accounts in the pool")
    parser.add_argument("--employers", type=int, default=2, help="employer accounts in the pool")
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

    if not _up(args.host):
        print(f"the gateway at {args.host} is not running: start the suite with `make run`")
        return 2
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + f"{random.randrange(1000):03d}"
    print(f"load run {run_id}: {args.users} users, {args.rate}/s, {seconds} s against {args.host}")
    print("creating accounts through the admin API ...", flush=True)
    try:
        accounts = make_accounts(args.host, args.learners, args.employers, run_id)
    except RuntimeError as exc:
        print(f"could not prepare the run: {exc}", file=sys.stderr)
        return 2
    admin_token = accounts.pop("admin_token")
    print("waiting for the matcher to index the run's learners ...", flush=True)
    if not wait_for_matcher(args.host, admin_token, accounts, args.sync_timeout):
        print("the matcher did not catch up in time; see GET /api/v1/sync/status", file=sys.stderr)
        return 2
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="qabilet-load-") as tmp:
        # Tokens stay out of reports/: the accounts file lives only for the run.
        accounts_file = Path(tmp) / "accounts.json"
        accounts_file.write_text(json.dumps(accounts))
        env = dict(os.environ, QABILET_LOAD_ACCOUNTS=str(accounts_file))
        cmd = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.rate),
            "--run-time",
            f"{seconds}s",
            "--host",
            args.host,
            "--csv",
            str(out / "load"),
            "--html",
            str(out / "load.html"),
            "--stop-timeout",
            "5",
            "--loglevel",
            "WARNING",
        ]
        print("$ " + " ".join(cmd), flush=True)
        code = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    stats = out / "load_stats.csv"
    if not stats.exists():
        print(f"locust wrote no statistics (exit {code})", file=sys.stderr)
        return 2
    summary = {
        "run_id": run_id,
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": seconds,
        "users": args.users,
        "spawn_rate": args.rate,
        "target": args.host,
        **summarise(stats),
    }
    (out / "load-summary.json").write_text(json.dumps(summary, indent=2))
    print(
        f"\n{summary['requests']} requests, {summary['failures']} failures, "
        f"{summary['rps']} req/s, p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
        f"p99 {summary['p99_ms']} ms"
    )
    print(f"reports: {out / 'load.html'}, {out / 'load-summary.json'}")
    status, payload, _ = Api(args.host, admin_token).call(
        "POST", "/api/v1/ministry/load-runs", summary
    )
    if status == 201:
        print("recorded for the ministry dashboard (GET /api/v1/ministry/load-runs)")
    else:
        print(f"warning: the gateway did not record the run ({status}: {payload})")
    return 0 if summary["failures"] == 0 else 1


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(base.rstrip("/") + "/readyz", timeout=3):
            return True
    except (OSError, urllib.error.HTTPError):
        return False


if __name__ == "__main__":
    sys.exit(main())
