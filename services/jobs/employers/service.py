"""Employers: accounts with a unique BIN, and hh.kz employers imported without one."""

from __future__ import annotations

from typing import Any

from services.common.clock import utcnow
from services.common.db import get_or_404, transaction
from services.common.errors import Conflict, field_error

from ..feed import emit
from ..settings import ALIAS
from ..vacancies.models import Vacancy
from .models import Employer, EmployerQuerySet
from .schemas import EmployerCreate, EmployerQuery, EmployerRead, EmployerUpdate


def read(employer: Employer) -> dict[str, Any]:
    """Return the employer as clients and the feed see it."""
    return EmployerRead.model_validate(employer).model_dump(mode="json")


def get(*, employer_id: str) -> Employer:
    """Return one employer or raise 404."""
    return get_or_404(Employer, employer_id, "employer")


def get_all(*, query: EmployerQuery) -> EmployerQuerySet:
    """Return the employers matching the filters, by name."""
    qs: EmployerQuerySet = Employer.objects
    if query.region:
        qs = qs.in_region(query.region)
    if query.sector:
        qs = qs.in_sector(query.sector)
    if query.source:
        qs = qs.from_source(query.source)
    if query.bin:
        qs = qs.with_bin(query.bin)
    if query.q:
        qs = qs.named_like(query.q)
    return qs.order_by("name", "id")


def _ensure_bin_free(bin_: str | None, *, other_than: Any = None) -> None:
    if bin_ is None:
        return
    if Employer.objects.with_bin(bin_).other_than(other_than).first() is not None:
        raise Conflict(
            "an employer with this BIN already exists",
            errors=[field_error("bin", "already exists")],
        )


def create(
    *,
    data: EmployerCreate | dict[str, Any],
    source: str = "employer",
    external_id: str | None = None,
) -> Employer:
    """Create an employer (source "employer" needs a BIN) and announce it on the feed."""
    fields = data.model_dump() if isinstance(data, EmployerCreate) else dict(data)

    def write() -> Employer:
        _ensure_bin_free(fields.get("bin"))
        employer = Employer(**fields, source=source, external_id=external_id)
        employer.save()
        emit("employer.created", employer.id, read(employer))
        return employer

    return transaction(ALIAS, write)


def upsert_imported(
    *, source: str, external_id: str, name: str, region: str
) -> tuple[Employer, bool]:
    """Return the imported employer with this external id, creating it when new."""

    def write() -> tuple[Employer, bool]:
        found = Employer.objects.imported_as(source, external_id).first()
        if found is not None:
            return found, False
        fields = {"name": name, "region": region}
        return create(data=fields, source=source, external_id=external_id), True

    return transaction(ALIAS, write)


def update(*, employer_id: str, data: EmployerUpdate) -> Employer:
    """Change some fields of an employer and announce it on the feed."""
    changes = data.changes()

    def write() -> Employer:
        employer = get(employer_id=employer_id)
        if not changes:
            return employer
        if "bin" in changes:
            _ensure_bin_free(changes["bin"], other_than=employer.id)
        for name, value in changes.items():
            setattr(employer, name, value)
        employer.updated_at = utcnow()
        employer.save()
        emit("employer.updated", employer.id, read(employer))
        return employer

    return transaction(ALIAS, write)


def delete(*, employer_id: str) -> None:
    """Delete an employer that has no open vacancies, and announce it on the feed."""

    def write() -> None:
        employer = get(employer_id=employer_id)
        open_count = Vacancy.objects.for_employer(employer.id).open().count()
        if open_count:
            raise Conflict(
                f"the employer has {open_count} open vacancies; close them first",
                open_vacancies=open_count,
            )
        data = read(employer)
        employer.delete()
        emit("employer.deleted", employer.id, data)

    transaction(ALIAS, write)
