"""Rate limits, a stopped or slow service, retries, request ids."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.app import create_app
from gateway.transport import HttpTransport, UpstreamError
from services.common.launch.live import free_port
from tests.gateway.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Live,
    close_gateway,
    gateway_settings,
)
from tests.gateway.world import API, World, ok, sign_in


@pytest.fixture
def make_gateway(live: Live, tmp_path: Path) -> Iterator:
    """Build gateways on fresh stores with some settings changed; close them afterwards."""
    made: list[Flask] = []

    def make(**overrides: object) -> Flask:
        app = create_app(gateway_settings(tmp_path / f"gw{len(made)}", live, **overrides))
        made.append(app)
        return app

    yield make
    for app in made:
        close_gateway(app)


def admin_headers(gw: FlaskClient) -> dict[str, str]:
    """Sign in as the first admin of this gateway."""
    return {"Authorization": f"Bearer {sign_in(gw, ADMIN_EMAIL, ADMIN_PASSWORD)}"}


def test_anonymous_rate_limit_answers_429_with_retry_after(make_gateway) -> None:
    gw = make_gateway(ratelimit_anonymous="3/minute").test_client()
    codes = [gw.get(f"{API}/courses").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = gw.get(f"{API}/skills?q=data")
    assert limited.status_code == 429
    assert limited.mimetype == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert gw.get("/healthz").status_code == 200  # probes are never limited


def test_signed_in_callers_have_their_own_budget(make_gateway, world: World) -> None:
    app = make_gateway(ratelimit_anonymous="3/minute", ratelimit_default="5/minute")
    gw = app.test_client()
    auth = admin_headers(gw)  # signing in is an anonymous request: 2 left
    assert [gw.get(f"{API}/courses").status_code for _ in range(3)] == [200, 200, 429]
    assert [gw.get(f"{API}/courses", headers=auth).status_code for _ in range(5)] == [200] * 5
    assert gw.get(f"{API}/courses", headers=auth).status_code == 429


def test_password_guessing_is_limited_per_address(make_gateway) -> None:
    gw = make_gateway(ratelimit_login="3/minute").test_client()
    body = {"email": "admin@qabilet.test", "password": "guess-guess"}
    codes = [gw.post(f"{API}/auth/token", json=body).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_stopped_matcher_is_503_while_learners_and_vacancies_work(
    make_gateway, world: World
) -> None:
    # Nothing listens on this port: exactly what a stopped matcher looks like to the gateway.
    gw = make_gateway(matcher_url=f"http://127.0.0.1:{free_port()}").test_client()
    auth = admin_headers(gw)
    learner_id = world["learner"].learner_id
    started = time.monotonic()
    resp = gw.get(f"{API}/learners/{learner_id}/recommendations/jobs", headers=auth)
    assert resp.status_code == 503
    assert resp.mimetype == "application/problem+json" and int(resp.headers["Retry-After"]) >= 1
    assert time.monotonic() - started < 5
    assert gw.post(f"{API}/skills/extract", json={"text": "python"}).status_code == 503
    assert ok(gw.get(f"{API}/learners/{learner_id}", headers=auth))["id"] == learner_id
    assert ok(gw.get(f"{API}/vacancies", headers=auth))["total"] >= 1


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung service)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_slow_service_is_504_within_the_timeout(make_gateway, world: World, silent_port) -> None:
    app = make_gateway(matcher_url=f"http://127.0.0.1:{silent_port}", upstream_timeout=0.5)
    gw = app.test_client()
    started = time.monotonic()
    resp = gw.post(f"{API}/skills/extract", json={"text": "python"})
    assert resp.status_code == 504 and "Retry-After" in resp.headers
    assert time.monotonic() - started < 2.5  # one try; GETs would get a single retry
    assert ok(gw.get(f"{API}/courses"))["total"] >= 1


def test_a_failing_service_trips_the_breaker_and_fails_fast(make_gateway, silent_port: int) -> None:
    app = make_gateway(
        matcher_url=f"http://127.0.0.1:{silent_port}",
        upstream_timeout=0.3,
        breaker_failures=2,
        breaker_seconds=30,
    )
    gw = app.test_client()
    for _ in range(2):
        assert gw.post(f"{API}/skills/extract", json={"text": "x"}).status_code == 504
    started = time.monotonic()
    resp = gw.post(f"{API}/skills/extract", json={"text": "x"})
    assert resp.status_code == 503 and time.monotonic() - started < 0.2
    assert 1 <= int(resp.headers["Retry-After"]) <= 30


def test_get_is_retried_once_on_a_dropped_connection_but_a_post_is_not() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    seen: list[bytes] = []

    def serve() -> None:
        for i in range(3):
            conn, _ = server.accept()
            seen.append(conn.recv(65536))
            if i == 0 or i == 2:
                conn.close()  # drop the first GET and the POST without answering
                continue
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
            )
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    transport = HttpTransport(
        {"jobs": f"http://127.0.0.1:{port}"},
        timeout=2,
        connect_timeout=1,
        idle_seconds=1.5,
        breaker_failures=5,
        breaker_seconds=1,
    )
    answer = transport.send("jobs", "GET", "/vacancies", None, {})
    assert answer.status == 200 and answer.body == b"{}"
    with pytest.raises(UpstreamError):
        transport.send("jobs", "POST", "/vacancies", b"{}", {"Content-Type": "application/json"})
    thread.join(timeout=5)
    assert [r.split(b" ", 2)[:2] for r in seen] == [
        [b"GET", b"/vacancies"],
        [b"GET", b"/vacancies"],
        [b"POST", b"/vacancies"],
    ]
    transport.close()
    server.close()


def test_request_id_is_minted_by_the_gateway_and_reaches_the_service(
    client, world: World, live: Live
) -> None:
    learner = world["learner"]
    resp = client.get(
        f"{API}/learners/{learner.learner_id}",
        headers={**learner.headers, "X-Request-ID": "forged-id"},
    )
    rid = resp.headers["X-Request-ID"]
    assert resp.status_code == 200 and rid != "forged-id" and len(rid) == 32

    def logged() -> bool:
        return rid in live.log("learner")

    deadline = time.monotonic() + 5
    while not logged() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert logged()
    missing = client.get(f"{API}/learners/{'0' * 24}", headers=world["admin"].headers)
    assert missing.status_code == 404
    assert missing.get_json()["request_id"] == missing.headers["X-Request-ID"]


def test_a_thread_that_releases_its_connections_leaves_none_open() -> None:
    """Poke threads call rarely: their kept-alive connection must not outlive the call."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    after_answer: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")  # kept alive
        conn.settimeout(5)
        after_answer.append(conn.recv(65536))  # b"" once the client closed its end
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    transport = HttpTransport(
        {"matcher": f"http://127.0.0.1:{port}"},
        timeout=2,
        connect_timeout=1,
        idle_seconds=1.5,
        breaker_failures=5,
        breaker_seconds=1,
    )

    def poke() -> None:
        assert transport.send("matcher", "GET", "/sync/status", None, {}).status == 200
        transport.release_thread()

    caller = threading.Thread(target=poke)
    caller.start()
    caller.join(timeout=5)
    thread.join(timeout=6)
    assert after_answer == [b""]
    server.close()
