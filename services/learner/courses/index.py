"""The course list from an in-process read model (services.common.listing), same answers.

Each filter of ``GET /courses`` is applied here with the semantics of the store query it stands
for (a CourseQuerySet predicate, on raw stored values: a missing field matches nothing but
``$ne``), in id order like ``order_by("id")``. tests/learner/test_reads.py checks the answers
against the plain queries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from services.common import listing
from services.common.state import per_app

from ..settings import ALIAS
from .models import Course
from .schemas import CourseQuery, CourseRead


@dataclass(frozen=True, slots=True)
class CourseRow:
    """One course: its answer as served, and the stored values the filters look at."""

    id: ObjectId
    data: dict[str, Any]
    provider: Any
    language: Any
    level: Any
    price_kzt: Any
    state_funded: Any
    hours: Any
    skill_uris: frozenset[Any]
    skill_labels: frozenset[Any]
    title: Any
    description: Any


def _values(items: Any, key: str) -> frozenset[Any]:
    if not isinstance(items, list):
        return frozenset()
    return frozenset(i.get(key) for i in items if isinstance(i, dict) and i.get(key) is not None)


class CourseIndex(listing.ReadModel[CourseRow]):
    """Every course of the catalogue, current with the learner feed."""

    collection = "courses"

    def make(self, doc: dict[str, Any]) -> CourseRow:
        """Return the row of a stored course."""
        course = Course._from_son(doc)
        data = CourseRead.model_validate(course, from_attributes=True).model_dump(mode="json")
        return CourseRow(
            id=doc["_id"],
            data=data,
            provider=doc.get("provider", ""),
            language=doc.get("language"),
            level=doc.get("level"),
            price_kzt=doc.get("price_kzt"),
            state_funded=doc.get("state_funded"),
            hours=doc.get("hours"),
            skill_uris=_values(doc.get("skills"), "uri"),
            skill_labels=_values(doc.get("skills"), "label"),
            title=doc.get("title"),
            description=doc.get("description"),
        )

    def touched(self, event: dict[str, Any], records: dict[Any, CourseRow]) -> Iterable[Any]:
        """Return the course a ``course.*`` event names."""
        if str(event.get("type", "")).startswith("course."):
            oid = _oid(event.get("id"))
            if oid is not None:
                yield oid

    def ordered(self) -> tuple[list[CourseRow], listing.State[CourseRow]]:
        """Return every course in id order (and the state they come from)."""
        state = self.current()
        rows: list[CourseRow] = listing.cached(
            state, "by_id", lambda: sorted(state.records.values(), key=lambda r: r.id)
        )
        return rows, state

    def text(self, state: listing.State[CourseRow], rows: list[CourseRow]) -> listing.TextIndex:
        """Return the title/description search index of ``rows`` (built once per version)."""
        index: listing.TextIndex = listing.cached(
            state, "text", lambda: listing.TextIndex((r.title, r.description) for r in rows)
        )
        return index


def _oid(value: Any) -> ObjectId | None:
    return ObjectId(value) if isinstance(value, str) and ObjectId.is_valid(value) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text_test(q: str) -> Callable[[Any], bool]:
    # The pattern mongoengine's icontains sends: the text escaped, case-insensitive.
    pattern = re.compile(re.escape(q), re.IGNORECASE)
    return lambda value: isinstance(value, str) and pattern.search(value) is not None


def predicates(query: CourseQuery) -> list[Callable[[CourseRow], bool]]:
    """Return one test per filter given, each meaning what its store query means."""
    tests: list[Callable[[CourseRow], bool]] = []
    if query.provider:
        providers = set(query.provider)
        tests.append(lambda r: r.provider in providers)
    if query.language:
        languages = set(query.language)
        tests.append(lambda r: r.language in languages)
    if query.level:
        levels = set(query.level)
        tests.append(lambda r: r.level in levels)
    if query.free is True:
        tests.append(
            lambda r: (_is_number(r.price_kzt) and r.price_kzt == 0) or r.state_funded is True
        )
    elif query.free is False:
        # state_funded == False and price_kzt != 0 ($ne also matches a missing price)
        tests.append(
            lambda r: r.state_funded is False and not (_is_number(r.price_kzt) and r.price_kzt == 0)
        )
    if query.state_funded is not None:
        wanted = query.state_funded
        tests.append(lambda r: r.state_funded is wanted)
    if query.max_hours is not None:
        most = query.max_hours
        tests.append(lambda r: _is_number(r.hours) and r.hours <= most)
    if query.skill:
        skills = set(query.skill)
        tests.append(lambda r: bool(skills & r.skill_uris or skills & r.skill_labels))
    return tests


def index() -> CourseIndex:
    """Return this app's course read model."""
    return per_app("learner.courses", lambda: CourseIndex(ALIAS))


def get_all(query: CourseQuery) -> dict[str, Any]:
    """Return one page of the courses matching the filters, with the total."""
    courses = index()
    rows, state = courses.ordered()
    tests = predicates(query)
    if query.q:
        hits = courses.text(state, rows).rows(query.q)
        if hits is None:
            text = _text_test(query.q)
            tests.append(lambda r: text(r.title) or text(r.description))
        else:
            rows = [rows[i] for i in sorted(hits)]
    if tests:
        rows = [r for r in rows if all(t(r) for t in tests)]
    out = listing.page(rows, query.offset, query.limit)
    out["items"] = [r.data for r in out["items"]]
    return out
