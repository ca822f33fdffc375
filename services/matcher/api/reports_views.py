"""HTTP views of the matcher's ministry reports (JSON, or CSV on request)."""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, current_app
from pydantic import Field

from services.common.api import Schema, endpoint
from services.common.errors import Unavailable
from services.common.reference import RegionSlug
from services.common.reporting import csv_response, wants_csv
from services.matcher.recommend import reports
from services.matcher.recommend.report_cache import ReportCache
from services.matcher.recommend.state import Matcher

bp = Blueprint("matcher_reports", __name__)
TAGS = ["reports"]


class SkillsGapQuery(Schema):
    """Which region, and how many skills."""

    region: RegionSlug | None = None
    top: int = Field(20, ge=1, le=200)
    format: Literal["json", "csv"] | None = None


class FairnessQuery(Schema):
    """How many learners to sample, with which seed, and the reach threshold."""

    sample: int = Field(200, ge=1, le=5000)
    seed: int = Field(42, ge=0)
    threshold: float = Field(0.5, ge=0, le=1, description="score counted as within reach")
    format: Literal["json", "csv"] | None = None


def _ready() -> Matcher:
    m: Matcher = current_app.extensions["matcher"]
    if m.state != "ready":
        raise Unavailable(f"the matcher is {m.state}", headers={"Retry-After": "5"})
    return m


@endpoint(bp, "GET", "/reports/skills-gap", query=SkillsGapQuery, tags=TAGS,
          errors={503: "indexes loading"})  # fmt: skip
def get_skills_gap(query: SkillsGapQuery) -> Any:
    """Report the skills open vacancies demand against the learners who hold them."""
    m = _ready()
    cache: ReportCache = current_app.extensions.setdefault("matcher_reports", ReportCache())
    data = cache.get(
        ("skills-gap", query.region, query.top),
        m,
        lambda: reports.skills_gap(m, region=query.region, top=query.top),
    )
    if wants_csv(query.format):
        rows = [
            {**r, "courses": "; ".join(c["title"] for c in r["courses"])} for r in data["skills"]
        ]
        header = ["skill", "label", "vacancies", "share_essential", "learners", "gap",
                  "courses_count", "courses"]  # fmt: skip
        return csv_response(header, rows, "skills-gap.csv")
    return data


@endpoint(bp, "GET", "/reports/fairness", query=FairnessQuery, tags=TAGS,
          errors={503: "indexes loading"})  # fmt: skip
def get_fairness(query: FairnessQuery) -> Any:
    """Report recommendation exposure by region, area and language, with disparity ratios."""
    data = reports.fairness(
        _ready(), sample=query.sample, seed=query.seed, threshold=query.threshold
    )
    if wants_csv(query.format):
        rows = []
        for dimension in ("by_region", "by_area", "by_language"):
            block = data[dimension]
            for group in block["groups"]:
                rows.append({"dimension": dimension[3:], **group})
            rows.append(
                {"dimension": dimension[3:], "group": "disparity_ratio", **block["disparity_ratio"]}
            )
        header = ["dimension", "group", "learners", *reports.METRICS]
        return csv_response(header, rows, "fairness.csv")
    return data
