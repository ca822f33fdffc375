"""Persistence of vacancies, with the salary invariant and the predicates their lists use."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Self

import mongoengine as me

from services.common.clock import utcnow
from services.common.reference import EMPLOYMENT_TYPES, LANGUAGE_LEVELS, LANGUAGES, REGION_SLUGS

from ..provenance import SOURCES, external_key
from ..settings import ALIAS

SCHEDULES = ("full-day", "shift", "flexible", "remote", "fly-in-fly-out")
EXPERIENCE = ("none", "1-3", "3-6", "6+")
SKILL_SOURCES = ("self", "course", "extracted")
VACANCY_STATUSES = ("open", "closed")


class VacancyQuerySet(me.QuerySet):
    """Vacancy queries that read like the filters they apply."""

    def open(self) -> Self:
        """Return the vacancies that take applications."""
        return self(status="open")

    def with_status(self, *statuses: str) -> Self:
        """Return the vacancies in any of these statuses."""
        if len(statuses) == 1:
            return self(status=statuses[0])
        return self(status__in=list(statuses))

    def for_employer(self, employer_id: Any) -> Self:
        """Return the vacancies of one employer."""
        return self(employer_id=employer_id)

    def in_region(self, regions: Sequence[str]) -> Self:
        """Return the vacancies in any of ``regions``."""
        return self(region__in=list(regions))

    def remote(self, flag: bool = True) -> Self:
        """Return the vacancies that are (or, with False, are not) remote."""
        return self(remote=flag)

    def speaking(self, codes: Sequence[str]) -> Self:
        """Return the vacancies asking for any of these language codes."""
        return self(languages__code__in=list(codes))

    def employing(self, types: Sequence[str]) -> Self:
        """Return the vacancies of any of these employment types."""
        return self(employment_type__in=list(types))

    def needing(self, skill_uris: Sequence[str]) -> Self:
        """Return the vacancies asking for any of these ESCO skills."""
        return self(skills__uri__in=list(skill_uris))

    def from_source(self, source: str) -> Self:
        """Return the vacancies posted by ``source`` ("employer" or "hh.kz")."""
        return self(source=source)

    def paying_at_least(self, salary: int) -> Self:
        """Return the vacancies whose range reaches ``salary`` at either end."""
        return self(me.Q(salary_max__gte=salary) | me.Q(salary_min__gte=salary))

    def mentioning(self, text: str) -> Self:
        """Return the vacancies whose title or description contains ``text``, ignoring case."""
        # The text is a literal, never a pattern: escaping keeps ".*" or "(" from a user inert.
        pattern = {"$regex": re.escape(text), "$options": "i"}
        return self(__raw__={"$or": [{"title": pattern}, {"description": pattern}]})

    def imported_as(self, source: str, external_id: str | None) -> Self:
        """Return the vacancy imported from ``source`` under ``external_id``."""
        return self(external_key=external_key(source, external_id))


class SkillRequirement(me.EmbeddedDocument):
    """A skill a vacancy asks for (ESCO uri when known)."""

    uri = me.StringField(max_length=500)
    label = me.StringField(required=True, max_length=300)
    essential = me.BooleanField(required=True, default=True)
    level = me.IntField(min_value=1, max_value=5)
    source = me.StringField(choices=SKILL_SOURCES, default="self")
    evidence = me.StringField(max_length=2000)
    confidence = me.FloatField(min_value=0, max_value=1)


class LanguageRequirement(me.EmbeddedDocument):
    """A language a vacancy asks for, optionally at a level."""

    code = me.StringField(required=True, choices=tuple(LANGUAGES))
    level = me.StringField(choices=LANGUAGE_LEVELS)


class SalaryOriginal(me.EmbeddedDocument):
    """The salary as published before conversion to KZT."""

    amount_from = me.IntField()
    amount_to = me.IntField()
    currency = me.StringField(required=True, max_length=8)
    period = me.StringField(max_length=20)
    rate = me.FloatField(required=True)


class Vacancy(me.Document):
    """A job an employer offers; open until closed, filled or deleted."""

    employer_id = me.ObjectIdField(required=True)
    title = me.StringField(required=True, max_length=300)
    description = me.StringField(default="", max_length=20_000)
    requirements = me.StringField(default="", max_length=20_000)
    skills = me.EmbeddedDocumentListField(SkillRequirement)
    region = me.StringField(required=True, choices=REGION_SLUGS)
    remote = me.BooleanField(required=True, default=False)
    salary_min = me.IntField(min_value=0)
    salary_max = me.IntField(min_value=0)
    salary_gross = me.BooleanField()
    salary_original = me.EmbeddedDocumentField(SalaryOriginal)
    employment_type = me.StringField(required=True, choices=EMPLOYMENT_TYPES, default="full")
    schedule = me.StringField(choices=SCHEDULES)
    experience = me.StringField(choices=EXPERIENCE)
    languages = me.EmbeddedDocumentListField(LanguageRequirement)
    professional_role = me.StringField(max_length=300)
    positions = me.IntField(required=True, min_value=1, default=1)
    hired_count = me.IntField(required=True, min_value=0, default=0)
    status = me.StringField(required=True, choices=VACANCY_STATUSES, default="open")
    closed_at = me.DateTimeField()
    source = me.StringField(required=True, choices=SOURCES, default="employer")
    external_id = me.StringField(max_length=100)
    external_url = me.StringField(max_length=500)
    external_key = me.StringField(unique=True, sparse=True)
    published_at = me.DateTimeField(required=True, default=utcnow)
    created_at = me.DateTimeField(required=True, default=utcnow)
    updated_at = me.DateTimeField(required=True, default=utcnow)

    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "vacancies",
        "indexes": [
            ("status", "-published_at"),
            "employer_id",
            "region",
            "skills.uri",
            "languages.code",
        ],
        "queryset_class": VacancyQuerySet,
    }

    def clean(self) -> None:
        """Check the salary range and derive the import key."""
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            raise me.ValidationError(errors={"salary_min": "salary_min must not exceed salary_max"})
        self.external_key = external_key(self.source, self.external_id)
