"""Vacancies: posting, partial updates, close/reopen and filtered lists, each write on the feed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import mongoengine as me
from bson import ObjectId

from services.common import listing
from services.common.db import atomic, get_or_404, object_id, stored_time, utcnow
from services.common.errors import Conflict, ValidationProblem, field_error

from ..models import (
    Application,
    Employer,
    LanguageRequirement,
    SalaryOriginal,
    SkillRequirement,
    Vacancy,
    external_key,
)
from ..schemas import VacancyCreate, VacancyImport, VacancyQuery, VacancyRead, VacancyUpdate
from ..settings import ALIAS
from .base import emit


def read(vacancy: Vacancy) -> dict[str, Any]:
    """Return the vacancy as clients and the feed see it."""
    return VacancyRead.model_validate(vacancy).model_dump(mode="json")


def get(*, vacancy_id: str) -> Vacancy:
    """Return one vacancy or raise 404."""
    return get_or_404(Vacancy, vacancy_id, "vacancy")


def get_all(*, query: VacancyQuery) -> Any:
    """Return the vacancies matching every given filter, in the requested order."""
    qs = Vacancy.objects
    if query.employer_id:
        qs = qs(employer_id=object_id(query.employer_id))
    if query.region:
        qs = qs(region__in=query.region)
    if query.remote is not None:
        qs = qs(remote=query.remote)
    if query.status:
        qs = qs(status__in=query.status)
    if query.language:
        qs = qs(languages__code__in=query.language)
    if query.employment_type:
        qs = qs(employment_type__in=query.employment_type)
    if query.skill:
        qs = qs(skills__uri__in=query.skill)
    if query.source:
        qs = qs(source=query.source)
    if query.salary_min is not None:
        # A vacancy pays at least x if its range reaches x at either end.
        qs = qs(me.Q(salary_max__gte=query.salary_min) | me.Q(salary_min__gte=query.salary_min))
    if query.q:
        # The text is a literal, never a pattern: escaping keeps ".*" or "(" from a user inert.
        pattern = {"$regex": re.escape(query.q), "$options": "i"}
        qs = qs(__raw__={"$or": [{"title": pattern}, {"description": pattern}]})
    return qs.order_by(query.sort, "-id")


def _check_salary(salary_min: int | None, salary_max: int | None) -> None:
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        raise ValidationProblem(
            "the salary range is not valid",
            errors=[
                field_error("salary_min", f"salary_min ({salary_min}) exceeds salary_max"),
                field_error("salary_max", f"salary_max ({salary_max}) is below salary_min"),
            ],
        )


def _embedded(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if out.get("skills") is not None:
        out["skills"] = [SkillRequirement(**s) for s in out["skills"]]
    if out.get("languages") is not None:
        out["languages"] = [LanguageRequirement(**lang) for lang in out["languages"]]
    if out.get("salary_original") is not None:
        out["salary_original"] = SalaryOriginal(**out["salary_original"])
    return out


def create(*, data: VacancyCreate, salary_original: dict[str, Any] | None = None) -> Vacancy:
    """Post a vacancy for an existing employer and announce it on the feed.

    Provenance comes only from a VacancyImport (importers); a posted vacancy is the employer's,
    published now.
    """
    fields = data.model_dump()
    _check_salary(fields["salary_min"], fields["salary_max"])
    if not isinstance(data, VacancyImport):
        fields.update(source="employer", external_id=None, external_url=None, published_at=None)
    source, external_id = fields["source"], fields["external_id"]
    published = fields["published_at"]
    fields["published_at"] = utcnow() if published is None else stored_time(published)
    fields["employer_id"] = object_id(fields["employer_id"])
    fields["salary_original"] = salary_original
    with atomic(ALIAS):
        if Employer.objects(id=fields["employer_id"]).first() is None:
            raise ValidationProblem(
                "the employer does not exist",
                errors=[field_error("employer_id", f"no employer with id {data.employer_id}")],
            )
        key = external_key(source, external_id)
        if key is not None and Vacancy.objects(external_key=key).first() is not None:
            raise Conflict(
                f"a vacancy from {source} with this external_id already exists",
                errors=[field_error("external_id", "already exists for this source")],
            )
        vacancy = Vacancy(**_embedded(fields))
        vacancy.save()
        emit("vacancy.created", vacancy.id, read(vacancy))
    return vacancy


def find_imported(*, source: str, external_id: str) -> Vacancy | None:
    """Return the vacancy imported from ``source`` under ``external_id``, if any."""
    return Vacancy.objects(external_key=external_key(source, external_id)).first()


def update(*, vacancy_id: str, data: VacancyUpdate) -> Vacancy:
    """Change some fields of a vacancy and announce it on the feed."""
    changes = data.changes()
    with atomic(ALIAS):
        vacancy = get(vacancy_id=vacancy_id)
        if not changes:
            return vacancy
        _check_salary(
            changes.get("salary_min", vacancy.salary_min),
            changes.get("salary_max", vacancy.salary_max),
        )
        for name, value in _embedded(changes).items():
            setattr(vacancy, name, value)
        vacancy.updated_at = utcnow()
        vacancy.save()
        emit("vacancy.updated", vacancy.id, read(vacancy))
    return vacancy


def _move(vacancy_id: str, frm: str, fields: dict[str, Any], event: str) -> Vacancy:
    # Conditional update: of two concurrent closes exactly one finds the vacancy still open.
    with atomic(ALIAS):
        current = get(vacancy_id=vacancy_id)
        moved = Vacancy.objects(id=current.id, status=frm).modify(
            new=True, **{f"set__{k}": v for k, v in fields.items()}
        )
        if moved is None:
            fresh = get(vacancy_id=vacancy_id)
            raise Conflict(
                f"the vacancy is {fresh.status}",
                errors=[field_error("status", f"is {fresh.status}, not {frm}")],
                current_status=fresh.status,
            )
        emit(event, moved.id, read(moved))
    return moved  # type: ignore[no-any-return]


def close(*, vacancy_id: str) -> Vacancy:
    """Close an open vacancy (no new applications) and announce it on the feed."""
    now = utcnow()
    return _move(
        vacancy_id,
        "open",
        {"status": "closed", "closed_at": now, "updated_at": now},
        "vacancy.closed",
    )


def reopen(*, vacancy_id: str) -> Vacancy:
    """Reopen a closed vacancy that still has positions to fill."""
    vacancy = get(vacancy_id=vacancy_id)
    if vacancy.status == "closed" and vacancy.hired_count >= vacancy.positions:
        raise Conflict(
            f"all {vacancy.positions} positions are filled; raise positions first",
            errors=[field_error("positions", "all filled")],
            current_status=vacancy.status,
        )
    return _move(
        vacancy_id,
        "closed",
        {"status": "open", "closed_at": None, "updated_at": utcnow()},
        "vacancy.updated",
    )


def fill_position(*, vacancy_id: Any) -> Vacancy | None:
    """Count one hire; close the vacancy (on the feed) when its last position is filled."""
    with atomic(ALIAS):
        vacancy = Vacancy.objects(id=vacancy_id).modify(inc__hired_count=1, new=True)
        if vacancy is None or vacancy.status != "open" or vacancy.hired_count < vacancy.positions:
            return vacancy  # type: ignore[no-any-return]
        now = utcnow()
        closed = Vacancy.objects(id=vacancy.id, status="open").modify(
            set__status="closed", set__closed_at=now, set__updated_at=now, new=True
        )
        if closed is None:
            return vacancy  # type: ignore[no-any-return]
        emit("vacancy.closed", closed.id, read(closed))
        return closed  # type: ignore[no-any-return]


def delete(*, vacancy_id: str) -> None:
    """Delete a vacancy nobody applied to (close it otherwise) and announce it on the feed."""
    with atomic(ALIAS):
        vacancy = get(vacancy_id=vacancy_id)
        applied = Application.objects(vacancy_id=vacancy.id).count()
        if applied:
            raise Conflict(
                f"the vacancy has {applied} applications; close it instead",
                applications=applied,
            )
        data = read(vacancy)
        vacancy.delete()
        emit("vacancy.deleted", vacancy.id, data)


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


INDEX = VacancyIndex(ALIAS)


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
    rows, state = INDEX.ordered(query.sort)
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
