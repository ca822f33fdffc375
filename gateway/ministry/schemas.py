"""Request and response schemas of the ministry's load-run routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from services.common.api import ReadSchema, Schema
from services.common.clock import as_utc

from .models import LoadRun

# Bounds no real run comes near; they keep a figure printable (and a page from failing).
MAX_COUNT = 10**12
MAX_RPS = 10_000_000.0
MAX_MS = 100_000_000.0


class EndpointIn(Schema):
    """One endpoint's figures as locust measured them."""

    method: str = Field(max_length=10)
    name: str = Field(max_length=300)
    requests: int = Field(ge=0, le=MAX_COUNT)
    failures: int = Field(ge=0, le=MAX_COUNT)
    rps: float = Field(ge=0, le=MAX_RPS)
    p50_ms: float | None = Field(None, ge=0, le=MAX_MS)
    p95_ms: float | None = Field(None, ge=0, le=MAX_MS)
    p99_ms: float | None = Field(None, ge=0, le=MAX_MS)


class LoadRunCreate(Schema):
    """A finished load-test run (the summary `make load` writes)."""

    run_id: str | None = Field(None, max_length=40)
    started_at: datetime
    duration_s: float = Field(ge=0, le=7 * 24 * 3600)
    users: int = Field(ge=0, le=1_000_000)
    spawn_rate: float = Field(ge=0, le=MAX_RPS)
    target: str | None = Field(None, max_length=300)
    requests: int = Field(ge=0, le=MAX_COUNT)
    failures: int = Field(ge=0, le=MAX_COUNT)
    rps: float = Field(ge=0, le=MAX_RPS)
    p50_ms: float | None = Field(None, ge=0, le=MAX_MS)
    p95_ms: float | None = Field(None, ge=0, le=MAX_MS)
    p99_ms: float | None = Field(None, ge=0, le=MAX_MS)
    endpoints: list[EndpointIn] = Field(default_factory=list, max_length=200)


class EndpointRead(ReadSchema):
    """One endpoint's figures in a recorded run."""

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
    """Return a stored run as its read schema (times in UTC)."""
    return LoadRunRead.model_validate(
        {**run.to_mongo().to_dict(), "id": str(run.id), "started_at": as_utc(run.started_at)},
        from_attributes=False,
    )
