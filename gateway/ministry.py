"""The ministry's part of the gateway API: the load-test history.

- ``POST /api/v1/ministry/load-runs`` (admin): record a load-test run (``make load`` does it).
- ``GET /api/v1/ministry/load-runs`` (ministry, admin): past runs, newest first.

The dashboard page that shows them with the reports is :mod:`gateway.pages.ministry`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import mongoengine as me
from flask import Blueprint
from pydantic import Field

from services.common.api import Page, PageQuery, ReadSchema, Schema, as_utc, endpoint

from .auth import require_role
from .models import ALIAS

bp = Blueprint("ministry_api", __name__)
TAGS = ["ministry"]


def _now() -> datetime:
    return datetime.now(UTC)


class EndpointFigures(me.EmbeddedDocument):
    """One endpoint's figures in a load run."""

    method = me.StringField(max_length=10)
    name = me.StringField(max_length=300)
    requests = me.IntField(min_value=0)
    failures = me.IntField(min_value=0)
    rps = me.FloatField(min_value=0)
    p50_ms = me.FloatField(null=True)
    p95_ms = me.FloatField(null=True)
    p99_ms = me.FloatField(null=True)


class LoadRun(me.Document):
    """A load test of the suite and what it measured."""

    run_id = me.StringField(max_length=40)
    started_at = me.DateTimeField(required=True)
    duration_s = me.FloatField(min_value=0)
    users = me.IntField(min_value=0)
    spawn_rate = me.FloatField(min_value=0)
    target = me.StringField(null=True, max_length=300)
    requests = me.IntField(min_value=0)
    failures = me.IntField(min_value=0)
    rps = me.FloatField(min_value=0)
    p50_ms = me.FloatField(null=True)
    p95_ms = me.FloatField(null=True)
    p99_ms = me.FloatField(null=True)
    endpoints = me.EmbeddedDocumentListField(EndpointFigures)
    recorded_at = me.DateTimeField(default=_now)
    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "load_runs",
        "indexes": ["-started_at"],
    }


class EndpointIn(Schema):
    """One endpoint's figures as locust measured them."""

    method: str = Field(max_length=10)
    name: str = Field(max_length=300)
    requests: int = Field(ge=0)
    failures: int = Field(ge=0)
    rps: float = Field(ge=0)
    p50_ms: float | None = Field(None, ge=0)
    p95_ms: float | None = Field(None, ge=0)
    p99_ms: float | None = Field(None, ge=0)


class LoadRunCreate(Schema):
    """A finished load-test run (the summary scripts/load.py writes)."""

    run_id: str | None = Field(None, max_length=40)
    started_at: datetime
    duration_s: float = Field(ge=0, le=7 * 24 * 3600)
    users: int = Field(ge=0, le=1_000_000)
    spawn_rate: float = Field(ge=0)
    target: str | None = Field(None, max_length=300)
    requests: int = Field(ge=0)
    failures: int = Field(ge=0)
    rps: float = Field(ge=0)
    p50_ms: float | None = Field(None, ge=0)
    p95_ms: float | None = Field(None, ge=0)
    p99_ms: float | None = Field(None, ge=0)
    endpoints: list[EndpointIn] = Field(default_factory=list, max_length=200)


class EndpointRead(ReadSchema):
    method: str
    name: str
    requests: int
    failures: int
    rps: float
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None


class LoadRunRead(ReadSchema):
    """A recorded load-test run."""

    id: str
    run_id: str | None = None
    started_at: datetime
    duration_s: float
    users: int
    spawn_rate: float
    target: str | None = None
    requests: int
    failures: int
    rps: float
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    endpoints: list[EndpointRead] = []


def read_run(run: LoadRun) -> LoadRunRead:
    return LoadRunRead.model_validate(
        {**run.to_mongo().to_dict(), "id": str(run.id), "started_at": as_utc(run.started_at)},
        from_attributes=False,
    )


@endpoint(bp, "POST", "/api/v1/ministry/load-runs", body=LoadRunCreate, response=LoadRunRead,
          status=201, tags=TAGS, errors={401: "not signed in", 403: "admins only"})  # fmt: skip
def create_load_run(body: LoadRunCreate) -> LoadRunRead:
    """Record a load-test run and its figures (admin)."""
    require_role("admin")
    data = body.model_dump()
    endpoints = [EndpointFigures(**e) for e in data.pop("endpoints")]
    run = LoadRun(**data, endpoints=endpoints).save()
    return read_run(run)


@endpoint(bp, "GET", "/api/v1/ministry/load-runs", query=PageQuery, response=Page[LoadRunRead],
          tags=TAGS, errors={401: "not signed in", 403: "ministry and admin only"})  # fmt: skip
def list_load_runs(query: PageQuery) -> dict[str, Any]:
    """List recorded load-test runs, newest first (ministry, admin)."""
    require_role("ministry", "admin")
    runs = LoadRun.objects.order_by("-started_at")
    return {
        "items": [read_run(r) for r in runs.skip(query.offset).limit(query.limit)],
        "total": runs.count(),
        "limit": query.limit,
        "offset": query.offset,
    }
