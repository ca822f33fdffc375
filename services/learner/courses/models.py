"""Stored courses of the catalogue and the skills they teach."""

from __future__ import annotations

from collections.abc import Iterable

import mongoengine as me
from mongoengine.queryset.visitor import Q

from services.common.clock import utcnow
from services.common.providers import provider_key

from ..settings import ALIAS

COURSE_LEVELS = ("beginner", "intermediate", "advanced")


class CourseSkill(me.EmbeddedDocument):
    """A skill a course teaches: a label, and an ESCO URI once mapped."""

    uri = me.StringField(null=True, max_length=300)
    label = me.StringField(required=True, max_length=300)


class CourseQuerySet(me.QuerySet):
    """Course queries that read like predicates (a list argument matches any of its values)."""

    def current(self) -> CourseQuerySet:
        """Keep courses that are not retired (a course stored before retirement existed too)."""
        return self.filter(retired__ne=True)

    def from_providers(self, providers: Iterable[str]) -> CourseQuerySet:
        """Keep courses of any of ``providers``."""
        return self.filter(provider__in=list(providers))

    def taught_in(self, languages: Iterable[str]) -> CourseQuerySet:
        """Keep courses taught in any of ``languages``."""
        return self.filter(language__in=list(languages))

    def at_levels(self, levels: Iterable[str]) -> CourseQuerySet:
        """Keep courses of any of ``levels``."""
        return self.filter(level__in=list(levels))

    def free(self, free: bool = True) -> CourseQuerySet:
        """Keep courses free to the learner (price 0 or state-funded); ``False``: the others."""
        if free:
            return self.filter(Q(price_kzt=0) | Q(state_funded=True))
        return self.filter(state_funded=False, price_kzt__ne=0)

    def state_funded(self, funded: bool = True) -> CourseQuerySet:
        """Keep courses the state pays for (or, with ``False``, those it does not)."""
        return self.filter(state_funded=funded)

    def at_most_hours(self, hours: float) -> CourseQuerySet:
        """Keep courses of at most ``hours`` study hours."""
        return self.filter(hours__lte=hours)

    def teaching(self, skills: Iterable[str]) -> CourseQuerySet:
        """Keep courses teaching any of ``skills`` (ESCO URIs or labels)."""
        wanted = list(skills)
        return self.filter(Q(skills__uri__in=wanted) | Q(skills__label__in=wanted))

    def mentioning(self, text: str) -> CourseQuerySet:
        """Keep courses whose title or description contains ``text`` (literally, any case)."""
        # icontains escapes the text: it is matched literally, never as a pattern.
        return self.filter(Q(title__icontains=text) | Q(description__icontains=text))

    def of_provider(self, key: str) -> CourseQuerySet:
        """Keep the courses of the provider with this key (see services.common.providers)."""
        return self.filter(provider_key=key)

    def imported_as(self, provider: str, external_id: str) -> CourseQuerySet:
        """Keep the course ``provider`` knows by ``external_id``."""
        return self.filter(provider=provider, external_id=external_id)

    def requiring(self, course_id: str) -> CourseQuerySet:
        """Keep courses that have ``course_id`` among their prerequisites."""
        return self.filter(prerequisites=course_id)


class Course(me.Document):
    """A course from a provider's catalogue or a local programme."""

    provider = me.StringField(required=True, max_length=100)
    # The provider's name normalised (services.common.providers): what a provider account owns.
    provider_key = me.StringField(null=True, max_length=100)
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
    # A retired course stays readable (its enrolments and history are kept) but takes no new
    # enrolments.
    retired = me.BooleanField(default=False)
    created_at = me.DateTimeField(default=utcnow)
    updated_at = me.DateTimeField(default=utcnow)

    meta = {
        "db_alias": ALIAS,
        "collection": "courses",
        "indexes": [("provider", "external_id"), "provider_key", "title", "skills.uri"],
        "queryset_class": CourseQuerySet,
    }

    def clean(self) -> None:
        """Keep hours positive, the provider key current, a course out of its prerequisites."""
        if self.provider:
            self.provider_key = provider_key(self.provider)
        if self.hours is not None and self.hours <= 0:
            raise me.ValidationError("hours must be positive", field_name="hours")
        if self.id is not None and str(self.id) in self.prerequisites:
            raise me.ValidationError(
                "a course cannot be its own prerequisite", field_name="prerequisites"
            )
