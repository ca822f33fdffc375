"""Persistence of applications: the hiring state machine and the predicates their lists use."""

from __future__ import annotations

from typing import Any, Self

import mongoengine as me

from services.common.clock import utcnow

from ..settings import ALIAS

APPLICATION_STATUSES = ("applied", "interview", "offer", "hired", "rejected")
# The hiring state machine: status -> the statuses it may move to (hired, rejected are final).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "applied": ("interview", "offer", "rejected"),
    "interview": ("offer", "rejected"),
    "offer": ("hired", "rejected"),
    "hired": (),
    "rejected": (),
}


class ApplicationQuerySet(me.QuerySet):
    """Application queries that read like the filters they apply."""

    def for_vacancy(self, vacancy_id: Any) -> Self:
        """Return the applications to one vacancy."""
        return self(vacancy_id=vacancy_id)

    def for_employer(self, employer_id: Any) -> Self:
        """Return the applications to one employer's vacancies."""
        return self(employer_id=employer_id)

    def by_learner(self, learner_id: str) -> Self:
        """Return one learner's applications."""
        return self(learner_id=learner_id)

    def with_status(self, *statuses: str) -> Self:
        """Return the applications in any of these statuses."""
        if len(statuses) == 1:
            return self(status=statuses[0])
        return self(status__in=list(statuses))


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
        "queryset_class": ApplicationQuerySet,
    }

    @property
    def allowed_transitions(self) -> list[str]:
        """Return the statuses this application may move to next."""
        return list(TRANSITIONS[self.status])
