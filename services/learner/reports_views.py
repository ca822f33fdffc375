"""HTTP views of the ministry's retraining reports (JSON, or CSV on request)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import Blueprint, Response
from pydantic import Field, model_validator

from services.common.api import Schema, endpoint
from services.common.reference import Programme, RegionSlug
from services.common.reporting import csv_response, wants_csv

from . import reports
from .reports import ROW_FIELDS, Filters

bp = Blueprint("learner_reports", __name__)

TAGS = ["reports"]


class ReportQuery(Schema):
    """Filters every retraining report accepts."""

    from_: date | None = Field(None, alias="from", description="enrolled on or after (ISO date)")
    to: date | None = Field(None, description="enrolled on or before (ISO date)")
    programme: Programme | None = None
    region: RegionSlug | None = None
    provider: str | None = Field(None, min_length=1, max_length=100, description="course provider")
    format: Literal["json", "csv"] | None = Field(
        None, description="csv for a download (or send Accept: text/csv)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ReportQuery:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError("`from` must not be after `to`")
        return self

    def filters(self) -> Filters:
        """Return the report filters these parameters describe."""
        return Filters(
            start=self.from_,
            end=self.to,
            programme=self.programme,
            region=self.region,
            provider=self.provider,
        )


@endpoint(bp, "GET", "/reports/funnel", query=ReportQuery, tags=TAGS)
def get_funnel(query: ReportQuery) -> Any:
    """Report the enrolled → completed → hired funnel (small cells suppressed)."""
    data = reports.funnel(filters=query.filters())
    if wants_csv(query.format):
        rows = [{"metric": key, "value": data["funnel"][key]} for key in ROW_FIELDS]
        return csv_response(["metric", "value"], rows, "funnel.csv")
    return data


@endpoint(bp, "GET", "/reports/outcomes", query=ReportQuery, tags=TAGS)
def get_outcomes(query: ReportQuery) -> Any:
    """Report the funnel by programme and by region (complementary suppression)."""
    data = reports.outcomes(filters=query.filters())
    if wants_csv(query.format):
        return _outcomes_csv(data)
    return data


@endpoint(bp, "GET", "/reports/providers", query=ReportQuery, tags=TAGS)
def get_providers(query: ReportQuery) -> Any:
    """Rank course providers by placement rate within 180 days of completion."""
    data = reports.providers(filters=query.filters())
    if wants_csv(query.format):
        header = ["rank", "provider", *ROW_FIELDS]
        return csv_response(header, data["providers"], "providers.csv")
    return data


def _outcomes_csv(data: dict[str, Any]) -> Response:
    rows = []
    for dimension in ("programme", "region"):
        block = data[f"by_{dimension}"]
        for row in block["rows"]:
            rows.append({"dimension": dimension, **row})
        rows.append({"dimension": dimension, "group": "total", **block["total"]})
    header = ["dimension", "group", *ROW_FIELDS]
    return csv_response(header, rows, "outcomes.csv")
