"""Stored enrolments: a learner on a course, enrolled, then completed or dropped."""

from __future__ import annotations

from collections.abc import Iterable

import mongoengine as me

from services.common.clock import utcnow
from services.common.reference import PROGRAMMES, REGION_SLUGS

from ..settings import ALIAS

ENROLMENT_STATUSES = ("enrolled", "completed", "dropped")


class EnrolmentQuerySet(me.QuerySet):
    """Enrolment queries that read like predicates."""

    def of_learner(self, learner_id: str) -> EnrolmentQuerySet:
        """Keep the enrolments of one learner (an id, or a deleted learner's pseudonym)."""
        return self.filter(learner_id=learner_id)

    def for_course(self, course_id: str) -> EnrolmentQuerySet:
        """Keep the enrolments on one course."""
        return self.filter(course_id=course_id)

    def with_status(self, statuses: Iterable[str]) -> EnrolmentQuerySet:
        """Keep enrolments in any of ``statuses``."""
        return self.filter(status__in=list(statuses))

    def active(self) -> EnrolmentQuerySet:
        """Keep enrolments still running (neither completed nor dropped)."""
        return self.filter(status="enrolled")

    def completed(self) -> EnrolmentQuerySet:
        """Keep completed enrolments."""
        return self.filter(status="completed")


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
    # Who reported the completion ("provider:<account id>", "admin:<account id>"), set by the
    # gateway: the ministry's outcome figures rest on provider-reported records.
    reported_by = me.StringField(null=True, max_length=120)

    meta = {
        "db_alias": ALIAS,
        "collection": "enrolments",
        "indexes": ["learner_id", "course_id", "status"],
        "queryset_class": EnrolmentQuerySet,
    }
