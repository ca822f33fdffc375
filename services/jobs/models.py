"""Persistence of the jobs service: employers, vacancies and applications, with invariants."""

from __future__ import annotations

from typing import Any

import mongoengine as me

from services.common.db import utcnow
from services.common.reference import LANGUAGE_LEVELS, LANGUAGES, REGION_SLUGS

from .bin import bin_problem
from .settings import ALIAS

SOURCES = ("employer", "hh.kz")
EMPLOYMENT_TYPES = ("full", "part", "project", "internship", "volunteer")
SCHEDULES = ("full-day", "shift", "flexible", "remote", "fly-in-fly-out")
EXPERIENCE = ("none", "1-3", "3-6", "6+")
SKILL_SOURCES = ("self", "course", "extracted")
VACANCY_STATUSES = ("open", "closed")
APPLICATION_STATUSES = ("applied", "interview", "offer", "hired", "rejected")
# The hiring state machine: status -> the statuses it may move to (hired, rejected are final).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "applied": ("interview", "offer", "rejected"),
    "interview": ("offer", "rejected"),
    "offer": ("hired", "rejected"),
    "hired": (),
    "rejected": (),
}


def external_key(source: str, external_id: str | None) -> str | None:
    """Return the unique key of a record imported from ``source``, if it has an external id."""
    return f"{source}:{external_id}" if external_id else None


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
    }

    def clean(self) -> None:
        """Check that an employer's own account has a valid BIN."""
        if self.bin is None:
            if self.source == "employer":
                raise me.ValidationError(errors={"bin": "a BIN is required for employer accounts"})
        elif (problem := bin_problem(self.bin)) is not None:
            raise me.ValidationError(errors={"bin": problem})
        self.external_key = external_key(self.source, self.external_id)


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


class Transition(me.EmbeddedDocument):
    """One step in an application's history."""

    from_status = me.StringField(choices=APPLICATION_STATUSES)
    to_status = me.StringField(required=True, choices=APPLICATION_STATUSES)
    at = me.DateTimeField(required=True, default=utcnow)
    note = me.StringField(max_length=2000)


class Application(me.Document):
    """A learner's application to a vacancy, moving through the hiring state machine."""

    learner_id = me.StringField(required=True, max_length=64)
    vacancy_id = me.ObjectIdField(required=True)
    employer_id = me.ObjectIdField(required=True)
    cover_letter = me.StringField(max_length=10_000)
    status = me.StringField(required=True, choices=APPLICATION_STATUSES, default="applied")
    history = me.EmbeddedDocumentListField(Transition)
    salary = me.IntField(min_value=0)
    hired_at = me.DateTimeField()
    created_at = me.DateTimeField(required=True, default=utcnow)
    updated_at = me.DateTimeField(required=True, default=utcnow)

    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "applications",
        "indexes": [
            {"fields": ["learner_id", "vacancy_id"], "unique": True},
            "vacancy_id",
            "status",
        ],
    }

    @property
    def allowed_transitions(self) -> list[str]:
        """Return the statuses this application may move to next."""
        return list(TRANSITIONS[self.status])
