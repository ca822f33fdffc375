"""The gateway alone under gunicorn (2 workers) and a small HTTP client for the attack tests.

Sign-in, sign-out and accounts need no other service, so these tests start only the gateway.
Every request opens a new connection, so successive requests land on either worker; a client
can choose its source address in 127.0.0.0/8 to stand for a different machine.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from services.common.launch.live import live_suite

ADMIN_EMAIL = "admin@test.kz"  # what services.common.launch.live.suite_env configures
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "a-long-password-1"
API = "/api/v1"
GENEROUS = "100000/minute"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Gateway:
    """A running gateway: its base URL and gunicorn's log (one line per request)."""

    url: str
    log: Path

    def workers_for(self, probe: str) -> set[str]:
        """Return the pids of the workers that answered requests sent with ``probe``."""
        lines = self.log.read_text(errors="replace").splitlines()
        return {line.split("pid=", 1)[1].split()[0] for line in lines if f"probe={probe} " in line}

    def burst(self, client: Client, path: str, token: str, rounds: int = 40) -> set[int]:
        """GET ``path`` with ``token`` until both workers answered; return the statuses seen.

        Requests go 8 at once on new connections, ``rounds`` at a time, up to 10 times: a check
        that only one worker answered would prove nothing.
        """
        probe = uuid.uuid4().hex
        headers = {"X-Probe": probe}

        def one(_: int) -> int:
            return client.request("GET", path, token=token, headers=headers).status

        seen: set[int] = set()
        for _ in range(10):
            with ThreadPoolExecutor(8) as pool:
                seen.update(pool.map(one, range(rounds)))
            deadline = time.monotonic() + 2
            while len(self.workers_for(probe)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)  # gunicorn writes its access line just after answering
            if len(self.workers_for(probe)) == 2:
                return seen
        raise AssertionError(f"one worker answered all {10 * rounds} requests")


@contextlib.contextmanager
def lone_gateway(tmp: Path, extra: dict[str, str] | None = None) -> Iterator[Gateway]:
    """Run the gateway under gunicorn with 2 workers on a tmp store."""
    env = {
        "QABILET_RATELIMIT_DEFAULT": GENEROUS,
        "QABILET_RATELIMIT_ANONYMOUS": GENEROUS,
        "QABILET_RATELIMIT_LOGIN": GENEROUS,
        # Fast hashing: these tests are about limits and revocation, not hash strength.
        "QABILET_PASSWORD_METHOD": "pbkdf2:sha256:1000",
        # gunicorn's access log names the worker (pid) that answered each tagged request.
        "QABILET_ACCESS_LOG": "1",
        "GUNICORN_CMD_ARGS": "--access-logformat 'probe=%({x-probe}i)s pid=%(p)s status=%(s)s'",
        **(extra or {}),
    }
    with live_suite(tmp, ["gateway"], env, workers=2) as live:
        yield Gateway(live.urls["gateway"], live.log_dir / "gateway.log")


@dataclass
class Answer:
    """One HTTP answer: status, headers (lower-case names) and the decoded body."""

    status: int
    headers: dict[str, str]
    body: Any

    @property
    def text(self) -> str:
        return self.body if isinstance(self.body, str) else json.dumps(self.body)


@dataclass
class Client:
    """Sends requests to one base URL from one source address, keeping cookies like a browser."""

    base: str
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        form: dict[str, str] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Send one request on a new connection; redirects are returned, not followed."""
        parts = urlsplit(self.base)
        conn = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=30, source_address=(self.source, 0)
        )
        sent: dict[str, str] = dict(headers or {})
        data: bytes | None = None
        if body is not None:
            data, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=data, headers=sent)
            resp = conn.getresponse()
            raw = resp.read()
            found = {k.lower(): v for k, v in resp.getheaders()}
            for header in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        finally:
            conn.close()
        decoded: Any = raw.decode(errors="replace")
        if "json" in found.get("content-type", "") and raw:
            decoded = json.loads(raw)
        return Answer(resp.status, found, decoded)

    def api_sign_in(self, email: str, password: str) -> Answer:
        """POST /api/v1/auth/token."""
        return self.request(
            "POST", f"{API}/auth/token", body={"email": email, "password": password}
        )

    def csrf(self, path: str = "/login") -> str:
        """Load a page and return the CSRF token of its forms."""
        page = self.request("GET", path)
        found = CSRF_INPUT.search(page.text)
        assert found, f"no CSRF token on {path}: {page.status} {page.text[:300]}"
        return found.group(1)

    def page_sign_in(self, email: str, password: str, lang: str | None = None) -> Answer:
        """Sign in through the login page (GET for the CSRF token, then POST the form)."""
        form = {"csrf_token": self.csrf(), "email": email, "password": password}
        headers = {"Accept-Language": lang} if lang else None
        return self.request("POST", "/login", form=form, headers=headers)


def token_of(answer: Answer) -> str:
    """Return the access token of a successful API sign-in."""
    assert answer.status == 200, (answer.status, answer.body)
    return str(answer.body["access_token"])


def make_account(gw: Client, admin_token: str, email: str, role: str = "ministry") -> str:
    """Create an account (no profile needed for ministry or admin); return its id."""
    made = gw.request(
        "POST",
        f"{API}/accounts",
        token=admin_token,
        body={"email": email, "password": PASSWORD, "role": role},
    )
    assert made.status == 201, (made.status, made.body)
    return str(made.body["id"])
