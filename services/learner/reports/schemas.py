"""Filters of the retraining reports: the query parameters, and what a report sees of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from services.common.api import Schema
from services.common.reference import Programme, RegionSlug


@dataclass(frozen=True)
class Filters:
    """What a report is restricted to."""

    start: date | None = None
    end: date | None = None
    programme: str | None = None
    region: str | None = None
    provider: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the filters as they are echoed in a report."""
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "programme": self.programme,
            "region": self.region,
            "provider": self.provider,
        }


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
