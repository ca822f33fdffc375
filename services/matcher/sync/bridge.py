"""The web process's side of the background worker: start it, apply its changes, ask it things.

The worker (sync/worker.py) runs as a child process connected by two pipes. It sends
index changes (a copy and its vector), progress once a second and replies; this side applies the
changes to the in-memory indexes in one reader thread (numpy row writes: microseconds) and turns
requests that need the model into calls with a deadline. A recommendation for an item the feeds
have not reached waits briefly for the worker's interactive lane (which indexes a first visit
without tagging its text); past that the request gets a provisional answer computed here from
the owner's record (recommend/provisional.py) instead of waiting for the backlog.
"""

from __future__ import annotations

import itertools
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import SimpleNamespace
from typing import Any

from services.common.errors import Unavailable
from services.matcher.recommend.state import Matcher, NotIndexedYet
from services.matcher.sync.owners import read_summary

log = logging.getLogger("qabilet.matcher.bridge")

#: How long a request waits for the interactive lane to index one learner or vacancy before
#: it gets a provisional answer from the owner's record (the read goes on; the next request
#: finds the row). A quick read takes ~10-30 ms here (owner head + record, one embedding);
#: the budget leaves room for the wait behind a backlog event and the answer itself.
PRIORITY_WAIT_S = 0.15
#: How long POST /sync/priority waits for the re-read.
POKE_WAIT_S = 2.0
#: Reads requests may have in flight (the worker's interactive pool has 4 threads): beyond
#: it a request gets the provisional answer at once rather than queueing behind them.
MAX_REQUEST_READS = 4
#: How long extraction or title matching may take in the worker.
EXTRACT_WAIT_S = 8.0
RESTART_DELAY_S = 2.0
RETRY_AFTER = "5"


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
        # One interactive read per item at a time: a page that asks twice waits for the first.
        self._inflight: dict[tuple[str, str], threading.Thread] = {}
        self._inflight_result: dict[tuple[str, str], str] = {}
        self._inflight_lock = threading.Lock()
        # Round trips of interactive reads seen from here (pipe, queue and read), for status.
        self.read_trips: deque[dict[str, float]] = deque(maxlen=500)
        self.provisional = 0

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
        p = self.progress
        feeds = (p.get("sync") or {}).get("feeds") or {}
        done_events = sum(int(f.get("cursor") or 0) for f in feeds.values())
        total_events = done_events + sum(int(f.get("lag") or 0) for f in feeds.values())
        started = "feeds_started" in (p.get("timings") or {})
        stage = p.get("stage", "starting")
        complete = bool(p) and started and total_events == done_events and stage == "full"
        if not p:
            message = "the matcher is starting"
        elif complete:
            message = "the matcher is up to date"
        else:
            message = f"the matcher is still indexing: {done_events} of {total_events} changes"
            if stage != "full":
                message += f", ESCO labels {p.get('labels_done', 0)} of {p.get('labels_total', 0)}"
        return {
            "done": complete,
            "stage": stage,
            "occupation_stage": p.get("occupation_stage", "none"),
            "events_done": done_events,
            "events_total": total_events,
            "labels_done": p.get("labels_done", 0),
            "labels_total": p.get("labels_total", 0),
            "seconds": p.get("seconds"),
            "timings": p.get("timings", {}),
            "esco_error": p.get("esco_error"),
            "worker_pid": self.proc.pid if self.proc else None,
            "worker_restarts": self.restarts,
            "changes_applied": self.applied,
            "message": message,
            "interactive": {
                "worker": (p.get("sync") or {}).get("interactive_reads"),
                "round_trip": read_summary(self.read_trips),
                "provisional_owner_read": read_summary(self.m.owner_read_ms),
                "deferred_tagging": (p.get("sync") or {}).get("deferred_tagging", 0),
                "provisional_answers": self.provisional,
            },
            "start": self.start_info,
            "snapshots": self.snapshot_status() if self.snapshot_status else None,
        }

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
        return self._fetch("learner", learner_id)

    def fetch_vacancy(self, vacancy_id: str) -> bool:
        """Index a vacancy the feeds have not reached yet, through the interactive lane."""
        return self._fetch("vacancy", vacancy_id)

    def _fetch(self, kind: str, item_id: str) -> bool:
        with self._inflight_lock:
            busy = (kind, item_id) not in self._inflight and (
                len(self._inflight) >= MAX_REQUEST_READS
            )
        result = (
            "busy"
            if busy
            else self.priority(kind, item_id, PRIORITY_WAIT_S, pause_backlog=True, quick=True)
        )
        if result in ("busy", "queued"):
            # The caller answers provisionally from the owner's record (it says so).
            self.provisional += 1
            raise NotIndexedYet(kind, item_id, self.indexing())
        if result == "unavailable":
            raise self.busy(f"the {kind} service does not answer")
        return result == "indexed"

    def priority(
        self,
        kind: str,
        item_id: str,
        timeout: float = POKE_WAIT_S,
        *,
        pause_backlog: bool = True,
        quick: bool = False,
    ) -> str:
        """Re-read one item ahead of the backlog; return indexed, gone, unavailable or queued.

        The backlog pauses between single events while the read runs. ``quick`` (a first
        visit) indexes without tagging the item's free text, which the worker does later.
        """
        key = (kind, item_id)
        with self._inflight_lock:
            thread = self._inflight.get(key)
            if thread is None:
                thread = threading.Thread(
                    target=self._read_ahead, args=(key, pause_backlog, quick), daemon=True
                )
                self._inflight[key] = thread
                thread.start()
        thread.join(timeout)
        if thread.is_alive():
            return "queued"  # the lane still runs it; the change shows a moment later
        with self._inflight_lock:
            return self._inflight_result.get(key) or "unavailable"

    def _read_ahead(self, key: tuple[str, str], pause: bool, quick: bool) -> None:
        args = {"kind": key[0], "id": key[1], "pause": pause, "quick": quick}
        t = time.perf_counter()
        try:
            result = str(self.call("priority", args, 60.0))
        except (TimeoutError, RuntimeError):
            result = "unavailable"
        self.read_trips.append({"total": (time.perf_counter() - t) * 1000})
        with self._inflight_lock:
            self._inflight.pop(key, None)
            if len(self._inflight_result) > 10_000:
                self._inflight_result.clear()
            self._inflight_result[key] = result

    # ----- what the views call instead of local models -----

    def extractor(self) -> Any:
        """Return a stand-in for the skill extractor that runs in the worker."""
        return _Remote(self, "extract")

    def occupation_matcher(self) -> Any:
        """Return a stand-in for the title matcher that runs in the worker."""
        return _Remote(self, "match")

    def status(self) -> dict[str, Any]:
        """Return the feed status the worker last reported, with the indexing summary."""
        sync = dict(self.progress.get("sync") or {})
        sync.setdefault("feeds", {})
        sync.setdefault("handled", {})
        sync.setdefault("failed_events", 0)
        sync.setdefault("write_backs", 0)
        sync.setdefault("last_error", None)
        sync.setdefault("last_sync_at", None)
        sync["indexing"] = self.indexing()
        return sync


class _Remote:
    """Extraction or title matching answered by the worker, shaped like the local objects."""

    def __init__(self, bridge: WorkerBridge, op: str) -> None:
        self.bridge = bridge
        self.op = op

    def _call(self, args: dict[str, Any]) -> list[SimpleNamespace]:
        try:
            found = self.bridge.call(self.op, args, EXTRACT_WAIT_S)
        except (TimeoutError, RuntimeError) as exc:
            raise self.bridge.busy("the skill model is busy") from exc
        if found is None:
            raise Unavailable(
                "the ESCO taxonomy is still being imported — try again in a few seconds",
                headers={"Retry-After": RETRY_AFTER},
            )
        return [SimpleNamespace(**item) for item in found]

    def extract(
        self,
        text: str,
        lang: str | None = None,
        top_k: int = 10,
        min_confidence: float | None = None,
        **_: Any,
    ) -> list[SimpleNamespace]:
        """Extract skills from ``text`` in the worker."""
        return self._call(
            {"text": text, "lang": lang, "top_k": top_k, "min_confidence": min_confidence}
        )

    def match(self, title: str, top_k: int = 10) -> list[SimpleNamespace]:
        """Rank occupations for ``title`` in the worker."""
        return self._call({"title": title, "top_k": top_k})
