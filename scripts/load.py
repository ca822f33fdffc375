"""`make load`: a headless locust run of a working day against the running suite's gateway.

1. Checks the gateway answers (it does not start the suite: run `make run` first; exit 2 if down).
2. Signs in as the admin (QABILET_ADMIN_EMAIL / QABILET_ADMIN_PASSWORD, else var/admin_password),
   creates the run's accounts through the admin API (learners with profiles, employers with a
   valid BIN and a few vacancies, one ministry account) and signs each in once. Logins are rate
   limited per address, so the accounts are a small pool the simulated users share.
3. Runs locust (tests/load/locustfile.py) for the given time, printing its progress, and writes
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
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from services.jobs.bin import check_digit  # noqa: E402

REGIONS = ["astana", "almaty-city", "shymkent", "karaganda", "turkistan", "east-kazakhstan"]
PROGRAMMES = ["ai-sana", "ai-sana", "tomorrow-school", "other"]
LANGS = [
    [{"code": "kk", "level": "native"}, {"code": "ru", "level": "C1"}],
    [{"code": "ru", "level": "native"}, {"code": "en", "level": "B1"}],
    [{"code": "kk", "level": "native"}],
]
CVS = [
    "Data analyst: Python, SQL, pandas, statistics, Excel dashboards, English B1.",
    "Junior web developer: JavaScript, HTML, CSS, React, Git, REST APIs.",
    "Accountant retraining into IT: 1C, Excel, SQL basics, business analysis.",
    "QA engineer: manual and automated testing, Python, Selenium, SQL.",
]


class Api:
    """A tiny JSON client for the gateway's public API."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, dict[str, str]]:
        """Send a request; return (status, JSON or None, headers)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None, dict(resp.headers)
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw.decode(errors="replace")
            return exc.code, payload, dict(exc.headers)

    def ok(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        """Send a request and return its JSON; raise when the status is not ``expect``."""
        status, payload, _ = self.call(method, path, body)
        if status != expect:
            raise RuntimeError(f"{method} {path} answered {status}: {payload}")
        return payload


def login(base: str, email: str, password: str) -> str:
    """Return an access token, waiting out the per-address login limit if it is reached."""
    api = Api(base)
    for _ in range(5):
        status, payload, headers = api.call(
            "POST", "/api/v1/auth/token", {"email": email, "password": password}
        )
        if status == 200:
            return str(payload["access_token"])
        if status == 429:
            wait = int(headers.get("Retry-After", "10"))
            print(f"  login rate limit reached; waiting {wait} s", flush=True)
            time.sleep(wait + 1)
            continue
        raise RuntimeError(f"sign-in of {email} failed: {status} {payload}")
    raise RuntimeError(f"sign-in of {email} kept being rate limited")


def admin_credentials() -> tuple[str, str]:
    """Return the admin's email and password (environment, else what `make run` generated)."""
    email = os.environ.get("QABILET_ADMIN_EMAIL", "admin@qabilet.kz")
    password = os.environ.get("QABILET_ADMIN_PASSWORD")
    if not password:
        stored = ROOT / "var" / "admin_password"
        if not stored.exists():
            raise RuntimeError("set QABILET_ADMIN_PASSWORD (or run `make run`, which makes one)")
        password = stored.read_text().strip()
    return email, password


def valid_bin(rng: random.Random) -> str:
    """Return a random BIN with a correct check digit."""
    while True:
        first = "".join(str(rng.randrange(10)) for _ in range(11))
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)


