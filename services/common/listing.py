"""In-process read models of a service's hot lists, kept current from its own change feed.

On the embedded store every list request used to count and sort the whole collection in Python
(mongomock), and any write by another thread or worker made the next query rebuild the
collection's hash index first. A read model holds the records of one collection in memory, in
each worker. Before answering it reads the feed's counter (one tiny document): if the sequence
moved, it reads only the new events by id and re-reads, by id, the records they touch. So it
answers exactly what the store holds at the time of the request (every write appends its event
in the same transaction), in every gunicorn worker, on litemongo and on a real MongoDB alike.

``QABILET_READ_MODELS=0`` (``settings.read_models``, kept per app in its kit state) turns them
off: the plain queries answer, to measure the difference.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask import Flask, current_app

from .db import atomic, is_embedded
from .feed import CHANGES, COUNTERS
from .rawstore import all_documents, fetch_by_ids, store_key
from .state import app_state

R = TypeVar("R")

# Past this many new events a full reload is cheaper than reading them one by one.
RELOAD_GAP = 20_000
CHUNK = 500
# How many past changes a model remembers for consumers that fold them in (see changes()).
LOG_SIZE = 1024
# Versions are unique across every state of every model: a derived cache keyed on one can never
# mistake another store's (or a reload's) records for its own.
_VERSIONS = itertools.count(1)


def enabled(app: Flask | None = None) -> bool:
    """Tell whether read models answer the lists of ``app`` (default: the running app)."""
    return app_state(app or current_app).read_models


def latest_seq(alias: str) -> int:
    """Return the highest sequence number allocated in the feed of ``alias``."""
    docs = fetch_by_ids(alias, COUNTERS, [CHANGES])
    return int(docs[0]["value"]) if docs else 0


def events_between(alias: str, first: int, last: int) -> list[dict[str, Any]]:
    """Return the feed events ``first``..``last`` that exist, stopping at the first gap.

    A gap is an event not visible yet; a reader that skipped it could never come back for it.
    """
    out: list[dict[str, Any]] = []
    for start in range(first, last + 1, CHUNK):
        wanted = list(range(start, min(last, start + CHUNK - 1) + 1))
        found = {int(d["_id"]): d for d in fetch_by_ids(alias, CHANGES, wanted)}
        for seq in wanted:
            if seq not in found:
                return out
            out.append(found[seq])
    return out


@dataclass
class State(Generic[R]):
    """What one worker knows of one store: the records and the feed position they reflect."""

    records: dict[Any, R] = field(default_factory=dict)
    seq: int = 0
    mark: tuple[Any, ...] | None = None  # (type, id, at) of event ``seq``: same store?
    version: int = 0  # bumped on every change, for derived caches
    updated_at: datetime | None = None
    derived: dict[Any, Any] = field(default_factory=dict)


def _mark(event: dict[str, Any]) -> tuple[Any, ...]:
    return (event.get("type"), event.get("id"), event.get("at"))


class ReadModel(Generic[R]):
    """Records of one collection by id, current with the feed of ``alias`` on every read.

    Subclasses say how a stored document becomes a record (:meth:`make`) and which record ids
    an event may have changed (:meth:`touched`).
    """

    collection: str = ""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self._lock = threading.Lock()
        self._states: dict[tuple[str, str], State[R]] = {}
        # (version before, version after, ids re-read) of each change, oldest first.
        self._log: deque[tuple[int, int, tuple[Any, ...]]] = deque(maxlen=LOG_SIZE)

    def make(self, doc: dict[str, Any]) -> R:
        """Return the record of a stored document."""
        raise NotImplementedError

    def touched(self, event: dict[str, Any], records: dict[Any, R]) -> Iterable[Any]:
        """Return the ids of the records an event may have changed (``records``: so far)."""
        raise NotImplementedError

    def changes(self, since: int, until: int) -> list[Any] | None:
        """Return the record ids re-read from version ``since`` to ``until``, in the order read.

        None when that path is not known (a reload in between, or further back than the log):
        a consumer then starts again from the records. A record may be listed more than once.
        """
        if since == until:
            return []
        with self._lock:
            out: list[Any] = []
            at = since
            for before, after, ids in self._log:
                if before == at:
                    out.extend(ids)
                    at = after
                    if at == until:
                        return out
            return None

    def all_documents(self) -> Iterable[dict[str, Any]]:
        """Return every stored document of the collection (a full load)."""
        return all_documents(self.alias, self.collection)

    def current(self) -> State[R]:
        """Return the state, brought up to the feed's latest event first."""
        with self._lock:
            key = store_key(self.alias)
            state = self._states.get(key)
            if state is not None and state.seq == latest_seq(self.alias):
                return state
            # Embedded: with no writer in between, as litemongo writes a block's record and event
            # one by one. A server commits them together (one transaction), so no lock is needed.
            with atomic(self.alias) if is_embedded(self.alias) else contextlib.nullcontext():
                latest = latest_seq(self.alias)
                stale = state is None or latest < state.seq or latest - state.seq > RELOAD_GAP
                if state is not None and not stale:
                    state = self._catch_up(state, latest)
            if state is None or stale:
                state = self._load(latest)
            self._states = {key: state}  # one store per worker: drop those of closed stores
            return state

    def _load(self, latest: int) -> State[R]:
        # The position first: whatever is written while loading is read again from the feed.
        state: State[R] = State(seq=latest)
        if latest:
            events = events_between(self.alias, latest, latest)
            state.mark = _mark(events[0]) if events else None
            state.updated_at = events[0].get("at") if events else None
            if not events:
                state.seq = 0  # not visible yet: start from the beginning of the feed
        for doc in self.all_documents():
            state.records[doc["_id"]] = self.make(doc)
        state.version = next(_VERSIONS)
        self._log.clear()
        return state

    def _catch_up(self, state: State[R], latest: int) -> State[R]:
        start = state.seq if state.seq else 1
        events = events_between(self.alias, start, latest)
        if state.seq:
            if not events or _mark(events[0]) != state.mark:
                return self._load(latest)  # the store was replaced under the same path
            events = events[1:]
        if not events:
            return state
        ids: dict[Any, None] = {}
        for event in events:
            ids.update(dict.fromkeys(self.touched(event, state.records)))
        # A new state, never a changed one: requests of other threads may still be reading it.
        fresh: State[R] = State(
            records=state.records,
            seq=int(events[-1]["_id"]),
            mark=_mark(events[-1]),
            version=state.version,
            updated_at=events[-1].get("at"),
            derived=state.derived,
        )
        if ids:
            found = {d["_id"]: d for d in fetch_by_ids(self.alias, self.collection, list(ids))}
            fresh.records = dict(state.records)
            for record_id in ids:
                doc = found.get(record_id)
                if doc is None:
                    fresh.records.pop(record_id, None)
                else:
                    fresh.records[record_id] = self.make(doc)
            fresh.version = next(_VERSIONS)
            fresh.derived = {}
            self._log.append((state.version, fresh.version, tuple(ids)))
        return fresh


