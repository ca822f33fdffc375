"""The ministry's part of the gateway: load-test history (API) and the dashboard's data.

- ``POST /api/v1/ministry/load-runs`` (admin): record a load-test run (``make load`` does it).
- ``GET /api/v1/ministry/load-runs`` (ministry, admin): past runs, newest first.
- :func:`dashboard` renders ``/ministry``: reports fetched through the public API as the signed-in
  user (so the same policies apply), drawn as server-side SVG charts (no script, no CDN).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import mongoengine as me
from flask import Blueprint, Response, render_template, request
from pydantic import Field

from services.common.api import Page, PageQuery, ReadSchema, Schema, as_utc, endpoint
from services.common.errors import NotFound
from services.common.reference import PROGRAMMES, REGIONS
from services.common.reporting import SMALL

from . import ministry_charts as charts
from .auth import require_role
from .models import ALIAS
from .pages.web import api, current_lang, page

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


def _read(run: LoadRun) -> LoadRunRead:
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
    return _read(run)


@endpoint(bp, "GET", "/api/v1/ministry/load-runs", query=PageQuery, response=Page[LoadRunRead],
          tags=TAGS, errors={401: "not signed in", 403: "ministry and admin only"})  # fmt: skip
def list_load_runs(query: PageQuery) -> dict[str, Any]:
    """List recorded load-test runs, newest first (ministry, admin)."""
    require_role("ministry", "admin")
    runs = LoadRun.objects.order_by("-started_at")
    return {
        "items": [_read(r) for r in runs.skip(query.offset).limit(query.limit)],
        "total": runs.count(),
        "limit": query.limit,
        "offset": query.offset,
    }


# --- the dashboard ---------------------------------------------------------------------------

REPORT_FILTERS = ("from", "to", "programme", "region", "provider")
# report name in the API -> its key in the dashboard's template and charts
REPORTS = {
    "funnel": "funnel",
    "outcomes": "outcomes",
    "providers": "providers",
    "skills-gap": "skills",
    "fairness": "fairness",
}


def _filters() -> dict[str, str]:
    """Return the dashboard's filters from the query string (valid values only)."""
    out: dict[str, str] = {}
    for key in REPORT_FILTERS:
        value = (request.args.get(key) or "").strip()
        if not value:
            continue
        if key in ("from", "to"):
            try:
                date.fromisoformat(value)
            except ValueError:
                continue
        if key == "programme" and value not in PROGRAMMES:
            continue
        if key == "region" and value not in {r.slug for r in REGIONS}:
            continue
        out[key] = value[:100]
    return out


def _report_query(name: str, filters: dict[str, str]) -> dict[str, Any]:
    """Return the query of one report: the dashboard's filters that the report takes."""
    if name == "skills-gap":
        return {"region": filters["region"]} if "region" in filters else {}
    if name == "fairness":
        return {"sample": 200}
    return dict(filters)


def _fetch(path: str, query: dict[str, Any]) -> tuple[Any, str | None]:
    """Fetch one report through the public API as the signed-in user; (data, error)."""
    answer = api("GET", path, query=query)
    if answer.status >= 400:
        data = answer.json()
        detail = data.get("detail") if isinstance(data, dict) else None
        return None, f"{answer.status}: {detail or 'unavailable'}"
    return answer.json(), None


def dashboard() -> str:
    """Render the ministry dashboard (the page view in pages/ministry.py calls this)."""
    filters = _filters()
    lang = current_lang()
    reports: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, key in REPORTS.items():
        query = _report_query(name, filters)
        if name == "skills-gap":
            query["top"] = 15
        data, error = _fetch(f"/reports/{name}", query)
        reports[key] = data
        if error:
            errors[key] = error
    runs = LoadRun.objects.order_by("-started_at").limit(10)
    reports["load"] = [_read(r).model_dump() for r in runs]
    return render_template(
        "ministry_dashboard.html",
        filters=filters,
        reports=reports,
        errors=errors,
        charts=charts.build(reports, lang),
        programmes=PROGRAMMES,
        regions=[(r.slug, getattr(r, f"name_{lang}", r.name_en)) for r in REGIONS],
        small=SMALL,
        csv_query=filters,
    )


@bp.get("/ministry/reports/<name>.csv")
@page("ministry", "admin")
def download_report(name: str) -> Response:
    """Download a report as CSV from the dashboard (cookie sign-in, same policies as the API)."""
    if name not in REPORTS:
        raise NotFound("no such report")
    query = {**_report_query(name, _filters()), "format": "csv"}
    answer = api("GET", f"/reports/{name}", query=query)
    if answer.status >= 400:
        data = answer.json()
        detail = data.get("detail") if isinstance(data, dict) else "unavailable"
        return Response(str(detail), status=answer.status, mimetype="text/plain")
    resp = Response(answer.body, mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return resp
