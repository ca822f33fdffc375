"""The in-memory vacancy list: every vacancy kept current with the feed, filtered like the store.

Served instead of the store query when read models are on (``QABILET_READ_MODELS``); each filter
here means exactly what its VacancyQuerySet predicate means there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from services.common import listing
from services.common.db import object_id
from services.common.state import per_app

from ..settings import ALIAS
from .models import Vacancy
from .schemas import VacancyQuery
from .service import read


@dataclass(frozen=True, slots=True)
class VacancyRow:
    """One vacancy: its answer as served, and the stored document the filters look at."""

    id: ObjectId
    data: dict[str, Any]
    doc: dict[str, Any]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _any(items: Any, key: str, wanted: set[Any]) -> bool:
    return isinstance(items, list) and any(
        isinstance(i, dict) and i.get(key) in wanted for i in items
    )


class VacancyIndex(listing.ReadModel[VacancyRow]):
    """Every vacancy, current with the jobs feed (a hire changes its vacancy's count)."""

    collection = "vacancies"

    def make(self, doc: dict[str, Any]) -> VacancyRow:
        """Return the row of a stored vacancy."""
        return VacancyRow(id=doc["_id"], data=read(Vacancy._from_son(doc)), doc=doc)

    def touched(self, event: dict[str, Any], records: dict[Any, VacancyRow]) -> Iterable[Any]:
        """Return the vacancy a vacancy or application event names."""
        kind = str(event.get("type", ""))
        raw = event.get("id") if kind.startswith("vacancy.") else None
        if kind.startswith("application."):
            raw = (event.get("data") or {}).get("vacancy_id")
        oid = object_id(raw) if isinstance(raw, str) else None
        return [oid] if oid is not None else []

    def ordered(self, sort: str) -> tuple[list[VacancyRow], listing.State[VacancyRow]]:
        """Return every vacancy in ``sort`` order, then newest id first (as the query does)."""
        state = self.current()

        def build() -> list[VacancyRow]:
            field, reverse = sort.lstrip("-"), sort.startswith("-")
            rows = sorted(state.records.values(), key=lambda r: r.id, reverse=True)
            # null sorts below every value, as in MongoDB (so last when descending)
            return sorted(
                rows,
                key=lambda r: (0, 0) if r.doc.get(field) is None else (1, r.doc[field]),
                reverse=reverse,
            )

        rows: list[VacancyRow] = listing.cached(state, ("sort", sort), build)
        return rows, state


def index() -> VacancyIndex:
    """Return this app's vacancy read model."""
    return per_app("jobs.vacancies", lambda: VacancyIndex(ALIAS))


def _member(name: str, values: set[Any]) -> Callable[[dict[str, Any]], bool]:
    return lambda d: d.get(name) in values


def _tests(query: VacancyQuery) -> list[Callable[[dict[str, Any]], bool]]:
    """Return one test per filter given, each meaning what its store query means."""
    tests: list[Callable[[dict[str, Any]], bool]] = []
    if query.employer_id:
        employer = object_id(query.employer_id)
        tests.append(lambda d: d.get("employer_id") == employer)
    for name in ("region", "status", "employment_type"):
        values = getattr(query, name)
        if values:
            tests.append(_member(name, set(values)))
    if query.remote is not None:
        remote = query.remote
        tests.append(lambda d: d.get("remote") is remote)
    if query.language:
        codes = set(query.language)
        tests.append(lambda d: _any(d.get("languages"), "code", codes))
    if query.skill:
        uris = set(query.skill)
        tests.append(lambda d: _any(d.get("skills"), "uri", uris))
    if query.source:
        source = query.source
        tests.append(lambda d: d.get("source") == source)
    if query.salary_min is not None:
        least = query.salary_min
        tests.append(
            lambda d: any(_number(d.get(k)) and d[k] >= least for k in ("salary_max", "salary_min"))
        )
    return tests


def list_page(*, query: VacancyQuery) -> dict[str, Any]:
    """Return one page of the vacancies matching the filters, with the total."""
    rows, state = index().ordered(query.sort)
    tests = _tests(query)
    if query.q:
        texts = listing.cached(
            state,
            ("text", query.sort),
            lambda: listing.TextIndex((r.doc.get("title"), r.doc.get("description")) for r in rows),
        )
        hits = texts.rows(query.q)
        if hits is None:
            pattern = re.compile(re.escape(query.q), re.IGNORECASE)
            tests.append(
                lambda d: any(
                    isinstance(d.get(k), str) and pattern.search(d[k])
                    for k in ("title", "description")
                )
            )
        else:
            rows = [rows[i] for i in sorted(hits)]
    if tests:
        rows = [r for r in rows if all(t(r.doc) for t in tests)]
    out = listing.page(rows, query.offset, query.limit)
    out["items"] = [r.data for r in out["items"]]
    return out
