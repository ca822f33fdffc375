"""HTTP views of applications: parse, call the service layer, serialise."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common.api import Page, endpoint
from services.common.pagination import paginate

from . import service as applications
from .models import Application
from .schemas import ApplicationCreate, ApplicationQuery, ApplicationRead, TransitionRequest

bp = Blueprint("applications", __name__)

TAGS = ["applications"]


@endpoint(
    bp,
    "GET",
    "/applications",
    query=ApplicationQuery,
    response=Page[ApplicationRead],
    tags=TAGS,
)
def list_applications(query: ApplicationQuery) -> dict[str, Any]:
    """List applications by vacancy, employer, learner or status, newest first."""
    return paginate(applications.get_all(query=query), query, ApplicationRead)


@endpoint(
    bp,
    "POST",
    "/applications",
    body=ApplicationCreate,
    response=ApplicationRead,
    status=201,
    tags=TAGS,
    errors={409: "the vacancy is closed, or the learner already applied to it"},
)
def create_application(body: ApplicationCreate) -> Application:
    """Apply a learner to an open vacancy."""
    return applications.create(data=body)


@endpoint(bp, "GET", "/applications/<application_id>", response=ApplicationRead, tags=TAGS)
def get_application(application_id: str) -> Application:
    """Return one application with its history."""
    return applications.get(application_id=application_id)


@endpoint(
    bp,
    "POST",
    "/applications/<application_id>/transition",
    body=TransitionRequest,
    response=ApplicationRead,
    tags=TAGS,
    errors={
        409: "illegal transition (the problem names current_status). Legal moves: "
        "applied -> interview | offer | rejected; interview -> offer | rejected; "
        "offer -> hired | rejected; hired and rejected are final"
    },
)
def transition_application(application_id: str, body: TransitionRequest) -> Application:
    """Move an application through applied -> interview -> offer -> hired, or to rejected."""
    return applications.transition(application_id=application_id, data=body)
