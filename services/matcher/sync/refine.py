"""A cheap first pass over a bulk feed backlog, and the refine queue that reads each item in full.

A first start meets thousands of catalogue events; handling each in full (the capped text's
embedding, tagging the free text) takes ~38 CPU-minutes for the demo. While the feeds are more
than ``first_pass_backlog`` events behind, each course, vacancy or learner event is indexed in a
*first pass*: declared skills (labels still mapped to ESCO: short, memoised queries) and an
embedding of the head, the labels and the first ``FIRST_PASS_BODY`` characters of the body,
stored with ``tags_pending`` (answers on such rows say "provisional"). The event is kept here,
one entry per item, and handled again in full once the backlog is through: refines run below
the feeds (a new event goes first) and the interactive lane (a person's request goes first).

An item's newer event replaces its entry (or drops it, when handled in full or deleted), and a
person's own re-read drops it too, so a refine never writes an older state over a newer one.
The entries are also stored (``sync_refines``) so a restart refines what the last process left.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from services.common.db import database
from services.matcher.db import ALIAS
from services.matcher.sync.entities import FIRST_PASS_BODY

REFINES = "sync_refines"
#: The item kinds a first pass indexes (enrolments are cheap and never deferred).
KINDS = ("course", "vacancy", "learner")


class FirstPass:
    """The first-pass switch and the refine queue of a Sync (mixed in; see feeds.py)."""

    _local: threading.local
    applied: dict[str, int]
    pause: Callable[[], None] | None

    def _lock_of(self, item: str) -> threading.Lock:
        raise NotImplementedError

    def _applier(self, event: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
        raise NotImplementedError

    def _prefetch(self, feed: str, events: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    if TYPE_CHECKING:  # provided by OwnerReads (owners.py); for the type checker only

        def defer(self, kind: str, item_id: str) -> None: ...

    def _init_first_pass(self, threshold: int) -> None:
        self.first_pass_backlog = threshold
        # On while a bulk backlog is being read (set by a page far behind its feed's head, off
        # once both feeds are through): events are first-passed and refines wait.
        self.bulk = False
        self.refines: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._refine_lock = threading.Lock()
        self.first_passed = 0
        self.refined = 0
        self.refines_superseded = 0

    # ----- the switch -----

    def _first_pass(self) -> bool:
        """Tell whether the event being handled on this thread is first-passed."""
        return bool(getattr(self._local, "first_pass", False))

    def _body_limit(self) -> int | None:
        """Return how much of a body the text embedded now includes (all of it: None)."""
        return FIRST_PASS_BODY if self._first_pass() else None

    def embeds_short(self, kind: str, item_id: str, text: str, whole: str) -> bool:
        """Tell whether a first pass embeds less than the item's whole text; if so, defer it.

        The refine then embeds the whole (handlers mark the copy pending when this says so).
        """
        if not self._first_pass() or text == whole:
            return False
        self.defer(kind, item_id)
        return True

    def note_page(self, after: int, latest: int) -> None:
        """Switch the first pass on when a feed page shows a bulk backlog behind it."""
        if self.first_pass_backlog > 0 and latest - after > self.first_pass_backlog:
            self.bulk = True

    def backlog_through(self) -> None:
        """Switch the first pass off: the feeds are caught up, refines may run."""
        self.bulk = False

    def _queue_for_refine(self) -> None:
        """Mark the event being handled as first-passed (handlers call it through ``defer``)."""
        self._local.refine = True

    # ----- the queue -----

    def apply_backlog_event(
        self, item: str | None, event: dict[str, Any], apply: Callable[[dict[str, Any]], None]
    ) -> None:
        """Apply one backlog event (first-passed in bulk) and keep its item's refine entry current.

        Called with the item's lock held, so an entry never changes under a running refine.
        """
        first = self.bulk and item is not None and item.split(":", 1)[0] in KINDS
        self._local.first_pass, self._local.refine = first, False
        try:
            apply(event)
        finally:
            queued = bool(getattr(self._local, "refine", False))
            self._local.first_pass = self._local.refine = False
        if item is None:
            return
        if queued:
            self._put_refine(item, event)
            self.first_passed += 1
        else:  # handled in full, or deleted: an older entry must not overwrite it later
            self.drop_refine(item)

    def _put_refine(self, item: str, event: dict[str, Any]) -> None:
        with self._refine_lock:
            if self.refines.pop(item, None) is not None:
                self.refines_superseded += 1
            self.refines[item] = event
        database(ALIAS)[REFINES].replace_one({"_id": item}, {"event": event}, upsert=True)

    def drop_refine(self, item: str) -> None:
        """Forget an item's refine entry (a newer state of it is indexed)."""
        with self._refine_lock:
            if self.refines.pop(item, None) is None:
                return
        database(ALIAS)[REFINES].delete_one({"_id": item})

    def requeue_refines(self) -> int:
        """Load the refine entries a previous process left (after a restart)."""
        n = 0
        for doc in database(ALIAS)[REFINES].find({}):
            with self._refine_lock:
                if doc["_id"] not in self.refines:
                    self.refines[str(doc["_id"])] = doc["event"]
                    n += 1
        return n

    def run_refine(self, limit: int | None = 8) -> int:
        """Handle up to ``limit`` first-passed items in full; return how many were refined.

        Does nothing while a bulk backlog is being read: refines never interleave with it.
        """
        if self.bulk:
            return 0
        with self._refine_lock:
            ahead = list(self.refines.values())[: limit or len(self.refines)]
        # The slice's full texts are embedded in one call, as a feed page's are.
        self._prefetch("refine", ahead)
        done = 0
        while (limit is None or done < limit) and not self.bulk:
            with self._refine_lock:
                if not self.refines:
                    break
                item, event = next(iter(self.refines.items()))
            if self.pause is not None:
                self.pause()
            with self._lock_of(item):
                with self._refine_lock:
                    if self.refines.get(item) is not event:
                        continue  # superseded or dropped while this thread waited
                seq = int(event.get("seq") or 0)
                if not (seq and seq < self.applied.get(item, -1)):  # else a re-read is newer
                    self._local.first_pass = False
                    self._applier(event)(event)
                    self.refined += 1
                with self._refine_lock:
                    still = self.refines.get(item) is event
                if still:
                    self.drop_refine(item)
            done += 1
        return done

    def refine_status(self) -> dict[str, Any]:
        """Return the first-pass and refine counts for /sync/status."""
        return {
            "first_pass": {
                "active": self.bulk,
                "threshold": self.first_pass_backlog,
                "done": self.first_passed,
            },
            "refine": {
                "queued": len(self.refines),
                "done": self.refined,
                "superseded": self.refines_superseded,
            },
        }
