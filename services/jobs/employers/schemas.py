"""Request and response schemas of employers (they also make the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from services.common.api import Id, PageQuery, ReadSchema, Schema, UtcDateTime
from services.common.emails import Email
from services.common.reference import RegionSlug

from ..fields import WEBSITE, PartialUpdate
from ..provenance import Source
from .bin import bin_problem


def _check_bin(value: str) -> str:
    problem = bin_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Bin = Annotated[str, AfterValidator(_check_bin)]


class EmployerCreate(Schema):
    """An employer's own account; the BIN (12 digits, valid check digit) is required."""

    name: str = Field(min_length=1, max_length=300)
    bin: Bin = Field(description="business identification number: 12 digits, mod-11 check digit")
    region: RegionSlug
    sector: str = Field(min_length=1, max_length=200)
    website: str | None = Field(None, max_length=500, pattern=WEBSITE)
    contact_email: Email | None = None


class EmployerUpdate(PartialUpdate):
    """Change some fields of an employer."""

    NULLABLE = frozenset({"website", "contact_email", "sector"})

    name: str | None = Field(None, min_length=1, max_length=300)
    bin: Bin | None = None
    region: RegionSlug | None = None
    sector: str | None = Field(None, min_length=1, max_length=200)
    website: str | None = Field(None, max_length=500, pattern=WEBSITE)
    contact_email: Email | None = None


class EmployerRead(ReadSchema):
    """An employer; ``bin`` is null only for employers imported from hh.kz (source="hh.kz")."""

    id: Id
    name: str
    bin: str | None
    region: str
    sector: str | None
    website: str | None
    contact_email: str | None
    source: Source
    external_id: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class EmployerQuery(PageQuery):
    """Filters of the employer list."""

    region: list[RegionSlug] | None = Field(None, description="any of these regions")
    sector: str | None = Field(None, max_length=200, description="exact sector")
    source: Source | None = None
    bin: str | None = Field(None, max_length=12)
    q: str | None = Field(None, max_length=200, description="text in the name")
