"""Interactive reads of one learner or vacancy ahead of the feed backlog, from the web process.

A recommendation for an item the feeds have not reached waits briefly for the worker's
interactive lane (which indexes a first visit without tagging its text); past that the request
gets a provisional answer computed from the owner's record (recommend/provisional.py) instead
of waiting for the backlog.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from services.common.errors import Unavailable
from services.matcher.recommend.state import NotIndexedYet
from services.matcher.sync.remote import Call

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


class ReadAhead:
    """One interactive read per item at a time: a page that asks twice waits for the first."""

    def __init__(
        self,
        call: Call,
        *,
        indexing: Callable[[], dict[str, Any]],
        busy: Callable[[str], Unavailable],
    ) -> None:
        self.call = call
        self.indexing = indexing
        self.busy = busy
        self._inflight: dict[tuple[str, str], threading.Thread] = {}
        self._inflight_result: dict[tuple[str, str], str] = {}
        self._inflight_lock = threading.Lock()
        # Round trips of interactive reads seen from here (pipe, queue and read), for status.
        self.read_trips: deque[dict[str, float]] = deque(maxlen=500)
        self.provisional = 0

    def fetch(self, kind: str, item_id: str) -> bool:
        """Index an item the feeds have not reached yet; raise NotIndexedYet past the budget."""
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
