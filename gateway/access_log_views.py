"""The access log's API: a learner reads who saw their data; an admin exports it (CSV or JSON).

- ``GET /api/v1/me/access-log`` (a learner): reads of their data by others, newest first.
- ``GET /api/v1/access-log`` (admin): every entry, filtered by learner and time; the export is
  itself recorded in the log of every learner it covers.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, Literal

from flask import Blueprint, Response
from pydantic import Field

from services.common.api import (
    Page,
    PageQuery,
    ReadSchema,
    UtcDateTime,
)
from services.common.clock import as_utc, utcnow
from services.common.errors import Forbidden, ValidationProblem, field_error

from .access_log import AccessEntry, Disclosure, names, record
from .auth import Principal, require_principal
from .proxy import API_PREFIX, proxy_of_app
from .routes import own_endpoint

bp = Blueprint("access_log", __name__)
TAGS = ["access log"]
EXPORT_LIMIT = 10_000
EXPORT_COLUMNS = (
    "at", "learner_id", "kind", "disclosed", "reader_account_id", "reader_role",
    "reader_employer_id", "reader_employer_name", "reader_provider_name", "vacancy_id",
    "application_id", "route", "page", "request_id",
)  # fmt: skip
# A spreadsheet runs a cell starting with one of these as a formula; employer names are free text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ReaderRead(ReadSchema):
    """Who read: their role and, for an employer, which one."""

    role: str
    employer_id: str | None = None
    employer_name: str | None = None
    provider_name: str | None = None


class AccessRead(ReadSchema):
    """One read of the learner's data by someone else."""

    id: str
    at: UtcDateTime
    kind: str = Field(description="profile, list, candidate, application, enrolment, record...")
    fields: list[str] = Field(description="what of the learner the reader was shown")
    reader: ReaderRead
    vacancy_id: str | None = None
    vacancy_title: str | None = None
    application_id: str | None = None
    route: str


class AccessExportRead(ReadSchema):
    """One entry as the admin exports it."""

    id: str
    at: UtcDateTime
    learner_id: str
    kind: str
    disclosed: list[str]
    reader_account_id: str
    reader_role: str
    reader_employer_id: str | None = None
    reader_employer_name: str | None = None
    reader_provider_name: str | None = None
    vacancy_id: str | None = None
    application_id: str | None = None
    route: str
    page: str | None = None
    request_id: str | None = None


class ExportQuery(PageQuery):
    """Which entries to export, and how."""

    limit: int = Field(1000, ge=1, le=EXPORT_LIMIT, description="entries per export")
    learner_id: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
    from_: UtcDateTime | None = Field(None, alias="from", description="from this time on")
    to: UtcDateTime | None = Field(None, description="up to this time")
    format: Literal["json", "csv"] = "json"


def _learner_of(principal: Principal) -> str:
    if not principal.learner_id:  # the policy let only learners through; this one has no profile
        raise Forbidden("only learners have an access log of their own")
    return principal.learner_id


def _reader(entry: AccessEntry, employer_names: dict[str, str | None]) -> dict[str, Any]:
    employer_id = entry.reader_employer_id
    name = entry.reader_employer_name or (employer_names.get(employer_id) if employer_id else None)
    return {
        "role": entry.reader_role,
        "employer_id": employer_id,
        "employer_name": name,
        "provider_name": entry.reader_provider_name,
    }


def learner_entries(learner_id: str, *, limit: int, offset: int) -> dict[str, Any]:
    """Return one page of a learner's access log, readers and vacancies named."""
    query = AccessEntry.objects(learner_id=learner_id).order_by("-at", "-id")
    total = query.count()
    entries = list(query.skip(offset).limit(limit))
    proxy = proxy_of_app()
    held = names()
    titles = {v: held.vacancy(proxy, v) for v in {e.vacancy_id for e in entries if e.vacancy_id}}
    unnamed = {e.reader_employer_id for e in entries if e.reader_employer_id}
    unnamed -= {e.reader_employer_id for e in entries if e.reader_employer_name}
    employer_names = {e: held.employer(proxy, e) for e in unnamed if e}
    items = [
        {
            "id": str(e.id),
            "at": as_utc(e.at),
            "kind": e.kind,
            "fields": list(e.disclosed),
            "reader": _reader(e, employer_names),
            "vacancy_id": e.vacancy_id,
            "vacancy_title": titles.get(e.vacancy_id) if e.vacancy_id else None,
            "application_id": e.application_id,
            "route": e.route,
        }
        for e in entries
    ]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@own_endpoint(
    bp,
    "GET",
    "/api/v1/me/access-log",
    query=PageQuery,
    response=Page[AccessRead],
    tags=TAGS,
    errors={401: "not signed in", 403: "not a learner"},
)
def get_my_access_log(query: PageQuery) -> dict[str, Any]:
    """List who was shown my data, when, which fields and why (newest first)."""
    learner_id = _learner_of(require_principal())
    return learner_entries(learner_id, limit=query.limit, offset=query.offset)


def _export_row(entry: AccessEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "at": as_utc(entry.at),
        **{name: getattr(entry, name) for name in EXPORT_COLUMNS if name != "at"},
        "disclosed": list(entry.disclosed),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    elif isinstance(value, datetime):
        value = as_utc(value).isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", *EXPORT_COLUMNS])
    for row in rows:
        writer.writerow([_cell(row[name]) for name in ("id", *EXPORT_COLUMNS)])
    return out.getvalue()


@own_endpoint(
    bp,
    "GET",
    "/api/v1/access-log",
    query=ExportQuery,
    response=Page[AccessExportRead],
    tags=TAGS,
    errors={401: "not signed in", 403: "admins only"},
)
def export_access_log(query: ExportQuery) -> Any:
    """Export the access log, filtered by learner and time, as JSON or CSV (admin)."""
    principal = require_principal()
    if query.from_ is not None and query.to is not None and query.from_ > query.to:
        raise ValidationProblem(
            "the time range is reversed", errors=[field_error("from", "must not be after 'to'")]
        )
    filters: dict[str, Any] = {}
    if query.learner_id is not None:
        filters["learner_id"] = query.learner_id
    if query.from_ is not None:
        filters["at__gte"] = query.from_
    if query.to is not None:
        filters["at__lte"] = query.to
    selected = AccessEntry.objects(**filters).order_by("-at", "-id")
    total = selected.count()
    rows = [_export_row(e) for e in selected.skip(query.offset).limit(query.limit)]
    # An export is a read of each learner's log, so it goes into each learner's log too.
    covered = sorted({str(row["learner_id"]) for row in rows})
    record(
        principal,
        "access-log",
        [Disclosure(learner_id, ("access_log",)) for learner_id in covered],
        route=f"GET {API_PREFIX}/access-log",
    )
    if query.format == "csv":
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        resp = Response(_csv(rows), mimetype="text/csv")
        resp.headers["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
        resp.headers["X-Total-Count"] = str(total)
        return resp
    return {"items": rows, "total": total, "limit": query.limit, "offset": query.offset}
