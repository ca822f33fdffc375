"""What the ministry reports count, held in memory and kept current from the learner feed.

Each worker keeps the few fields the reports count (services.common.listing read models): an
enrolment event re-reads its enrolment, an ``outcome.recorded`` its hire, a ``learner.deleted``
the rows it pseudonymised. services.learner.reports.running folds the rows each event changed
into the report tallies (the course read model gives the providers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bson import ObjectId

from services.common import listing
from services.common.clock import as_utc


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
