"""The matcher's own copies of vacancies, learners and courses.

The copies hold only what matching needs (no names, no e-mails). Skills on them are plain dicts
``{"uri", "label", "essential"?, "source"}``: the requirement or profile already resolved to ESCO
URIs where possible, so the in-memory indexes rebuild from these documents alone.
"""

from __future__ import annotations

from typing import Any

import mongoengine as me

from services.matcher.db import ALIAS


def _check_skills(skills: list[dict[str, Any]], field: str) -> None:
    for i, skill in enumerate(skills):
        if not isinstance(skill, dict) or not skill.get("label"):
            raise me.ValidationError(f"{field}[{i}] needs a label", field_name=field)


class _Copy(me.Document):
    """What every matcher copy holds besides its own fields: resolved skills, tags, embedding."""

    id = me.StringField(primary_key=True)
    skills = me.ListField(me.DictField())
    tags = me.ListField(me.DictField())
    #: The text that was embedded (kept so a model change re-encodes without the producer).
    text = me.StringField(default="")
    #: Hash of what tagging read, so an unchanged replay or update skips the extractor.
    source_hash = me.StringField(default="")
    vector_key = me.StringField(null=True)
    #: Indexed by the interactive lane without tagging its free text (declared skills only);
    #: the deferred pass tags it and clears this (an answer using the row says "provisional").
    tags_pending = me.BooleanField(default=False)
    meta: dict[str, Any] = {"abstract": True}

    def clean(self) -> None:
        """Check every skill has a label."""
        _check_skills(self.skills, "skills")


class VacancyCopy(_Copy):
    """The matcher's copy of a jobs-service vacancy.

    ``skills`` is the resolved requirement: declared skills (label-only ones mapped to ESCO) or,
    when the vacancy declares none, skills extracted from its text.
    """

    status = me.StringField(default="open")
    title = me.StringField(default="")
    employer_id = me.StringField(null=True)
    region = me.StringField(null=True)
    remote = me.BooleanField(default=False)
    salary_min = me.IntField(null=True)
    salary_max = me.IntField(null=True)
    languages = me.ListField(me.StringField())
    employment_type = me.StringField(null=True)  # full, part, project, internship, volunteer
    language_levels = me.DictField()  # {code: level asked} where the vacancy states one
    meta = {"db_alias": ALIAS, "collection": "vacancies"}

    def clean(self) -> None:
        """Check every skill has a label and the salary range is ordered."""
        super().clean()
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            raise me.ValidationError("salary_min exceeds salary_max", field_name="salary_min")


class LearnerCopy(_Copy):
    """The matcher's copy of a learner profile (no personal data)."""

    region = me.StringField(null=True)
    programme = me.StringField(null=True)
    languages = me.ListField(me.StringField())
    language_levels = me.DictField()  # {code: CEFR level or "native"} where the profile states one
    consent = me.BooleanField(default=False)
    rejected_skills = me.ListField(me.StringField())
    desired_occupations = me.ListField(me.StringField())
    cv_hash = me.StringField(default="")
    #: CV hash whose tags were last written back to the learner service (loop guard).
    written_back_hash = me.StringField(default="")
    completed_courses = me.ListField(me.StringField())
    enrolled_courses = me.ListField(me.StringField())
    meta = {"db_alias": ALIAS, "collection": "learners"}


class CourseCopy(_Copy):
    """The matcher's copy of a learner-service course."""

    title = me.StringField(default="")
    provider = me.StringField(null=True)
    #: The teaching language paths and recommendations filter on (see entities.course_language).
    language = me.StringField(null=True)
    #: True when ``language`` was detected from the text rather than taken from the catalogue.
    language_detected = me.BooleanField(default=False)
    #: What the catalogue said (kept when the detection overrode it, or null).
    declared_language = me.StringField(null=True)
    hours = me.FloatField(null=True)
    active = me.BooleanField(default=True)
    prerequisites = me.ListField(me.StringField())
    meta = {"db_alias": ALIAS, "collection": "courses"}

    def clean(self) -> None:
        """Check skills have labels, hours are not negative and no course requires itself."""
        super().clean()
        if self.hours is not None and self.hours < 0:
            raise me.ValidationError("hours must not be negative", field_name="hours")
        self.prerequisites = [p for p in self.prerequisites if p != self.id]
