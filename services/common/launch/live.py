"""A throwaway suite for tests and benchmarks: free 127.0.0.1 ports, tmp data, stopped by pid."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.common import identity
from services.common.launch import suite

# Services started by these helpers share one keys directory per test session (see suite_env).
_KEYS: dict[str, Path] = {}
_SERVICE_OF_PORT: dict[int, str] = {}


def caller_headers(url: str, caller: str = "gateway") -> dict[str, str]:
    """Return the caller-token header for a request to the live service at ``url``."""
    keys_dir = _KEYS.get("dir")
    service = _SERVICE_OF_PORT.get(urllib.parse.urlsplit(url).port or 0)
    if keys_dir is None or service is None:
        return {}
    signer = identity.Signer(identity.load_keyring(keys_dir.resolve()), caller, 300)
    return signer.headers(service)


def sign_with(keys_dir: Path, ports: dict[str, int]) -> None:
    """Sign calls to ``ports`` with the keys in ``keys_dir`` (a suite this module did not start)."""
    _KEYS["dir"] = keys_dir
    for svc in suite.SERVICES:
        _SERVICE_OF_PORT[ports[svc.name]] = svc.name


def call(
    method: str, url: str, body: Any = None, *, caller: str | None = "gateway"
) -> tuple[int, Any]:
    """Send one JSON request to a live server as ``caller`` (None: no caller token)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if caller is not None:
        for name, value in caller_headers(url, caller).items():
            req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveSuite:
    """Running services: their base URLs and where their state lives."""

    urls: dict[str, str]
    data_dir: Path
    run_dir: Path
    log_dir: Path
    env: dict[str, str]

    def stop(self, name: str) -> None:
        """Stop one service by its pid."""
        suite.stop(name, self.run_dir)

    def start(self, name: str, env: dict[str, str]) -> None:
        """(Re)start one service with the suite's environment."""
        service = next(s for s in suite.SERVICES if s.name == name)
        suite.start(service, env, run_dir=self.run_dir, log_dir=self.log_dir)
        if not suite.wait_ready(self.urls[name], timeout=60):
            log = (self.log_dir / f"{name}.log").read_text()[-3000:]
            raise RuntimeError(f"{name} did not become ready:\n{log}")


def suite_env(tmp: Path, ports: dict[str, int], extra: dict[str, str] | None = None) -> dict:
    """Return the environment for services under test (fake embedder, tmp store)."""
    env = dict(os.environ)
    keys_dir = _KEYS.setdefault("dir", tmp / "keys")
    identity.generate_keys(keys_dir)
    for svc in suite.SERVICES:
        _SERVICE_OF_PORT[ports[svc.name]] = svc.name
    env.update(
        {
            "QABILET_KEYS_DIR": str(keys_dir),
            "QABILET_DATA_DIR": str(tmp / "data"),
            "QABILET_EMBEDDER": "fake",
            "QABILET_JWT_SECRET": "test-secret-" + "x" * 32,
            "QABILET_ADMIN_EMAIL": "admin@test.kz",
            "QABILET_ADMIN_PASSWORD": "admin-password-1",
        }
    )
    for svc in suite.SERVICES:
        env[svc.port_env] = str(ports[svc.name])
        env[f"QABILET_{svc.name.upper()}_URL"] = f"http://127.0.0.1:{ports[svc.name]}"
    env.update(extra or {})
    return env


@contextlib.contextmanager
def live_suite(
    tmp: Path, names: list[str], extra: dict[str, str] | None = None, workers: int | None = None
) -> Iterator[LiveSuite]:
    """Start the named services under gunicorn; stop them all (by pid) on exit."""
    ports = {svc.name: free_port() for svc in suite.SERVICES}
    env = suite_env(tmp, ports, extra)
    if workers is not None:
        for name in names:
            env[f"{name.upper()}_WORKERS"] = str(workers)
    live = LiveSuite(
        urls={n: f"http://127.0.0.1:{p}" for n, p in ports.items()},
        data_dir=tmp / "data",
        run_dir=tmp / "run",
        log_dir=tmp / "log",
        env=env,
    )
    try:
        for name in names:
            live.start(name, env)
        yield live
    finally:
        for name in reversed(names):
            suite.stop(name, live.run_dir)
