"""Change feeds: each service appends the writes others must learn about, in write order.

A writer calls :func:`append_event` inside ``atomic(alias)`` or ``transaction(alias, fn)``
together with the write itself, so sequence numbers are allocated and become visible in order: a
reader that saw seq 6 never later finds a seq 5. Embedded, the store lock gives that; on a real
server the counter increment is in the writer's transaction, so a second writer cannot take the
next number before the first commits (services/common/README.md, "Feeds on a real MongoDB").
Consumers keep their cursor in their own database (:class:`FeedFollower`), so a restart resumes
exactly where it stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, Field
from pymongo import ReturnDocument
from pymongo.read_concern import ReadConcern

from .api import Schema, endpoint
from .clock import as_utc
from .db import atomic, database, is_embedded
from .db.transactions import COUNTERS, FEED_COUNTER
from .rawstore import fetch_by_ids

log = logging.getLogger("qabilet.feed")

CHANGES = FEED_COUNTER  # the feed's collection, and its counter in COUNTERS
CURSORS = "feed_cursors"
# Id windows an embedded page read walks over gaps before it falls back to the scan.
WINDOWS = 6


class ChangesQuery(Schema):
    after: int = Field(0, ge=0, description="return events with seq greater than this cursor")
    limit: int = Field(100, ge=1, le=1000, description="most events to return")


class ChangeEvent(BaseModel):
    seq: int
    type: str
    id: str
    at: datetime
    data: dict[str, Any]


class ChangesPage(BaseModel):
    events: list[ChangeEvent]
    next: int = Field(description="cursor to pass as `after` next time")
    latest: int = Field(description="highest seq in the feed")


def next_value(alias: str, name: str) -> int:
    """Atomically increment and return the counter ``name``."""
    doc = database(alias)[COUNTERS].find_one_and_update(
        {"_id": name}, {"$inc": {"value": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    return int(doc["value"])


def append_event(alias: str, type_: str, id_: str, data: dict[str, Any]) -> int:
    """Append an event to the feed of ``alias``; call it inside the write's own block."""
    with atomic(alias):
        seq = next_value(alias, CHANGES)
        database(alias)[CHANGES].insert_one(
            {"_id": seq, "type": type_, "id": id_, "at": datetime.now(UTC), "data": data}
        )
    return seq


def read_changes(alias: str, after: int, limit: int) -> ChangesPage:
    """Return up to ``limit`` events after the cursor ``after``."""
    db = database(alias)
    if is_embedded(alias):
        docs, counter = _read_embedded(alias, after, limit)
    else:
        docs, counter = _read_committed(db, after, limit)
    events = [
        ChangeEvent(
            seq=d["_id"], type=d["type"], id=d["id"], at=as_utc(d["at"]), data=d.get("data", {})
        )
        for d in docs
    ]
    # A claim (db.transactions.claimed_block) may create the counter before its first value.
    latest = int(counter.get("value", 0)) if counter else 0
    return ChangesPage(events=events, next=events[-1].seq if events else after, latest=latest)


def _read_embedded(alias: str, after: int, limit: int) -> tuple[list[dict[str, Any]], Any]:
    """Read a page of an embedded feed by primary key: seqs ``after+1``.. up to the counter.

    A mongomock query (``$gt`` + sort) decodes and sorts every event, and first rebuilds its
    index of the collection whenever another connection wrote to it (one per thread and worker),
    all under the store lock; reading the seqs by id costs the page, not the feed.

    Seqs come from the counter, so the events are the integers 1..latest less some gaps: a block
    that took a number (``next_value``) and failed before its insert. Appends run under the
    same store lock as this read, so a seq <= latest missing now is a permanent gap and is
    passed over, never waited for; nothing above latest exists yet. Hence the page is exactly
    the scan's: the first ``limit`` events after ``after``, in seq order. Windows grow past runs
    of gaps (the n-th asks for 2**n times the events still missing); after :data:`WINDOWS` of
    them the rest of the page comes from the scan.
    """
    with atomic(alias):
        counters = fetch_by_ids(alias, COUNTERS, [CHANGES])
        counter = counters[0] if counters else None
        latest = int(counter.get("value", 0)) if counter else 0
        docs: list[dict[str, Any]] = []
        start = after + 1
        for attempt in range(WINDOWS):
            need = limit - len(docs)
            if start > latest or need <= 0:
                return docs[:limit], counter  # a window past a gap may bring one too many
            end = min(latest, start + need * 2**attempt - 1)
            docs.extend(fetch_by_ids(alias, CHANGES, range(start, end + 1)))
            start = end + 1
        if start <= latest and len(docs) < limit:
            rest = database(alias)[CHANGES].find({"_id": {"$gt": start - 1}}).sort("_id", 1)
            docs.extend(rest.limit(limit - len(docs)))
    return docs[:limit], counter


