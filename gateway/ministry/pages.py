"""The ministry's dashboard: every report through the public API, charts, tables and CSV.

Reports are fetched as the signed-in user (so the API's policies apply) and drawn as
server-side SVG (no script, no CDN). Filters are checked here first so that a reversed date
range or a malformed date is a message in the page's language naming the field, not a 422.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, render_template, request

from services.common.errors import NotFound
from services.common.reference import PROGRAMMES, REGIONS
from services.common.reporting import SMALL

from ..i18n.web import format_moment, format_number
from ..pages import bp
from ..pages.present import problem_text
from ..pages.web import _, answer_problem, api, current_lang, page
from . import charts
from .models import LoadRun
from .schemas import read_run

REPORT_FILTERS = ("from", "to", "programme", "region", "provider")
# report name in the API -> its key in the dashboard's template and charts
REPORTS = {
    "funnel": "funnel",
    "outcomes": "outcomes",
    "providers": "providers",
    "skills-gap": "skills",
    "fairness": "fairness",
}
FAIRNESS_SAMPLE = 200
SKILLS_TOP = 15
LOAD_RUNS_SHOWN = 10


def read_filters() -> tuple[dict[str, str], list[str]]:
    """Return the dashboard's valid filters and, in the page's language, why others were dropped."""
    out: dict[str, str] = {}
    notes: list[str] = []
    dates: dict[str, date] = {}
    for key in REPORT_FILTERS:
        value = (request.args.get(key) or "").strip()[:100]
        if not value:
            continue
        if key in ("from", "to"):
            try:
                dates[key] = date.fromisoformat(value)
            except ValueError:
                label = _("ministry.from" if key == "from" else "ministry.to")
                notes.append(_("ministry.bad_date", field=label, value=value))
                continue
        if key == "programme" and value not in PROGRAMMES:
            continue
        if key == "region" and value not in {r.slug for r in REGIONS}:
            continue
        out[key] = value
    if "from" in dates and "to" in dates and dates["from"] > dates["to"]:
        notes.append(
            _("ministry.bad_range", from_label=_("ministry.from"), to_label=_("ministry.to"),
              start=out.pop("from"), end=out.pop("to"))
        )  # fmt: skip
    return out, notes


def report_query(name: str, filters: dict[str, str]) -> dict[str, Any]:
    """Return the query of one report: the dashboard's filters that the report takes."""
    if name == "skills-gap":
        query: dict[str, Any] = {"region": filters["region"]} if "region" in filters else {}
        return {**query, "top": SKILLS_TOP}
    if name == "fairness":
        return {"sample": FAIRNESS_SAMPLE}
    return dict(filters)


def _fetch(path: str, query: dict[str, Any]) -> tuple[Any, str | None]:
    """Fetch one report through the public API as the signed-in user; (data, error line)."""
    answer = api("GET", path, query=query)
    if answer.status >= 400:
        return None, problem_text(answer_problem(answer))
    return answer.json(), None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def reconcile(reports: dict[str, Any]) -> dict[str, Any] | None:
    """Compare the provider rows' sum with the funnel's people, for the page to explain."""
    funnel = _count(((reports.get("funnel") or {}).get("funnel") or {}).get("enrolled"))
    rows = (reports.get("providers") or {}).get("providers") or []
    if funnel is None or not rows:
        return None
    counts = [_count(r.get("enrolled")) for r in rows]
    shown = sum(c for c in counts if c is not None)
    return {
        "funnel": funnel,
        "rows": shown,
        "extra": shown - funnel,
        "hidden": any(c is None for c in counts),
    }


def load_summary(runs: list[dict[str, Any]]) -> str:
    """Return the last load run's figures as a sentence, or say there is none yet."""
    if not runs:
        return _("ministry.load_none_yet")
    last = runs[0]
    p95 = last.get("p95_ms")
    return _(
        "ministry.load_last",
        when=format_moment(last["started_at"]),
        users=last["users"],
        rps=format_number(last["rps"], 1),
        p95="—" if p95 is None else format_number(p95, 0),
        failures=last["failures"],
        requests=format_number(last["requests"]),
    )


@bp.get("/ministry")
@page("ministry")
def ministry_dashboard() -> str:
    """Show the ministry dashboard: funnel, outcomes, providers, skills gap, fairness, load."""
    filters, notes = read_filters()
    lang = current_lang()
    reports: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, key in REPORTS.items():
        data, error = _fetch(f"/reports/{name}", report_query(name, filters))
        reports[key] = data
        if error:
            errors[key] = error
    runs = LoadRun.objects.order_by("-started_at").limit(LOAD_RUNS_SHOWN)
    reports["load"] = [read_run(r).model_dump() for r in runs]
    funnel = (reports.get("funnel") or {}).get("funnel") or {}
    nobody_from_provider = "provider" in filters and funnel.get("enrolled") == 0
    return render_template(
        "ministry/dashboard.html",
        filters=filters,
        notes=notes,
        reports=reports,
        errors=errors,
        charts=charts.build(reports, lang),
        programmes=PROGRAMMES,
        regions=[(r.slug, getattr(r, f"name_{lang}", r.name_en)) for r in REGIONS],
        small=SMALL,
        csv_query=filters,
        reconciled=reconcile(reports),
        provider_unknown=nobody_from_provider,
        load_summary=load_summary(reports["load"]),
    )


@bp.get("/ministry/reports/<name>.csv")
@page("ministry")
def ministry_report_csv(name: str) -> Response:
    """Download a report as CSV from the dashboard (cookie sign-in, same policies as the API)."""
    if name not in REPORTS:
        raise NotFound(_("problem.not_found"))
    filters, _notes = read_filters()
    query = {**report_query(name, filters), "format": "csv"}
    answer = api("GET", f"/reports/{name}", query=query)
    if answer.status >= 400:
        raise answer_problem(answer)
    resp = Response(answer.body, mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return resp
