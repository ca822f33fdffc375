"""Stored learner profiles, their embedded skills, languages and target occupations."""

from __future__ import annotations

from collections.abc import Iterable

import mongoengine as me
from mongoengine.queryset.visitor import Q

from services.common.clock import utcnow
from services.common.emails import email_key
from services.common.languages import LANGUAGE_ONCE
from services.common.reference import LANGUAGE_LEVELS, LANGUAGES, PROGRAMMES, REGION_SLUGS

from ..settings import ALIAS

SKILL_SOURCES = ("self", "course", "extracted")


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


class LearnerQuerySet(me.QuerySet):
    """Learner queries that read like predicates (a list argument matches any of its values)."""

    def in_regions(self, regions: Iterable[str]) -> LearnerQuerySet:
        """Keep learners living in any of ``regions``."""
        return self.filter(region__in=list(regions))

    def in_programmes(self, programmes: Iterable[str]) -> LearnerQuerySet:
        """Keep learners of any of ``programmes``."""
        return self.filter(programme__in=list(programmes))

    def of_cohort(self, cohort: str) -> LearnerQuerySet:
        """Keep learners of one intake."""
        return self.filter(cohort=cohort)

    def speaking(self, codes: Iterable[str]) -> LearnerQuerySet:
        """Keep learners who speak any of the language ``codes``."""
        return self.filter(languages__code__in=list(codes))

    def with_skills(self, uris: Iterable[str]) -> LearnerQuerySet:
        """Keep learners with any of the skill ``uris`` on their profile."""
        return self.filter(skills__uri__in=list(uris))

    def consenting(self, consent: bool = True) -> LearnerQuerySet:
        """Keep learners who consent to be found (or, with ``False``, who do not)."""
        return self.filter(consent=consent)

    def mentioning(self, text: str) -> LearnerQuerySet:
        """Keep learners whose name or email contains ``text`` (literally, any case)."""
        # icontains escapes the text, so "a.*" or "$gt" match literally, never as patterns.
        return self.filter(Q(name__icontains=text) | Q(email_key__icontains=text.lower()))

    def with_email(self, email: str) -> LearnerQuerySet:
        """Keep the learner registered under ``email`` (emails are case-insensitive)."""
        return self.filter(email_key=email_key(email))


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
        "queryset_class": LearnerQuerySet,
    }

    def clean(self) -> None:
        """Keep one entry per language and the email key in step with the email."""
        codes = [lang.code for lang in self.languages]
        if len(codes) != len(set(codes)):
            raise me.ValidationError(LANGUAGE_ONCE, field_name="languages")
        self.email_key = email_key(self.email)
