"""Stored employment outcomes: hires learned from the jobs feed, one per application."""

from __future__ import annotations

import mongoengine as me

from services.common.clock import utcnow
from services.common.reference import PROGRAMMES, REGION_SLUGS

from ..settings import ALIAS


class OutcomeQuerySet(me.QuerySet):
    """Outcome queries that read like predicates."""

    def of_learner(self, learner_id: str) -> OutcomeQuerySet:
        """Keep the hires of one learner (an id, or a deleted learner's pseudonym)."""
        return self.filter(learner_id=learner_id)

    def of_application(self, application_id: str) -> OutcomeQuerySet:
        """Keep the hire recorded for one jobs application."""
        return self.filter(application_id=application_id)


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

    meta = {
        "db_alias": ALIAS,
        "collection": "outcomes",
        "indexes": ["learner_id"],
        "queryset_class": OutcomeQuerySet,
    }
