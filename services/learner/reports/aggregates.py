"""What the ministry reports count, held in memory and kept current from the learner feed.

Every report used to decode every enrolment, hire and course from the store per request. Here
each worker keeps the few fields the reports count (services.common.listing read models): an
enrolment event re-reads its enrolment, an ``outcome.recorded`` its hire, a ``learner.deleted``
the rows it pseudonymised, a ``course.*`` event its course (the provider). Reports computed from
them are memoised per filter until one of them changes; ``as_of`` says up to which feed event
and when that event was written. tests/ministry/test_aggregates.py checks every report against
the recomputation from the store after random sequences of writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bson import ObjectId

from services.common import listing
from services.common.clock import as_utc
from services.common.state import per_app

from ..courses.index import index as course_index
from ..settings import ALIAS


def day(value: Any) -> date | None:
    """Return the UTC day of a stored datetime (None for anything else)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value).date()
    if isinstance(value, date):
        return value
    return None


@dataclass(frozen=True, slots=True)
class EnrolmentRow:
    """The counted fields of one enrolment."""

    person: Any
    course_id: str
    enrolled_on: date | None
    completed_on: date | None  # only when completed
    programme: str | None
    region: str | None


@dataclass(frozen=True, slots=True)
class HireRow:
    """The counted fields of one hire."""

    person: Any
    day: date | None
    salary: int | None


def _oid(value: Any) -> ObjectId | None:
    return ObjectId(value) if isinstance(value, str) and ObjectId.is_valid(value) else None


def _of_person(records: dict[Any, Any], person: Any) -> list[Any]:
    return [key for key, row in records.items() if row.person == person]


class Enrolments(listing.ReadModel[EnrolmentRow]):
    """Every enrolment, as the reports count it."""

    collection = "enrolments"

    def make(self, doc: dict[str, Any]) -> EnrolmentRow:
        """Return the counted fields of a stored enrolment."""
        return EnrolmentRow(
            person=doc.get("learner_id"),
            course_id=str(doc.get("course_id")),
            enrolled_on=day(doc.get("enrolled_at")),
            completed_on=day(doc.get("completed_at")) if doc.get("status") == "completed" else None,
            programme=doc.get("programme"),
            region=doc.get("region"),
        )

    def touched(self, event: dict[str, Any], records: dict[Any, EnrolmentRow]) -> Iterable[Any]:
        """Return the enrolments an event changed (a deletion renames a learner's rows)."""
        kind = str(event.get("type", ""))
        if kind.startswith("enrolment."):
            oid = _oid(event.get("id"))
            return [oid] if oid is not None else []
        if kind == "learner.deleted":
            return _of_person(records, event.get("id"))
        return []


class Hires(listing.ReadModel[HireRow]):
    """Every recorded hire, as the reports count it."""

    collection = "outcomes"

    def make(self, doc: dict[str, Any]) -> HireRow:
        """Return the counted fields of a stored outcome."""
        return HireRow(
            person=doc.get("learner_id"), day=day(doc.get("hired_at")), salary=doc.get("salary")
        )

    def touched(self, event: dict[str, Any], records: dict[Any, HireRow]) -> Iterable[Any]:
        """Return the outcomes an event changed."""
        kind = str(event.get("type", ""))
        if kind == "outcome.recorded":
            oid = _oid(event.get("id"))
            return [oid] if oid is not None else []
        if kind == "learner.deleted":
            return _of_person(records, event.get("id"))
        return []


_MEMO: dict[Any, Any] = {}
_MEMO_VERSION: list[Any] = [None]
_MEMO_LOCK = threading.Lock()
MEMO_SIZE = 512


@dataclass(frozen=True)
class Snapshot:
    """The counted rows of one moment, with the feed position they reflect."""

    enrolments: list[EnrolmentRow]
    hires: list[HireRow]
    providers: dict[str, str]
    seq: int
    updated_at: datetime | None
    version: tuple[Any, ...]

    def as_of(self) -> dict[str, Any]:
        """Return when the counted rows were last updated (the newest feed event folded in)."""
        when = as_utc(self.updated_at) if self.updated_at else None
        return {
            "seq": self.seq,
            "updated_at": when.isoformat(timespec="seconds") if when else None,
        }


def snapshot() -> Snapshot:
    """Return the counted rows as of now (each model brought up to the feed first)."""
    enrolled = per_app("learner.enrolments", lambda: Enrolments(ALIAS)).current()
    hired = per_app("learner.hires", lambda: Hires(ALIAS)).current()
    courses = course_index().current()
    providers: dict[str, str] = listing.cached(
        courses,
        "providers",
        lambda: {str(k): r.provider for k, r in courses.records.items()},
    )
    states: tuple[listing.State[Any], ...] = (enrolled, hired, courses)
    version = tuple(s.version for s in states)
    return Snapshot(
        enrolments=list(enrolled.records.values()),
        hires=list(hired.records.values()),
        providers=providers,
        seq=max(s.seq for s in states),
        updated_at=max((s.updated_at for s in states if s.updated_at), default=None),
        version=version,
    )


def memo(snap: Snapshot, key: Any, build: Callable[[], Any]) -> Any:
    """Return a report of ``snap`` computed once per filter until the counted rows change."""
    with _MEMO_LOCK:
        if _MEMO_VERSION[0] != snap.version:
            _MEMO.clear()
            _MEMO_VERSION[0] = snap.version
        if key in _MEMO:
            return _MEMO[key]
    value = build()
    with _MEMO_LOCK:
        if _MEMO_VERSION[0] == snap.version:
            if len(_MEMO) >= MEMO_SIZE:
                _MEMO.pop(next(iter(_MEMO)))
            _MEMO[key] = value
    return value
