"""Fixtures: the real learner, jobs and matcher services under live gunicorn, and the gateway."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.app import create_app
from gateway.settings import Settings
from services.common.launch import suite
from services.common.launch.live import free_port, suite_env
from tests.gateway.world import World, build_world

SECRET = "gateway-test-secret-" + "s" * 40
ADMIN_EMAIL = "admin@qabilet.test"
ADMIN_PASSWORD = "admin-password-1"
SERVICE_NAMES = ("learner", "jobs", "matcher")


@dataclasses.dataclass
class Live:
    """Services running under gunicorn for the whole test session."""

    urls: dict[str, str]
    env: dict[str, str]
    run_dir: Path
    log_dir: Path

    def log(self, name: str) -> str:
        """Return the tail of a service's log (for failure messages)."""
        path = self.log_dir / f"{name}.log"
        return path.read_text()[-3000:] if path.exists() else ""


def start_services(tmp: Path, names: tuple[str, ...], extra: dict[str, str]) -> Live:
    """Start services under gunicorn on free 127.0.0.1 ports (data in ``tmp``)."""
    ports = {svc.name: free_port() for svc in suite.SERVICES}
    env = suite_env(tmp, ports, extra)
    live = Live(
        urls={n: f"http://127.0.0.1:{p}" for n, p in ports.items()},
        env=env,
        run_dir=tmp / "run",
        log_dir=tmp / "log",
    )
    if "matcher" in names:
        # A small real ESCO subset (ICT occupations, 300 skills) for extraction and matching.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "services.matcher.esco.taxonomy",
                "import",
                "--isco",
                "25",
                "--limit",
                "300",
            ],
            cwd=suite.ROOT,
            env=suite.service_env(env),
            check=True,
            capture_output=True,
        )
    for svc in suite.SERVICES:
        if svc.name in names:
            suite.start(svc, env, run_dir=live.run_dir, log_dir=live.log_dir)
    for name in names:
        if not suite.wait_ready(live.urls[name], timeout=120):
            stop_services(live, names)
            raise RuntimeError(f"{name} did not become ready:\n{live.log(name)}")
    return live


def stop_services(live: Live, names: tuple[str, ...]) -> None:
    """Stop the services by the pids recorded when they started."""
    for name in reversed(names):
        suite.stop(name, live.run_dir)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("services")
    extra = {
        "QABILET_FEED_INTERVAL": "0.2",
        "QABILET_FOLLOW_INTERVAL": "0.2",
        "LEARNER_WORKERS": "1",
        "JOBS_WORKERS": "1",
    }
    running = start_services(tmp, SERVICE_NAMES, extra)
    yield running
    stop_services(running, SERVICE_NAMES)


def gateway_settings(data_dir: Path, live: Live | None, **overrides: Any) -> Settings:
    """Return gateway settings for tests (fresh store, generous limits unless overridden)."""
    urls: dict[str, Any] = {f"{n}_url": live.urls[n] for n in SERVICE_NAMES} if live else {}
    if live:
        urls["keys_dir"] = Path(live.env["QABILET_KEYS_DIR"])
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "testing": True,
        "jwt_secret": SECRET,
        "admin_email": ADMIN_EMAIL,
        "admin_password": ADMIN_PASSWORD,
        "ratelimit_default": "100000/minute",
        "ratelimit_anonymous": "100000/minute",
        "ratelimit_login": "100000/minute",
        "upstream_timeout": 20.0,
        **urls,
    }
    values.update(overrides)
    return Settings.from_env(env={}, **values)


def close_gateway(app: Flask) -> None:
    """Stop the gateway's pokes, then close its kept-alive connections to the services."""
    app.extensions["qabilet_pokes"].close()
    transport = app.extensions["qabilet_proxy"].transport
    if hasattr(transport, "close"):
        transport.close()


@pytest.fixture(scope="session")
def gateway(live: Live, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One gateway for the session's shared world (its own store in a tmp dir)."""
    app = create_app(gateway_settings(tmp_path_factory.mktemp("gateway"), live))
    yield app
    close_gateway(app)


@pytest.fixture
def client(gateway: Flask) -> FlaskClient:
    return gateway.test_client()


@pytest.fixture
def browser(gateway: Flask) -> FlaskClient:
    """A client with its own cookie session, as a person's browser signed in to the pages."""
    return gateway.test_client()


@pytest.fixture(scope="session")
def world(gateway: Flask, live: Live) -> World:
    """Accounts of every role with profiles, vacancies, a course, an application, an enrolment."""
    return build_world(gateway.test_client(), live)


@pytest.fixture(scope="session")
def live_gateway(live: Live, gateway: Flask, world: World) -> Iterator[str]:
    """The gateway under gunicorn (2 workers), sharing the session gateway's account store."""
    settings = gateway.config["SETTINGS"]
    port = free_port()
    env = {
        **live.env,
        "GATEWAY_PORT": str(port),
        "QABILET_DATA_DIR": str(settings.data_dir),
        "QABILET_JWT_SECRET": SECRET,
        "QABILET_ADMIN_EMAIL": ADMIN_EMAIL,
        "QABILET_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "QABILET_RATELIMIT_DEFAULT": "100000/minute",
        "QABILET_RATELIMIT_ANONYMOUS": "100000/minute",
        "QABILET_RATELIMIT_LOGIN": "100000/minute",
    }
    service = next(s for s in suite.SERVICES if s.name == "gateway")
    suite.start(service, env, run_dir=live.run_dir, log_dir=live.log_dir)
    url = f"http://127.0.0.1:{port}"
    try:
        if not suite.wait_ready(url, timeout=60):
            raise RuntimeError(f"the gateway did not become ready:\n{live.log('gateway')}")
        yield url
    finally:
        suite.stop("gateway", live.run_dir)
