"""The course list from an in-process read model (services.common.listing), same answers.

Each filter of ``GET /courses`` is applied here with the semantics of the store query it stands
for (a CourseQuerySet predicate, on raw stored values: a missing field matches nothing but
``$ne``), in id order like ``order_by("id")``: as posting lists per stored value (boolean
arrays over the rows), intersected, so a filtered page at 37k courses costs no Python per row.
tests/learner/test_reads.py checks the answers against the plain queries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
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
    retired: Any


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
            retired=doc.get("retired"),
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


class Postings:
    """Which rows (positions in id order) have each stored value of the filtered fields.

    A filter is then a union of posting lists and the query the intersection of its filters,
    as boolean arrays, instead of one Python test per row and filter. Built once per version.
    """

    def __init__(self, rows: list[CourseRow]) -> None:
        self.size = len(rows)
        self._rows = rows
        self._by: dict[str, dict[Any, list[int]]] = {}
        self._masks: dict[Any, np.ndarray] = {}
        self.hours = np.array(
            [float(r.hours) if _is_number(r.hours) else np.nan for r in rows], dtype=float
        )

    def _index(self, field: str) -> dict[Any, list[int]]:
        if field not in self._by:
            out: dict[Any, list[int]] = {}
            for i, row in enumerate(self._rows):
                values = getattr(row, field)
                for value in values if isinstance(values, frozenset) else (values,):
                    if isinstance(value, Hashable):  # what a set lookup could match at all
                        out.setdefault(value, []).append(i)
            self._by[field] = out
        return self._by[field]

    def _mask(self, positions: Iterable[int]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(positions, dtype=np.int64)] = True
        return mask

    def any_of(self, field: str, values: Iterable[Any]) -> np.ndarray:
        """Return the rows whose ``field`` (or one of its values) is one of ``values``."""
        index = self._index(field)
        return self._mask(i for v in set(values) for i in index.get(v, ()))

    def where(self, name: Any, test: Callable[[CourseRow], bool]) -> np.ndarray:
        """Return the rows passing ``test`` (a fixed test, remembered by ``name``)."""
        if name not in self._masks:
            self._masks[name] = self._mask(i for i, r in enumerate(self._rows) if test(r))
        return self._masks[name]

    def rows(self, positions: Iterable[int]) -> np.ndarray:
        """Return the mask of these row positions."""
        return self._mask(positions)


def _free(row: CourseRow) -> bool:
    return (_is_number(row.price_kzt) and row.price_kzt == 0) or row.state_funded is True


def _not_free(row: CourseRow) -> bool:
    # state_funded == False and price_kzt != 0 ($ne also matches a missing price)
    return row.state_funded is False and not (_is_number(row.price_kzt) and row.price_kzt == 0)


def masks(query: CourseQuery, postings: Postings) -> list[np.ndarray]:
    """Return the rows each filter given keeps, each meaning what its store query means."""
    out: list[np.ndarray] = []
    if not query.include_retired:
        # retired != True, as current() asks the store (a missing field is not retired).
        current = postings.where("current", lambda r: r.retired is not True)
        if not current.all():  # no retired course at all: the unfiltered fast path stays
            out.append(current)
    if query.provider:
        out.append(postings.any_of("provider", query.provider))
    if query.language:
        out.append(postings.any_of("language", query.language))
    if query.level:
        out.append(postings.any_of("level", query.level))
    if query.free is True:
        out.append(postings.where("free", _free))
    elif query.free is False:
        out.append(postings.where("not free", _not_free))
    if query.state_funded is not None:
        wanted = query.state_funded
        out.append(postings.where(("state_funded", wanted), lambda r: r.state_funded is wanted))
    if query.max_hours is not None:
        with np.errstate(invalid="ignore"):
            out.append(postings.hours <= query.max_hours)  # NaN (no number) is never <=
    if query.skill:
        out.append(
            postings.any_of("skill_uris", query.skill)
            | postings.any_of("skill_labels", query.skill)
        )
    return out


def index() -> CourseIndex:
    """Return this app's course read model."""
    return per_app("learner.courses", lambda: CourseIndex(ALIAS))


def get_all(query: CourseQuery) -> dict[str, Any]:
    """Return one page of the courses matching the filters, with the total."""
    courses = index()
    rows, state = courses.ordered()
    postings: Postings = listing.cached(state, "postings", lambda: Postings(rows))
    kept = masks(query, postings)
    if query.q:
        hits = courses.text(state, rows).rows(query.q)
        if hits is None:
            text = _text_test(query.q)
            kept.append(
                postings.rows(i for i, r in enumerate(rows) if text(r.title) or text(r.description))
            )
        else:
            kept.append(postings.rows(hits))
    if not kept:
        out = listing.page(rows, query.offset, query.limit)
        out["items"] = [r.data for r in out["items"]]
        return out
    mask = kept[0] if len(kept) == 1 else np.logical_and.reduce(kept)
    positions = np.flatnonzero(mask)
    chosen = positions[query.offset : query.offset + query.limit]
    return {
        "items": [rows[i].data for i in chosen.tolist()],
        "total": int(positions.size),
        "limit": query.limit,
        "offset": query.offset,
    }
