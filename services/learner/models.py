"""Stored documents of the learner service: learners, courses, enrolments, outcomes."""

from __future__ import annotations

import mongoengine as me

from services.common.db import utcnow
from services.common.reference import LANGUAGE_LEVELS, LANGUAGES, PROGRAMMES, REGION_SLUGS

from .settings import ALIAS

SKILL_SOURCES = ("self", "course", "extracted")
COURSE_LEVELS = ("beginner", "intermediate", "advanced")
ENROLMENT_STATUSES = ("enrolled", "completed", "dropped")


class SkillEntry(me.EmbeddedDocument):
    """A skill on a learner's profile, with where it came from."""

    uri = me.StringField(null=True, max_length=300)
    label = me.StringField(required=True, max_length=300)
    level = me.IntField(null=True, min_value=1, max_value=5)
    source = me.StringField(required=True, choices=SKILL_SOURCES)
    evidence = me.StringField(null=True, max_length=2000)
    confidence = me.FloatField(null=True, min_value=0.0, max_value=1.0)


class LanguageEntry(me.EmbeddedDocument):
    """A language the learner speaks, at a CEFR level or native."""

    code = me.StringField(required=True, choices=tuple(LANGUAGES))
    level = me.StringField(required=True, choices=LANGUAGE_LEVELS)


class DesiredOccupation(me.EmbeddedDocument):
    """An occupation the learner aims at: an ESCO URI, a free title, or both."""

    uri = me.StringField(null=True, max_length=300)
    title = me.StringField(null=True, max_length=300)

    def clean(self) -> None:
        """Require at least one of uri and title."""
        if not self.uri and not self.title:
            raise me.ValidationError("give an ESCO occupation uri or a title", field_name="uri")


class Learner(me.Document):
    """A learner's profile. Personal data (name, email, CV) never leaves through the feed."""

    name = me.StringField(required=True, max_length=200)
    email = me.StringField(required=True, max_length=254)
    # Lower-cased email: uniqueness is case-insensitive, the address keeps its spelling.
    email_key = me.StringField(required=True, unique=True, max_length=254)
    region = me.StringField(required=True, choices=REGION_SLUGS)
    programme = me.StringField(required=True, choices=tuple(PROGRAMMES))
    cohort = me.StringField(null=True, max_length=40)
    languages = me.EmbeddedDocumentListField(LanguageEntry)
    skills = me.EmbeddedDocumentListField(SkillEntry)
    rejected_skills = me.ListField(me.StringField(max_length=300))
    desired_occupations = me.EmbeddedDocumentListField(DesiredOccupation)
    cv_text = me.StringField(null=True, max_length=20_000)
    consent = me.BooleanField(default=False)
    consent_at = me.DateTimeField(null=True)
    created_at = me.DateTimeField(default=utcnow)
    updated_at = me.DateTimeField(default=utcnow)

    meta = {
        "db_alias": ALIAS,
        "collection": "learners",
        "indexes": ["region", "programme", "skills.uri"],
    }

    def clean(self) -> None:
        """Keep one entry per language and the email key in step with the email."""
        codes = [lang.code for lang in self.languages]
        if len(codes) != len(set(codes)):
            raise me.ValidationError("each language may appear once", field_name="languages")
        self.email_key = self.email.strip().lower()


class CourseSkill(me.EmbeddedDocument):
    """A skill a course teaches: a label, and an ESCO URI once mapped."""

    uri = me.StringField(null=True, max_length=300)
    label = me.StringField(required=True, max_length=300)


class Course(me.Document):
    """A course from a provider's catalogue or a local programme."""

    provider = me.StringField(required=True, max_length=100)
    external_id = me.StringField(null=True, max_length=300)
    title = me.StringField(required=True, max_length=300)
    description = me.StringField(null=True, max_length=20_000)
    institution = me.StringField(null=True, max_length=200)
    subject = me.StringField(null=True, max_length=200)
    language = me.StringField(required=True, max_length=8)
    hours = me.FloatField(required=True, min_value=0.0)
    level = me.StringField(required=True, choices=COURSE_LEVELS)
    price_kzt = me.IntField(null=True, min_value=0)
    certificate_price_kzt = me.IntField(null=True, min_value=0)
    state_funded = me.BooleanField(default=False)
    skills = me.EmbeddedDocumentListField(CourseSkill)
    prerequisites = me.ListField(me.StringField(max_length=24))
    url = me.StringField(null=True, max_length=1000)
    created_at = me.DateTimeField(default=utcnow)
    updated_at = me.DateTimeField(default=utcnow)

    meta = {
        "db_alias": ALIAS,
        "collection": "courses",
        "indexes": [("provider", "external_id"), "title", "skills.uri"],
    }

    def clean(self) -> None:
        """Keep hours positive and a course out of its own prerequisites."""
        if self.hours is not None and self.hours <= 0:
            raise me.ValidationError("hours must be positive", field_name="hours")
        if self.id is not None and str(self.id) in self.prerequisites:
            raise me.ValidationError(
                "a course cannot be its own prerequisite", field_name="prerequisites"
            )


class Enrolment(me.Document):
    """A learner on a course: enrolled, then completed or dropped.

    Region and programme are copied at enrolment so the row still counts in the ministry's
    statistics after the learner is deleted and ``learner_id`` becomes a pseudonym.
    """

    learner_id = me.StringField(required=True, max_length=40)
    course_id = me.StringField(required=True, max_length=24)
    status = me.StringField(required=True, choices=ENROLMENT_STATUSES, default="enrolled")
    enrolled_at = me.DateTimeField(default=utcnow)
    completed_at = me.DateTimeField(null=True)
    dropped_at = me.DateTimeField(null=True)
    grade = me.FloatField(null=True, min_value=0.0, max_value=100.0)
    region = me.StringField(null=True, choices=REGION_SLUGS)
    programme = me.StringField(null=True, choices=tuple(PROGRAMMES))
    anonymised = me.BooleanField(default=False)

    meta = {
        "db_alias": ALIAS,
        "collection": "enrolments",
        "indexes": ["learner_id", "course_id", "status"],
    }


class Outcome(me.Document):
    """A hire of a learner, learned from the jobs feed (one per application)."""

    application_id = me.StringField(required=True, unique=True, max_length=40)
    learner_id = me.StringField(required=True, max_length=40)
    employer_id = me.StringField(null=True, max_length=40)
    employer_name = me.StringField(null=True, max_length=300)
    vacancy_id = me.StringField(null=True, max_length=40)
    vacancy_title = me.StringField(null=True, max_length=300)
    region = me.StringField(null=True, max_length=40)
    salary = me.IntField(null=True, min_value=0)
    hired_at = me.DateTimeField(required=True)
    programme = me.StringField(null=True, choices=tuple(PROGRAMMES))
    learner_region = me.StringField(null=True, choices=REGION_SLUGS)
    anonymised = me.BooleanField(default=False)
    recorded_at = me.DateTimeField(default=utcnow)

    meta = {"db_alias": ALIAS, "collection": "outcomes", "indexes": ["learner_id"]}