def cached(state: State[Any], key: Any, build: Callable[[], Any]) -> Any:
    """Return a value derived from ``state`` (e.g. a sort order), built once per version."""
    if key not in state.derived:
        state.derived[key] = build()
    return state.derived[key]


def page(items: list[Any], offset: int, limit: int) -> dict[str, Any]:
    """Return one page of already ordered ``items`` with their total."""
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
    }


SEPARATOR = "\x00"
_CANON: dict[int, int] | None = None


def _canon_table() -> dict[int, int]:
    """Map every character to the one representative of the characters it equals under re.I.

    Python's ``re`` with IGNORECASE (what the store's case-insensitive regex runs on the
    embedded store) matches a literal character ``c`` by its simple lower case, plus a few extra
    equivalences (``re._casefix``: i/ı, s/ſ, µ/μ, ...). Mapping each character to the smallest
    member of its class keeps lengths, so a literal matches case-insensitively exactly where its
    mapped form is a plain substring of the mapped text, which ``str.find`` scans ~6x faster.
    """
    global _CANON
    if _CANON is None:
        import _sre
        from re._casefix import _EXTRA_CASES

        table: dict[int, int] = {}
        for i in range(0x110000):
            if not _sre.unicode_iscased(i):
                continue
            lo = _sre.unicode_tolower(i)
            rep = min((lo, *_EXTRA_CASES[lo])) if lo in _EXTRA_CASES else lo
            if rep != i:
                table[i] = rep
        _CANON = table
    return _CANON


def fold(text: str) -> str:
    """Return ``text`` with every character replaced by its re.I class representative."""
    return text.translate(_canon_table())


class TextIndex:
    """Case-insensitive literal search over some text fields of ordered rows."""

    def __init__(self, texts: Iterable[Iterable[Any]]) -> None:
        parts: list[str] = []
        self.starts: list[int] = []
        at = 0
        for fields in texts:
            self.starts.append(at)
            for value in fields:
                # Each field ends with a separator, so no match spans two fields or rows.
                piece = (value if isinstance(value, str) else "") + SEPARATOR
                parts.append(piece)
                at += len(piece)
        self.blob = fold("".join(parts))

    def rows(self, q: str) -> set[int] | None:
        """Return the rows with ``q`` in a field (None: search row by row, q has a separator)."""
        if SEPARATOR in q:
            return None
        import bisect

        needle, blob, starts, found = fold(q), self.blob, self.starts, set()
        pos = blob.find(needle)
        while pos != -1:
            row = bisect.bisect_right(starts, pos) - 1
            found.add(row)
            nxt = starts[row + 1] if row + 1 < len(starts) else len(blob)
            pos = blob.find(needle, nxt)
        return found
