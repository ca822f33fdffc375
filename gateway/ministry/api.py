"""The ministry's part of the gateway API: the load-test history.

- ``POST /api/v1/ministry/load-runs`` (admin): record a load-test run (``make load`` does it).
- ``GET /api/v1/ministry/load-runs`` (ministry, admin): past runs, newest first.

Who may call them is in :data:`gateway.routes.OWN_ROUTES`; the dashboard page that shows them
with the reports is :mod:`gateway.ministry.pages`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common.api import Page, PageQuery

from ..routes import own_endpoint
from .models import EndpointFigures, LoadRun
from .schemas import LoadRunCreate, LoadRunRead, read_run

bp = Blueprint("ministry_api", __name__)
TAGS = ["ministry"]


@own_endpoint(
    bp,
    "POST",
    "/api/v1/ministry/load-runs",
    body=LoadRunCreate,
    response=LoadRunRead,
    status=201,
    tags=TAGS,
    errors={401: "not signed in", 403: "admins only"},
)
def create_load_run(body: LoadRunCreate) -> LoadRunRead:
    """Record a load-test run and its figures (admin)."""
    data = body.model_dump()
    endpoints = [EndpointFigures(**e) for e in data.pop("endpoints")]
    run = LoadRun(**data, endpoints=endpoints).save()
    return read_run(run)


@own_endpoint(
    bp,
    "GET",
    "/api/v1/ministry/load-runs",
    query=PageQuery,
    response=Page[LoadRunRead],
    tags=TAGS,
    errors={401: "not signed in", 403: "ministry and admin only"},
)
def list_load_runs(query: PageQuery) -> dict[str, Any]:
    """List recorded load-test runs, newest first (ministry, admin)."""
    runs = LoadRun.objects.order_by("-started_at")
    return {
        "items": [read_run(r) for r in runs.skip(query.offset).limit(query.limit)],
        "total": runs.count(),
        "limit": query.limit,
        "offset": query.offset,
    }
