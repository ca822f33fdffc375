"""The service client's retries, against a real socket server on 127.0.0.1.

A GET whose kept-alive connection the server dropped as the request went out is sent again on
a fresh connection (this was the matcher's one 503 in `make bench-catchup`: its owner read of a
vacancy hit a connection gunicorn had just closed idle). A POST is never sent twice, and a read
timeout is final: retrying would double the caller's wait on a slow service.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from services.common.errors import Unavailable
from services.common.http import ServiceClient


def _answer(body: bytes = b'{"ok":true}') -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"Connection: keep-alive\r\n\r\n" + body


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            need = int(line.split(b":", 1)[1])
            while len(rest) < need:
                rest += conn.recv(65536)
    return head


class Server:
    """Answers the first request on each connection; then drops it, or stalls, as told."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with conn:
            first = True
            while True:
                head = _read_request(conn)
                if not head:
                    return
                self.requests.append(head.split(b"\r\n", 1)[0])
                if self.mode == "stall":
                    time.sleep(1.5)
                    return
                if not first:  # the idle connection the server closed as the request came
                    return
                first = False
                conn.sendall(_answer())

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def dropping() -> Iterator[Server]:
    server = Server("drop-kept-alive")
    yield server
    server.close()


def test_a_get_on_a_dropped_kept_alive_connection_is_sent_again(dropping: Server) -> None:
    client = ServiceClient(f"http://127.0.0.1:{dropping.port}", timeout=2.0)
    assert client.get("/vacancies/1") == {"ok": True}
    # The pooled connection is reused; the server drops it unanswered; a fresh one answers.
    assert client.get("/vacancies/2") == {"ok": True}
    assert dropping.requests == [
        b"GET /vacancies/1 HTTP/1.1",
        b"GET /vacancies/2 HTTP/1.1",
        b"GET /vacancies/2 HTTP/1.1",
    ]


def test_a_post_on_a_dropped_connection_is_not_sent_twice(dropping: Server) -> None:
    client = ServiceClient(f"http://127.0.0.1:{dropping.port}", timeout=2.0)
    assert client.request("POST", "/events", body={"n": 1}) == (200, {"ok": True})
    with pytest.raises(Unavailable):
        client.request("POST", "/events", body={"n": 2})
    assert dropping.requests == [b"POST /events HTTP/1.1", b"POST /events HTTP/1.1"]


def test_a_read_timeout_is_not_retried() -> None:
    server = Server("stall")
    try:
        client = ServiceClient(f"http://127.0.0.1:{server.port}", timeout=0.3)
        with pytest.raises(Unavailable, match="did not answer"):
            client.get("/slow")
        assert server.requests == [b"GET /slow HTTP/1.1"]  # one timeout, not two
    finally:
        server.close()
