"""HTTP views of the ministry's retraining reports (JSON, or CSV on request)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from services.common.api import endpoint
from services.common.reporting import csv_response, wants_csv

from . import service
from .schemas import ReportQuery
from .service import ROW_FIELDS

bp = Blueprint("learner_reports", __name__)

TAGS = ["reports"]


@endpoint(bp, "GET", "/reports/funnel", query=ReportQuery, tags=TAGS)
def get_funnel(query: ReportQuery) -> Any:
    """Report the enrolled → completed → hired funnel (small cells suppressed)."""
    data = service.funnel(filters=query.filters())
    if wants_csv(query.format):
        rows = [{"metric": key, "value": data["funnel"][key]} for key in ROW_FIELDS]
        return csv_response(["metric", "value"], rows, "funnel.csv")
    return data


@endpoint(bp, "GET", "/reports/outcomes", query=ReportQuery, tags=TAGS)
def get_outcomes(query: ReportQuery) -> Any:
    """Report the funnel by programme and by region (complementary suppression)."""
    data = service.outcomes(filters=query.filters())
    if wants_csv(query.format):
        return _outcomes_csv(data)
    return data


@endpoint(bp, "GET", "/reports/providers", query=ReportQuery, tags=TAGS)
def get_providers(query: ReportQuery) -> Any:
    """Rank course providers by placement rate within 180 days of completion."""
    data = service.providers(filters=query.filters())
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
