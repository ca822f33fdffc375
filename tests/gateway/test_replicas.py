"""Several matcher replicas behind the gateway: turns, failover, and pokes that reach each one."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.transport import HttpTransport, UpstreamError
from services.common.settings import SettingsError
from tests.gateway.conftest import close_gateway, gateway_settings


class Replica:
    """A tiny HTTP service that records what reached it and answers 200 with its name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[tuple[str, str]] = []
        replica = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                replica.seen.append((self.command, self.path))
                body = replica.name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def replicas() -> Iterator[list[Replica]]:
    started = [Replica("one"), Replica("two")]
    yield started
    for replica in started:
        replica.stop()


def _closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connecting is refused
    return f"http://127.0.0.1:{port}"


def _transport(url: str) -> HttpTransport:
    return HttpTransport(
        {"matcher": url},
        timeout=2,
        connect_timeout=1,
        idle_seconds=1.5,
        breaker_failures=2,
        breaker_seconds=30,
    )


def test_requests_take_turns_across_the_replicas(replicas: list[Replica]) -> None:
    transport = _transport(",".join(r.url for r in replicas))
    answers = [transport.send("matcher", "GET", "/skills", None, {}).body for _ in range(6)]
    transport.close()
    assert sorted(answers) == [b"one"] * 3 + [b"two"] * 3
    assert [len(r.seen) for r in replicas] == [3, 3]


def test_a_dead_replica_is_skipped_for_reads_and_for_writes_it_never_received(
    replicas: list[Replica],
) -> None:
    transport = _transport(f"{_closed_port_url()},{replicas[0].url}")
    reads = [transport.send("matcher", "GET", "/skills", None, {}).status for _ in range(5)]
    # A write that could not even connect never ran, so the next replica may take it.
    writes = [
        transport.send("matcher", "POST", "/skills/extract", b"{}", {}).status for _ in range(3)
    ]
    transport.close()
    assert reads == [200] * 5 and writes == [200] * 3
    assert len(replicas[0].seen) == 8


def test_with_every_replica_down_the_caller_gets_an_upstream_error() -> None:
    transport = _transport(f"{_closed_port_url()},{_closed_port_url()}")
    with pytest.raises(UpstreamError) as failed:
        transport.send("matcher", "GET", "/skills", None, {})
    transport.close()
    assert not failed.value.timeout


def test_a_poke_reaches_every_replica(replicas: list[Replica], tmp_path: Path) -> None:
    settings = gateway_settings(
        tmp_path, None, matcher_url=",".join(r.url for r in replicas), matcher_pokes=True
    )
    app = create_app(settings)
    app.extensions["qabilet_pokes"].changed("learner", "abc123")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(r.seen for r in replicas):
        time.sleep(0.02)
    close_gateway(app)
    for replica in replicas:
        assert replica.seen == [("POST", "/sync/priority")]


def test_every_replica_url_is_validated(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ftp://elsewhere"):
        gateway_settings(tmp_path, None, matcher_url="http://127.0.0.1:1,ftp://elsewhere")
