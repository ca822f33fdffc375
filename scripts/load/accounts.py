"""The run's accounts, made through the gateway's admin API before locust starts (`make load`)."""

from __future__ import annotations

import json
import os
import random
import time
import urllib.error
import urllib.request
from typing import Any

from scripts.load.profiles import employer_profile, learner_profile, vacancy_body
from services.common.launch.suite import ROOT


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


def make_accounts(
    base: str, learners: int, employers: int, run_id: str, ministry: int = 1
) -> dict[str, Any]:
    """Create the run's accounts and vacancies through the admin API; sign each in once.

    Every simulated user gets an account of its own, so the counts are what the run needs.
    """
    email, password = admin_credentials()
    admin = Api(base, login(base, email, password))
    rng = random.Random(run_id)
    secret = "load-" + run_id + "-pw"
    out: dict[str, Any] = {"learner": [], "employer": [], "ministry": [], "vacancies": []}
    made: list[tuple[str, str, dict[str, Any]]] = []

    def create(role: str, name: str, profile: dict[str, Any] | None) -> tuple[str, Any]:
        """Create one account through the admin API; return its email and the answer."""
        acc_email = f"load-{run_id}-{name}@load.qabilet.kz"
        body: dict[str, Any] = {"email": acc_email, "password": secret, "role": role}
        if profile is not None:
            body["profile"] = profile
        return acc_email, admin.ok("POST", "/api/v1/accounts", body, 201)

    total = learners + employers + ministry
    for i in range(learners):
        acc_email, account = create("learner", f"learner{i}", learner_profile(rng, i))
        made.append(("learner", acc_email, {"learner_id": account["learner_id"]}))
        _progress("accounts", len(made), total)
    for i in range(employers):
        acc_email, account = create("employer", f"employer{i}", employer_profile(rng, i))
        made.append(("employer", acc_email, {"employer_id": account["employer_id"]}))
        _progress("accounts", len(made), total)
    for i in range(ministry):
        acc_email, _ = create("ministry", f"ministry{i}", None)
        made.append(("ministry", acc_email, {}))
    for n, (role, acc_email, ids) in enumerate(made, 1):
        token = login(base, acc_email, secret)
        entry = {"email": acc_email, "token": token, **ids}
        if role == "employer":
            api = Api(base, token)
            entry["vacancies"] = []
            for k in range(2):
                body = vacancy_body(rng, ids["employer_id"], n + k)
                vacancy = api.ok("POST", "/api/v1/vacancies", body, 201)
                entry["vacancies"].append(vacancy["id"])
                out["vacancies"].append(vacancy["id"])
        out[role].append(entry)
        _progress("sign-ins", n, len(made))
    out["admin_token"] = admin.token
    return out


def _progress(what: str, done: int, total: int) -> None:
    if done == total or done % 25 == 0:
        print(f"  {what}: {done} of {total}", flush=True)


def wait_for_matcher(base: str, admin_token: str, accounts: dict[str, Any], timeout: float) -> bool:
    """Wait until the matcher knows every load learner and can extract skills.

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
        # Extraction and title matching answer once the ESCO taxonomy is imported.
        probe = admin.call("POST", "/api/v1/skills/extract", {"text": "SQL, Excel"})[0]
        if not pending and probe == 200:
            return True
        if probe != 200:
            print(f"  the skill extractor is not ready yet ({probe})", flush=True)
        status, sync, _ = admin.call("GET", "/api/v1/sync/status")
        lag = {}
        if status == 200 and isinstance(sync, dict):
            lag = {name: feed.get("lag") for name, feed in sync.get("feeds", {}).items()}
        print(f"  matcher catching up: {len(pending)} load learners not indexed yet, lag {lag}")
        if time.monotonic() > deadline:
            return False
        time.sleep(10)
