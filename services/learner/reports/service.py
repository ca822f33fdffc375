"""The ministry's retraining reports: funnel, outcomes by programme and region, providers.

Who is counted and how is stated in :mod:`services.learner.reports.cohort`. Reports carry no
personal data: only counts, medians and group names. Every table goes through
:func:`services.common.reporting.protect` (small-cell and complementary suppression).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from services.common import listing
from services.common.reporting import RULE, Cell, count_cell, safe_median, safe_rate

from . import aggregates
from .cohort import BREAKDOWNS, STAGES, WINDOWS, Cohort, Entry, Person, entries_of, hires_of
from .schemas import Filters

ROW_FIELDS = (
    *STAGES,
    "completion_rate",
    "placement_rate_180d",
    "median_days_to_hire",
    "median_starting_salary",
)


def _envelope(filters: Filters, **body: Any) -> dict[str, Any]:
    return {
        "filters": filters.as_dict(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "suppression": RULE,
        **body,
    }


def _served(name: str, filters: Filters, build: Callable[[Cohort], dict[str, Any]]) -> Any:
    """Answer a report from the in-memory counted rows (memoised), or from the store."""
    if not listing.enabled():
        data = build(Cohort(filters))
        data["as_of"] = {"seq": None, "updated_at": data["generated_at"]}
        return data
    snap = aggregates.snapshot()

    def compute() -> dict[str, Any]:
        data = build(Cohort(filters, entries_of(snap, filters), hires_of(snap)))
        data["as_of"] = snap.as_of()
        return data

    return aggregates.memo(snap, (name, filters), compute)


def _published_row(cells: dict[str, Cell], people: list[Person]) -> dict[str, Any]:
    hired = [p for p in people if p.hire_days is not None and p.hire_days <= max(WINDOWS)]
    salaries = [p.salary for p in hired if p.salary is not None]
    return {
        **cells,
        "completion_rate": safe_rate(cells["completed"], cells["enrolled"]),
        "placement_rate_180d": safe_rate(cells["hired_180d"], cells["completed"]),
        "median_days_to_hire": safe_median([float(p.hire_days or 0) for p in hired]),
        "median_starting_salary": safe_median([float(s) for s in salaries]),
        "salaries_reported": count_cell(len(salaries)),
    }


def funnel(*, filters: Filters) -> dict[str, Any]:
    """Return the enrolled → completed → hired funnel of the filtered cohort."""
    return dict(_served("funnel", filters, _funnel))


def _funnel(cohort: Cohort) -> dict[str, Any]:
    filters = cohort.filters
    cells = cohort.overall(filters.programme, filters.region)
    people = list(cohort.people(filters.programme, filters.region).values())
    row = _published_row(cells, people)
    stages = [{"stage": stage, "count": row[stage]} for stage in STAGES]
    return _envelope(filters, funnel=row, stages=stages)


def outcomes(*, filters: Filters) -> dict[str, Any]:
    """Return the funnel broken down by programme and by region."""
    return dict(_served("outcomes", filters, _outcomes))


def _outcomes(cohort: Cohort) -> dict[str, Any]:
    filters = cohort.filters
    body: dict[str, Any] = {}
    for dim in BREAKDOWNS:
        table = cohort.table(filters.programme, filters.region, dim)
        rows = []
        for group in table.rows:
            people = cohort.people(
                group if dim == "programme" else filters.programme,
                group if dim == "region" else filters.region,
            )
            cells = {stage: table.cell(group, stage) for stage in STAGES}
            rows.append({"group": group, **_published_row(cells, list(people.values()))})
        total = {stage: table.total(stage) for stage in STAGES}
        everyone = list(cohort.people(filters.programme, filters.region).values())
        body[f"by_{dim}"] = {"rows": rows, "total": _published_row(total, everyone)}
    return _envelope(filters, **body)


def providers(*, filters: Filters) -> dict[str, Any]:
    """Return course providers ranked by placement rate (hired within 180 days / completed)."""
    return dict(_served("providers", filters, _providers))


def _providers(everyone: Cohort) -> dict[str, Any]:
    filters = everyone.filters
    by_provider: dict[str, list[Entry]] = defaultdict(list)
    for entry in everyone.entries:
        by_provider[entry.provider or "unknown"].append(entry)
    rows = []
    for name, entries in by_provider.items():
        # Each provider's row is exactly what the funnel filtered by that provider publishes.
        cohort = Cohort(replace(filters, provider=name), entries, everyone.hires)
        people = cohort.people(filters.programme, filters.region)
        if not people:
            continue
        cells = cohort.overall(filters.programme, filters.region)
        rows.append({"provider": name, **_published_row(cells, list(people.values()))})
    ranked = sorted(
        (r for r in rows if r["placement_rate_180d"] is not None),
        key=lambda r: (-r["placement_rate_180d"], -r["completed"], r["provider"]),
    )
    unranked = sorted(
        (r for r in rows if r["placement_rate_180d"] is None), key=lambda r: r["provider"]
    )
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    for row in unranked:
        row["rank"] = None
    return _envelope(filters, providers=ranked + unranked)