def make_accounts(base: str, learners: int, employers: int, run_id: str) -> dict[str, Any]:
    """Create the run's accounts and vacancies through the admin API; sign each in once."""
    email, password = admin_credentials()
    admin = Api(base, login(base, email, password))
    rng = random.Random(run_id)
    secret = "load-" + run_id + "-pw"
    out: dict[str, Any] = {"learner": [], "employer": [], "ministry": [], "vacancies": []}
    made: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(learners):
        profile = {
            "name": f"Load Learner {i}",
            "region": rng.choice(REGIONS),
            "programme": rng.choice(PROGRAMMES),
            "languages": rng.choice(LANGS),
            "cv_text": rng.choice(CVS),
            "skills": [{"label": "Python (computer programming)"}, {"label": "SQL"}],
            "consent": True,
        }
        acc_email = f"load-{run_id}-learner{i}@load.qabilet.kz"
        account = admin.ok(
            "POST",
            "/api/v1/accounts",
            {"email": acc_email, "password": secret, "role": "learner", "profile": profile},
            201,
        )
        made.append(("learner", acc_email, {"learner_id": account["learner_id"]}))
    for i in range(employers):
        profile = {
            "name": f"Load Test Employer {i} LLP",
            "bin": valid_bin(rng),
            "region": rng.choice(REGIONS),
            "sector": "Information technology",
        }
        acc_email = f"load-{run_id}-employer{i}@load.qabilet.kz"
        account = admin.ok(
            "POST",
            "/api/v1/accounts",
            {"email": acc_email, "password": secret, "role": "employer", "profile": profile},
            201,
        )
        made.append(("employer", acc_email, {"employer_id": account["employer_id"]}))
    acc_email = f"load-{run_id}-ministry@load.qabilet.kz"
    admin.ok(
        "POST",
        "/api/v1/accounts",
        {"email": acc_email, "password": secret, "role": "ministry"},
        201,
    )
    made.append(("ministry", acc_email, {}))
    for role, acc_email, ids in made:
        token = login(base, acc_email, secret)
        entry = {"email": acc_email, "token": token, **ids}
        if role == "employer":
            api = Api(base, token)
            entry["vacancies"] = []
            for title in ("Data analyst", "Junior Python developer"):
                vacancy = api.ok(
                    "POST",
                    "/api/v1/vacancies",
                    {
                        "employer_id": ids["employer_id"],
                        "title": title,
                        "description": "Python, SQL and data analysis for our products.",
                        "requirements": "Python, SQL, statistics",
                        "skills": [
                            {"label": "Python (computer programming)", "essential": True},
                            {"label": "SQL", "essential": True},
                        ],
                        "region": rng.choice(REGIONS),
                        "salary_min": 400_000,
                        "salary_max": 650_000,
                        "positions": 1000,
                    },
                    201,
                )
                entry["vacancies"].append(vacancy["id"])
                out["vacancies"].append(vacancy["id"])
        out[role].append(entry)
    out["admin_token"] = admin.token
    return out


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


def wait_for_matcher(base: str, admin_token: str, accounts: dict[str, Any], timeout: float) -> bool:
    """Wait until the matcher knows every load learner and vacancy (its feeds have caught up).

    A load test measures the suite in its steady state; right after a first `make run` the
    matcher is still encoding the real catalogues, and a learner it has not reached yet gets
    404 "not yet" from the recommendation routes.
    """
    admin = Api(base, admin_token)
    learner_ids = [entry["learner_id"] for entry in accounts["learner"]]
    deadline = time.monotonic() + timeout
    while True:
        pending = [
            lid
            for lid in learner_ids
            if admin.call("GET", f"/api/v1/learners/{lid}/recommendations/jobs?limit=1")[0] != 200
        ]
        if not pending:
            return True
        status, sync, _ = admin.call("GET", "/api/v1/sync/status")
        lag = {}
        if status == 200 and isinstance(sync, dict):
            lag = {name: feed.get("lag") for name, feed in sync.get("feeds", {}).items()}
        print(f"  matcher catching up: {len(pending)} load learners not indexed yet, lag {lag}")
        if time.monotonic() > deadline:
            return False
        time.sleep(10)


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
        env["PYTHONPATH"] = str(ROOT)
        cmd = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "tests" / "load" / "locustfile.py"),
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
