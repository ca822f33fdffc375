"""Writers for the kill -9 tests: accounts changing their own records through the gateway."""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from services.common.launch.live import call
from tests.gateway.world import employer_profile, valid_bin

API = "/api/v1"
PASSWORD = "correct-horse-1"
BIN_SEEDS = itertools.count(7_300_000)


def api(
    base: str, method: str, path: str, token: str | None = None, body: Any = None
) -> tuple[int, dict[str, str], Any]:
    """Send one request to the gateway; status 0 when it could not be reached at all."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + API + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, dict(resp.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = raw.decode(errors="replace")
        return err.code, dict(err.headers), decoded
    except OSError as exc:
        return 0, {}, repr(exc)


@dataclass
class Writer:
    """One account changing one field of its own record, over and over, through the gateway."""

    token: str
    path: str
    field_name: str
    tag: str
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def value(self, n: int) -> str:
        return f"{self.tag} write {n}"

    @property
    def acked(self) -> list[dict[str, Any]]:
        return [a for a in self.attempts if 200 <= a["status"] < 300]

    def run(self, base: str, stop: threading.Event) -> None:
        n = 0
        give_up = None
        while True:
            started = time.monotonic()
            status, headers, body = api(
                base, "PATCH", self.path, self.token, {self.field_name: self.value(n)}
            )
            self.attempts.append(
                {
                    "n": n,
                    "status": status,
                    "started": started,
                    "elapsed": time.monotonic() - started,
                    "retry_after": headers.get("Retry-After"),
                    "content_type": headers.get("Content-Type", ""),
                    "body": body,
                }
            )
            n += 1
            if stop.is_set():
                give_up = give_up or time.monotonic() + 30
                # End on an acknowledged write, so it is the value the store must hold now.
                if 200 <= status < 300 or time.monotonic() > give_up:
                    return
            if not 200 <= status < 300:
                # A client backs off a little (not the whole Retry-After: the test counts them).
                time.sleep(0.25)


def register_learner(base: str, tag: str) -> tuple[str, str]:
    """Register a learner through the gateway; return (token, learner id)."""
    profile = {
        "name": f"Айгерим Сапарова {tag}",
        "region": "astana",
        "programme": "ai-sana",
        "consent": True,
        "cv_text": "first version",
    }
    status, _, body = api(
        base,
        "POST",
        "/auth/register",
        body={
            "role": "learner",
            "email": f"writer.{tag}@example.kz",
            "password": PASSWORD,
            "profile": profile,
        },
    )
    assert status == 201, body
    return body["access_token"], body["account"]["learner_id"]


def register_employer(base: str, tag: str, seed: int) -> tuple[str, str]:
    """Register an employer through the gateway; return (token, employer id)."""
    status, _, body = api(
        base,
        "POST",
        "/auth/register",
        body={
            "role": "employer",
            "email": f"hr.{tag}@example.kz",
            "password": PASSWORD,
            "profile": employer_profile(f"Steppe Data {tag}", valid_bin(seed)),
        },
    )
    assert status == 201, body
    return body["access_token"], body["account"]["employer_id"]


def wait_for(probe: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def all_events(base: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    after = 0
    while True:
        status, page = call("GET", f"{base}/changes?after={after}&limit=1000")
        assert status == 200, page
        if not page["events"]:
            return events
        events += page["events"]
        after = page["next"]
