"""HTTP views of enrolments: enrol, complete, drop, list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common.api import Page, endpoint
from services.common.reporting import csv_response, wants_csv

from . import report, service
from .models import Enrolment
from .schemas import (
    EnrolmentComplete,
    EnrolmentCreate,
    EnrolmentQuery,
    EnrolmentRead,
    ProviderReport,
    ProviderReportQuery,
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
