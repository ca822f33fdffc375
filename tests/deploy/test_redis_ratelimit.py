"""QABILET_RATELIMIT_STORAGE=redis://... (as deploy/k8s sets it): gateways share one budget."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from gateway.app import create_app
from gateway.settings import Settings
from services.common.launch.live import free_port

REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS is None, reason="needs redis-server (apt redis-server)")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1, stopped by its pid."""
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            str(REDIS),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def gateway(data_dir: Path, storage: str) -> Flask:
    """A gateway (no services behind it) whose anonymous budget is 3 requests a minute."""
    settings = Settings.from_env(
        env={},
        data_dir=data_dir,
        testing=True,
        jwt_secret="deploy-test-secret-" + "x" * 40,
        ratelimit_storage=storage,
        ratelimit_anonymous="3/minute",
    )
    return create_app(settings)


def close(app: Flask) -> None:
    app.extensions["qabilet_pokes"].close()
    transport = app.extensions["qabilet_proxy"].transport
    if hasattr(transport, "close"):
        transport.close()


def codes_across(apps: list[Flask], n: int) -> list[int]:
    """Send ``n`` anonymous page requests from one address, alternating between gateways."""
    clients = [a.test_client() for a in apps]
    return [clients[i % len(clients)].get("/login").status_code for i in range(n)]


def test_two_gateways_on_one_redis_share_the_budget(redis_url: str, tmp_path: Path) -> None:
    # Two replicas (or two gunicorn workers): each has its own Limiter, the storage is common.
    apps = [gateway(tmp_path / f"gw{i}", redis_url) for i in range(2)]
    try:
        assert codes_across(apps, 4) == [200, 200, 200, 429]
    finally:
        for app in apps:
            close(app)


def test_in_memory_storage_would_give_each_gateway_its_own_budget(tmp_path: Path) -> None:
    # What the redis storage is for: with memory:// the same four requests all pass.
    apps = [gateway(tmp_path / f"gw{i}", "memory://") for i in range(2)]
    try:
        assert codes_across(apps, 4) == [200, 200, 200, 200]
    finally:
        for app in apps:
            close(app)
