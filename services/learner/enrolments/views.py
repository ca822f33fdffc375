"""HTTP views of enrolments: enrol, complete, drop, list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from services.common.api import Page, endpoint
from services.common.errors import Problem, ValidationProblem, field_error
from services.common.reporting import csv_response, wants_csv
from services.common.state import current_settings

from ..courses.service import known_key
from . import report, service, upload
from .models import Enrolment
from .schemas import (
    EnrolmentComplete,
    EnrolmentCreate,
    EnrolmentQuery,
    EnrolmentRead,
    ProviderReport,
    ProviderReportQuery,
    UploadQuery,
    UploadReport,
)

bp = Blueprint("enrolments", __name__)
TAGS = ["enrolments"]


@endpoint(
    bp,
    "POST",
    "/enrolments",
    body=EnrolmentCreate,
    response=EnrolmentRead,
    status=201,
    tags=TAGS,
    errors={409: "already enrolled on this course"},
)
def create_enrolment(body: EnrolmentCreate) -> Enrolment:
    """Enrol a learner on a course."""
    return service.create(body=body)


@endpoint(bp, "GET", "/enrolments", query=EnrolmentQuery, response=Page[EnrolmentRead], tags=TAGS)
def list_enrolments(query: EnrolmentQuery) -> dict[str, Any]:
    """List enrolments by learner, course or status."""
    return service.get_all(query=query)


@endpoint(bp, "GET", "/enrolments/<enrolment_id>", response=EnrolmentRead, tags=TAGS)
def get_enrolment(enrolment_id: str) -> Enrolment:
    """Read an enrolment."""
    return service.get(enrolment_id=enrolment_id)


@endpoint(
    bp,
    "POST",
    "/enrolments/<enrolment_id>/complete",
    body=EnrolmentComplete,
    response=EnrolmentRead,
    tags=TAGS,
    errors={409: "not an active enrolment"},
)
def complete_enrolment(enrolment_id: str, body: EnrolmentComplete) -> Enrolment:
    """Complete an enrolment; the course's skills join the learner's profile."""
    return service.complete(enrolment_id=enrolment_id, body=body)


@endpoint(
    bp,
    "POST",
    "/enrolments/<enrolment_id>/drop",
    response=EnrolmentRead,
    tags=TAGS,
    errors={409: "not an active enrolment"},
)
def drop_enrolment(enrolment_id: str) -> Enrolment:
    """Drop an active enrolment."""
    return service.drop(enrolment_id=enrolment_id)


@endpoint(
    bp,
    "GET",
    "/providers/<provider_key>/report",
    query=ProviderReportQuery,
    response=ProviderReport,
    tags=TAGS,
    errors={404: "not a provider key"},
)
def provider_report(provider_key: str, query: ProviderReportQuery) -> Any:
    """Count a provider's enrolments, completions and drops by course and month (CSV too)."""
    data = report.provider_report(key=provider_key, start=query.from_, end=query.to)
    if wants_csv(query.format):
        # A header is Latin-1: a key may be Cyrillic ("университет"), so the name is fixed.
        return csv_response(report.CSV_HEADER, data["rows"], "provider-report.csv")
    return data


CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")


def _uploaded_text() -> str:
    """Return the CSV of the request: its body, or the ``file`` part of a multipart form."""
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        sent = request.files.get("file")
        if sent is None:
            raise ValidationProblem(
                "the form has no CSV", errors=[field_error("file", "attach the CSV as file")]
            )
        data = sent.read()
    elif mimetype in CSV_TYPES:
        data = request.get_data()
    else:
        raise Problem(
            "send the CSV as text/csv or as the file of a multipart/form-data form",
            errors=[field_error("body", f"unsupported media type {mimetype or 'none'}")],
            status=415,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationProblem(
            "the CSV is not UTF-8", errors=[field_error("body", "save the file as UTF-8")]
        ) from exc


@endpoint(
    bp,
    "POST",
    "/providers/<provider_key>/enrolments/upload",
    query=UploadQuery,
    response=UploadReport,
    tags=TAGS,
    errors={
        404: "not a provider key",
        413: "the body or the number of rows is over the limit",
        415: "not CSV",
        422: "the CSV cannot be read or its header lacks a column",
    },
)
def upload_enrolments(provider_key: str, query: UploadQuery) -> dict[str, Any]:
    """Apply a provider's CSV of enrolments, completions and drops; report each row."""
    key = known_key(provider_key)
    text = _uploaded_text()
    settings = current_settings()
    return upload.upload(
        key=key,
        text=text,
        reported_by=query.reported_by,
        max_rows=settings.upload_max_rows,
        seconds=settings.upload_seconds,
    )
