"""The web process's side of the background worker: start it, apply its changes, ask it things.

The worker (sync/worker.py) runs as a child process connected by two pipes. It sends
index changes (a copy and its vector), progress once a second and replies; this side applies the
changes to the in-memory indexes in one reader thread (numpy row writes: microseconds) and turns
requests that need the model into calls with a deadline (sync/remote.py). A recommendation for an
item the feeds have not reached is read ahead of the backlog (sync/readahead.py).
"""

from __future__ import annotations

import itertools
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from services.common.errors import Unavailable
from services.matcher.recommend.state import Matcher
from services.matcher.sync.owners import read_summary
from services.matcher.sync.progress import feed_status, indexing_summary
from services.matcher.sync.readahead import POKE_WAIT_S, ReadAhead
from services.matcher.sync.remote import RETRY_AFTER, RemoteModel

log = logging.getLogger("qabilet.matcher.bridge")

RESTART_DELAY_S = 2.0


class WorkerBridge:
    """Starts the worker, mirrors its changes into the indexes and forwards calls to it."""

    def __init__(self, matcher: Matcher) -> None:
        self.m = matcher
        self.proc: subprocess.Popen[bytes] | None = None
        self._out: Connection | None = None
        self._send_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, list[Any]] = {}
        self._cond = threading.Condition()
        # Changes that arrive while the indexes are rebuilt from the store wait here.
        self._buffer: list[Any] | None = []
        self._buffer_lock = threading.Lock()
        self.progress: dict[str, Any] = {}
        self.applied = 0
        # The feed cursors whose every change is applied here (the worker's "cursor" messages,
        # in pipe order), the changes counter beside them, and when either last moved.
        self.cursors: dict[str, int] = {}
        self.last_change = 0.0
        self._position_lock = threading.Lock()
        # How the indexes were filled (snapshot or rebuild) and the snapshot saver's status.
        self.start_info: dict[str, Any] = {"source": "loading"}
        self.snapshot_status: Callable[[], dict[str, Any]] | None = None
        self.restarts = 0
        self._stopping = False
        self.reads = ReadAhead(self.call, indexing=self.indexing, busy=self.busy)

    # ----- the process -----

    def start(self) -> None:
        """Start the worker process and the thread reading from it."""
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        cmd = [
            sys.executable,
            "-m",
            "services.matcher.sync.worker",
            "--fd-in",
            str(to_child_r),
            "--fd-out",
            str(from_child_w),
        ]
        self.proc = subprocess.Popen(cmd, pass_fds=(to_child_r, from_child_w))
        os.close(to_child_r)
        os.close(from_child_w)
        self._out = Connection(to_child_w, readable=False)
        conn_in = Connection(from_child_r, writable=False)
        threading.Thread(
            target=self._read, args=(conn_in,), name="matcher-worker-reader", daemon=True
        ).start()
        log.info("matcher worker started (pid %s)", self.proc.pid)

    def stop(self) -> None:
        """Close the pipe (the worker exits on its own) and reap it."""
        self._stopping = True
        if self._out is not None:
            self._out.close()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def _read(self, conn: Connection) -> None:
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                break
            try:
                self._handle(msg)
            except Exception:  # one bad message must not stop the mirror
                log.exception("cannot apply worker message %r", msg[:2])
        conn.close()
        if self.proc is not None:
            self.proc.wait()
        if not self._stopping:
            log.warning(
                "matcher worker exited (%s); restarting", self.proc and self.proc.returncode
            )
            self.restarts += 1
            time.sleep(RESTART_DELAY_S)
            self.start()

    def _handle(self, msg: Any) -> None:
        kind = msg[0]
        if kind in ("upsert", "remove", "cursor"):
            with self._buffer_lock:
                if self._buffer is not None:
                    self._buffer.append(msg)
                    return
            self._apply(msg)
        elif kind == "progress":
            self.progress = msg[1]
        elif kind == "esco":
            self.m.forget_catalog()
        elif kind == "reply":
            with self._cond:
                slot = self._waiting.get(msg[1])
                if slot is not None:
                    slot.append(msg[2])
                    self._cond.notify_all()

    def _apply(self, msg: Any) -> None:
        if msg[0] == "cursor":
            _, feed, seq = msg
            with self._position_lock:
                if self.cursors.get(feed) != seq:
                    self.cursors[feed] = int(seq)
                    self.last_change = time.monotonic()
            return
        if msg[0] == "upsert":
            _, kind, doc, vector = msg
            {
                "vacancies": self.m.index_vacancy,
                "learners": self.m.index_learner,
                "courses": self.m.index_course,
            }[kind](doc, vector)
        else:
            _, kind, item_id = msg
            getattr(self.m, kind).remove(item_id)
            self.m.forget(kind, item_id)
            if kind == "courses":
                self.m.course_prereqs.pop(item_id, None)
        with self._position_lock:
            self.applied += 1
            self.last_change = time.monotonic()

    def resume_from(self, cursors: dict[str, int]) -> None:
        """Start from a restored snapshot: its cursors are applied already."""
        with self._position_lock:
            self.cursors = dict(cursors)

    def position(self) -> tuple[int, dict[str, int]]:
        """Return the changes applied and the feed cursors they complete, read together."""
        with self._position_lock:
            return self.applied, dict(self.cursors)

    def loaded(self) -> None:
        """Apply the changes that arrived during the rebuild, then apply them as they come."""
        while True:
            with self._buffer_lock:
                pending = self._buffer or []
                if not pending:
                    self._buffer = None
                    return
                self._buffer = []
            for msg in pending:
                self._apply(msg)

    # ----- calls -----

    def call(self, op: str, args: dict[str, Any], timeout: float) -> Any:
        """Ask the worker's interactive lane; raise TimeoutError past ``timeout``."""
        if self._out is None:
            raise TimeoutError("the matcher worker is not running")
        req_id = next(self._ids)
        slot: list[Any] = []
        with self._cond:
            self._waiting[req_id] = slot
        try:
            with self._send_lock:
                self._out.send(("call", req_id, op, args))
            with self._cond:
                if not self._cond.wait_for(lambda: bool(slot), timeout=timeout):
                    raise TimeoutError(f"the matcher worker did not answer {op} in {timeout} s")
        except OSError as exc:
            raise TimeoutError("the matcher worker is restarting") from exc
        finally:
            with self._cond:
                self._waiting.pop(req_id, None)
        status, value = slot[0]
        if status != "ok":
            raise RuntimeError(value)
        return value

    def indexing(self) -> dict[str, Any]:
        """Return how far indexing is, for /sync/status, `make status` and page banners."""
        p = self.progress  # one report: the reader thread replaces it
        sync = p.get("sync") or {}
        return indexing_summary(
            p,
            worker={
                "worker_pid": self.proc.pid if self.proc else None,
                "worker_restarts": self.restarts,
                "changes_applied": self.applied,
            },
            interactive={
                "worker": sync.get("interactive_reads"),
                "round_trip": read_summary(self.reads.read_trips),
                "provisional_owner_read": read_summary(self.m.owner_read_ms),
                "deferred_tagging": sync.get("deferred_tagging", 0),
                "provisional_answers": self.reads.provisional,
            },
            start=self.start_info,
            snapshots=self.snapshot_status() if self.snapshot_status else None,
        )

    def busy(self, what: str) -> Unavailable:
        """Return the 503 a request gets when the worker cannot answer in time."""
        info = self.indexing()
        return Unavailable(
            f"{info['message']}; {what} — try again shortly",
            headers={"Retry-After": RETRY_AFTER},
            progress=info,
        )

    def fetch_learner(self, learner_id: str) -> bool:
        """Index a learner the feeds have not reached yet, through the interactive lane."""
        return self.reads.fetch("learner", learner_id)

    def fetch_vacancy(self, vacancy_id: str) -> bool:
        """Index a vacancy the feeds have not reached yet, through the interactive lane."""
        return self.reads.fetch("vacancy", vacancy_id)

    def priority(
        self,
        kind: str,
        item_id: str,
        timeout: float = POKE_WAIT_S,
        *,
        pause_backlog: bool = True,
        quick: bool = False,
    ) -> str:
        """Re-read one item ahead of the backlog; return indexed, gone, unavailable or queued."""
        return self.reads.priority(kind, item_id, timeout, pause_backlog=pause_backlog, quick=quick)

    # ----- what the views call instead of local models -----

    def extractor(self) -> Any:
        """Return a stand-in for the skill extractor that runs in the worker."""
        return RemoteModel(self.call, self.busy, "extract")

    def occupation_matcher(self) -> Any:
        """Return a stand-in for the title matcher that runs in the worker."""
        return RemoteModel(self.call, self.busy, "match")

    def status(self) -> dict[str, Any]:
        """Return the feed status the worker last reported, with the indexing summary."""
        return feed_status(self.progress, self.indexing())