def _read_committed(db: Any, after: int, limit: int) -> tuple[list[dict[str, Any]], Any]:
    """Read a page of a server's feed: a range on ``_id`` (the seq, always indexed), no lock.

    Majority reads: an event a consumer passes is one no failover can roll back, so the number
    is never handed out again to another event. Commit order is seq order (the counter is in
    each writer's transaction), so what is visible is always a prefix of the feed.
    """
    majority = ReadConcern("majority")
    changes = db[CHANGES].with_options(read_concern=majority)
    docs = list(changes.find({"_id": {"$gt": after}}).sort("_id", 1).limit(limit))
    counter = db[COUNTERS].with_options(read_concern=majority).find_one({"_id": CHANGES})
    return docs, counter


def changes_blueprint(alias: str) -> Blueprint:
    """Return the blueprint that serves ``GET /changes`` for the feed of ``alias``."""
    bp = Blueprint(f"changes_{alias}", __name__)

    @endpoint(bp, "GET", "/changes", query=ChangesQuery, response=ChangesPage, tags=["changes"])
    def list_changes(query: ChangesQuery) -> ChangesPage:
        """List change events after a cursor, in order."""
        return read_changes(alias, query.after, query.limit)

    return bp


Fetch = Callable[[int, int], dict[str, Any]]
Handler = Callable[[dict[str, Any]], None]


class FeedFollower:
    """Follows another service's feed, handing each event to ``handler`` exactly in order.

    The cursor is stored after each handled batch; handlers must be idempotent because a crash
    between handling and storing replays the batch.
    """

    def __init__(
        self, *, alias: str, name: str, fetch: Fetch, handler: Handler, batch: int = 200
    ) -> None:
        self.alias = alias
        self.name = name
        self.fetch = fetch
        self.handler = handler
        self.batch = batch
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.lag = 0

    @property
    def cursor(self) -> int:
        doc = database(self.alias)[CURSORS].find_one({"_id": self.name})
        return int(doc["seq"]) if doc else 0

    @property
    def following(self) -> bool:
        """Return whether a background thread follows the feed."""
        return self._thread is not None

    def _store(self, seq: int) -> None:
        database(self.alias)[CURSORS].update_one(
            {"_id": self.name}, {"$set": {"seq": seq, "at": datetime.now(UTC)}}, upsert=True
        )

    def sync_once(self) -> int:
        """Fetch and handle every event available now; return how many were handled."""
        handled = 0
        cursor = self.cursor
        while True:
            page = self.fetch(cursor, self.batch)
            events = page.get("events", [])
            # Known before handling, so a long first batch does not report "lag 0" meanwhile.
            self.lag = max(0, int(page.get("latest", cursor)) - cursor)
            for event in events:
                self.handler(event)
                handled += 1
            if events:
                cursor = int(events[-1]["seq"])
                self._store(cursor)
            self.lag = max(0, int(page.get("latest", cursor)) - cursor)
            if len(events) < self.batch:
                return handled

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self.sync_once()
                self.last_error = None
            except Exception as exc:  # the producer may be down: retry, never die
                if self.last_error != repr(exc):
                    log.warning("feed %s: %r", self.name, exc)
                self.last_error = repr(exc)
            self._stop.wait(interval)

    def start(self, interval: float = 0.5) -> None:
        """Follow the feed in a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, args=(interval,), name=f"feed-{self.name}", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
