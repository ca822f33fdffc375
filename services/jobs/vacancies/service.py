"""Vacancies: posting, partial updates, close/reopen and deletion, each write on the feed."""

from __future__ import annotations

from typing import Any

from services.common.clock import stored_time, utcnow
from services.common.db import find_by_id, get_or_404, object_id, transaction
from services.common.errors import Conflict, ValidationProblem, field_error

from ..applications.models import Application
from ..employers.models import Employer
from ..feed import emit
from ..settings import ALIAS
from .models import LanguageRequirement, SalaryOriginal, SkillRequirement, Vacancy, VacancyQuerySet
from .schemas import VacancyCreate, VacancyImport, VacancyQuery, VacancyRead, VacancyUpdate


def read(vacancy: Vacancy) -> dict[str, Any]:
    """Return the vacancy as clients and the feed see it."""
    return VacancyRead.model_validate(vacancy).model_dump(mode="json")


def get(*, vacancy_id: str) -> Vacancy:
    """Return one vacancy or raise 404."""
    return get_or_404(Vacancy, vacancy_id, "vacancy")


def get_all(*, query: VacancyQuery) -> VacancyQuerySet:
    """Return the vacancies matching every given filter, in the requested order."""
    qs: VacancyQuerySet = Vacancy.objects
    if query.employer_id:
        qs = qs.for_employer(object_id(query.employer_id))
    if query.region:
        qs = qs.in_region(query.region)
    if query.remote is not None:
        qs = qs.remote(query.remote)
    if query.status:
        qs = qs.with_status(*query.status)
    if query.language:
        qs = qs.speaking(query.language)
    if query.employment_type:
        qs = qs.employing(query.employment_type)
    if query.skill:
        qs = qs.needing(query.skill)
    if query.source:
        qs = qs.from_source(query.source)
    if query.salary_min is not None:
        qs = qs.paying_at_least(query.salary_min)
    if query.q:
        qs = qs.mentioning(query.q)
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

    def write() -> Vacancy:
        if find_by_id(Employer, fields["employer_id"]) is None:
            raise ValidationProblem(
                "the employer does not exist",
                errors=[field_error("employer_id", f"no employer with id {data.employer_id}")],
            )
        if external_id and Vacancy.objects.imported_as(source, external_id).first() is not None:
            raise Conflict(
                f"a vacancy from {source} with this external_id already exists",
                errors=[field_error("external_id", "already exists for this source")],
            )
        vacancy = Vacancy(**_embedded(fields))
        vacancy.save()
        emit("vacancy.created", vacancy.id, read(vacancy))
        return vacancy

    return transaction(ALIAS, write)


def find_imported(*, source: str, external_id: str) -> Vacancy | None:
    """Return the vacancy imported from ``source`` under ``external_id``, if any."""
    return Vacancy.objects.imported_as(source, external_id).first()


def update(*, vacancy_id: str, data: VacancyUpdate) -> Vacancy:
    """Change some fields of a vacancy and announce it on the feed."""
    changes = data.changes()

    def write() -> Vacancy:
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

    return transaction(ALIAS, write)


def _move(vacancy_id: str, frm: str, fields: dict[str, Any], event: str) -> Vacancy:
    # Conditional update: of two concurrent closes exactly one finds the vacancy still open.
    def write() -> Vacancy:
        current = get(vacancy_id=vacancy_id)
        moved = (
            Vacancy.objects(id=current.id)
            .with_status(frm)
            .modify(new=True, **{f"set__{k}": v for k, v in fields.items()})
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

    return transaction(ALIAS, write)


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

    def write() -> Vacancy | None:
        vacancy = Vacancy.objects(id=vacancy_id).modify(inc__hired_count=1, new=True)
        if vacancy is None or vacancy.status != "open" or vacancy.hired_count < vacancy.positions:
            return vacancy  # type: ignore[no-any-return]
        now = utcnow()
        closed = (
            Vacancy.objects(id=vacancy.id)
            .open()
            .modify(set__status="closed", set__closed_at=now, set__updated_at=now, new=True)
        )
        if closed is None:
            return vacancy  # type: ignore[no-any-return]
        emit("vacancy.closed", closed.id, read(closed))
        return closed  # type: ignore[no-any-return]

    return transaction(ALIAS, write)


def delete(*, vacancy_id: str) -> None:
    """Delete a vacancy nobody applied to (close it otherwise) and announce it on the feed."""

    def write() -> None:
        vacancy = get(vacancy_id=vacancy_id)
        applied = Application.objects.for_vacancy(vacancy.id).count()
        if applied:
            raise Conflict(
                f"the vacancy has {applied} applications; close it instead",
                applications=applied,
            )
        data = read(vacancy)
        vacancy.delete()
        emit("vacancy.deleted", vacancy.id, data)

    transaction(ALIAS, write)
