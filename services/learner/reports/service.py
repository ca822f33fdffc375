"""The ministry's retraining reports: funnel, outcomes by programme and region, providers.

Who is counted and how is stated in :mod:`services.learner.reports.cohort`. Reports carry no
personal data: only counts, medians and group names. Every table goes through
:func:`services.common.reporting.protect` (small-cell and complementary suppression).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from services.common import listing
from services.common.reporting import RULE, Cell, count_cell, safe_rate

from . import running
from .cohort import BREAKDOWNS, STAGES, Cohort, recount
from .schemas import Filters
from .tally import Counts, Tally, median

ROW_FIELDS = (
    *STAGES,
    "completion_rate",
    "placement_rate_180d",
    "median_days_to_hire",
    "median_starting_salary",
)
Build = Callable[[Filters, Tally, dict[str, Tally]], dict[str, Any]]


def _envelope(filters: Filters, **body: Any) -> dict[str, Any]:
    return {
        "filters": filters.as_dict(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "suppression": RULE,
        **body,
    }


def _served(name: str, filters: Filters, build: Build) -> dict[str, Any]:
    """Answer a report from the running tallies (kept current from the feed), or the store."""
    if not listing.enabled():
        data = build(filters, *recount(filters))
        data["as_of"] = {"seq": None, "updated_at": data["generated_at"]}
        return data
    engine = running.engine()

    def compute() -> dict[str, Any]:
        tallies = engine.tallies(filters)
        return build(filters, tallies.whole, tallies.shares)

    return engine.report((name, filters), compute)


def _published_row(cells: dict[str, Cell], group: Counts) -> dict[str, Any]:
    return {
        **cells,
        "completion_rate": safe_rate(cells["completed"], cells["enrolled"]),
        "placement_rate_180d": safe_rate(cells["hired_180d"], cells["completed"]),
        "median_days_to_hire": median(group.days),
        "median_starting_salary": median(group.salaries),
        "salaries_reported": count_cell(sum(group.salaries.values())),
    }


def funnel(*, filters: Filters) -> dict[str, Any]:
    """Return the enrolled → completed → hired funnel of the filtered cohort."""
    return _served("funnel", filters, _funnel)


def _funnel(filters: Filters, tally: Tally, shares: dict[str, Tally]) -> dict[str, Any]:
    cohort = Cohort(filters, tally)
    cells = cohort.overall(filters.programme, filters.region)
    row = _published_row(cells, cohort.group(filters.programme, filters.region))
    stages = [{"stage": stage, "count": row[stage]} for stage in STAGES]
    return _envelope(filters, funnel=row, stages=stages)


def outcomes(*, filters: Filters) -> dict[str, Any]:
    """Return the funnel broken down by programme and by region."""
    return _served("outcomes", filters, _outcomes)


def _outcomes(filters: Filters, tally: Tally, shares: dict[str, Tally]) -> dict[str, Any]:
    cohort = Cohort(filters, tally)
    body: dict[str, Any] = {}
    for dim in BREAKDOWNS:
        table = cohort.table(filters.programme, filters.region, dim)
        rows = []
        for group in table.rows:
            people = cohort.group(
                group if dim == "programme" else filters.programme,
                group if dim == "region" else filters.region,
            )
            cells = {stage: table.cell(group, stage) for stage in STAGES}
            rows.append({"group": group, **_published_row(cells, people)})
        total = {stage: table.total(stage) for stage in STAGES}
        everyone = cohort.group(filters.programme, filters.region)
        body[f"by_{dim}"] = {"rows": rows, "total": _published_row(total, everyone)}
    return _envelope(filters, **body)


def providers(*, filters: Filters) -> dict[str, Any]:
    """Return course providers ranked by placement rate (hired within 180 days / completed)."""
    return _served("providers", filters, _providers)


def _providers(filters: Filters, tally: Tally, shares: dict[str, Tally]) -> dict[str, Any]:
    rows = []
    for name, share in shares.items():
        # Each provider's row is exactly what the funnel filtered by that provider publishes.
        cohort = Cohort(replace(filters, provider=name), share)
        people = cohort.group(filters.programme, filters.region)
        if not people.people:
            continue
        cells = cohort.overall(filters.programme, filters.region)
        rows.append({"provider": name, **_published_row(cells, people)})
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
