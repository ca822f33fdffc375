"""Persistence of employers, with the BIN invariant and the predicates their lists use."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Self

import mongoengine as me

from services.common.clock import utcnow
from services.common.reference import REGION_SLUGS

from ..provenance import SOURCES, external_key
from ..settings import ALIAS
from .bin import bin_problem


class EmployerQuerySet(me.QuerySet):
    """Employer queries that read like the filters they apply."""

    def in_region(self, regions: Sequence[str]) -> Self:
        """Return the employers in any of ``regions``."""
        return self(region__in=list(regions))

    def in_sector(self, sector: str) -> Self:
        """Return the employers of exactly this sector."""
        return self(sector=sector)

    def from_source(self, source: str) -> Self:
        """Return the employers created by ``source`` ("employer" or "hh.kz")."""
        return self(source=source)

    def with_bin(self, bin_: str) -> Self:
        """Return the employer with this BIN (at most one: the BIN is unique)."""
        return self(bin=bin_)

    def other_than(self, employer_id: Any) -> Self:
        """Return the employers except the one with ``employer_id`` (None excludes nothing)."""
        return self(id__ne=employer_id)

    def named_like(self, text: str) -> Self:
        """Return the employers whose name contains ``text``, ignoring case."""
        # The text is a literal, never a pattern: escaping keeps ".*" or "(" from a user inert.
        return self(__raw__={"name": {"$regex": re.escape(text), "$options": "i"}})

    def imported_as(self, source: str, external_id: str) -> Self:
        """Return the employer imported from ``source`` under ``external_id``."""
        return self(external_key=external_key(source, external_id))


class Employer(me.Document):
    """A company that posts vacancies; BIN is required unless it was imported from hh.kz."""

    name = me.StringField(required=True, max_length=300)
    # hh.kz publishes no BINs, so imported employers have none; a null is simply not stored,
    # which keeps the sparse unique index out of their way.
    bin = me.StringField(unique=True, sparse=True)
    region = me.StringField(required=True, choices=REGION_SLUGS)
    sector = me.StringField(max_length=200)
    website = me.StringField(max_length=500)
    contact_email = me.StringField(max_length=320)
    source = me.StringField(required=True, choices=SOURCES, default="employer")
    external_id = me.StringField(max_length=100)
    external_key = me.StringField(unique=True, sparse=True)
    created_at = me.DateTimeField(required=True, default=utcnow)
    updated_at = me.DateTimeField(required=True, default=utcnow)

    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "employers",
        "indexes": ["name", "region"],
        "ordering": ["name"],
        "queryset_class": EmployerQuerySet,
    }

    def clean(self) -> None:
        """Check that an employer's own account has a valid BIN."""
        if self.bin is None:
            if self.source == "employer":
                raise me.ValidationError(errors={"bin": "a BIN is required for employer accounts"})
        elif (problem := bin_problem(self.bin)) is not None:
            raise me.ValidationError(errors={"bin": problem})
        self.external_key = external_key(self.source, self.external_id)
