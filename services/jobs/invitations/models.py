"""Persistence of invitations and the predicates their lists use."""

from __future__ import annotations

from typing import Any, Self

import mongoengine as me

from services.common.clock import utcnow

from ..settings import ALIAS

INVITATION_STATUSES = ("invited", "declined", "applied")
MESSAGE_LENGTH = 1000


class InvitationQuerySet(me.QuerySet):
    """Invitation queries that read like the filters they apply."""

    def for_vacancy(self, vacancy_id: Any) -> Self:
        """Return the invitations to one vacancy."""
        return self(vacancy_id=vacancy_id)

    def for_employer(self, employer_id: Any) -> Self:
        """Return the invitations one employer sent."""
        return self(employer_id=employer_id)

    def of_learner(self, learner_id: str) -> Self:
        """Return the invitations one learner received."""
        return self(learner_id=learner_id)

    def with_status(self, *statuses: str) -> Self:
        """Return the invitations in any of these statuses."""
        return self(status__in=list(statuses))


class Invitation(me.Document):
    """An employer's invitation to one learner to apply to one vacancy (once per pair)."""

    learner_id = me.StringField(required=True, max_length=64)
    vacancy_id = me.ObjectIdField(required=True)
    employer_id = me.ObjectIdField(required=True)
    # Copied when sent, so the learner's list needs no lookup per row.
    vacancy_title = me.StringField(max_length=300)
    employer_name = me.StringField(max_length=300)
    message = me.StringField(max_length=MESSAGE_LENGTH)
    status = me.StringField(required=True, choices=INVITATION_STATUSES, default="invited")
    responded_at = me.DateTimeField()
    created_at = me.DateTimeField(required=True, default=utcnow)
    updated_at = me.DateTimeField(required=True, default=utcnow)

    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "invitations",
        "indexes": [
            # One per learner and vacancy: a declined invitation is not sent again.
            {"fields": ["learner_id", "vacancy_id"], "unique": True},
            ("vacancy_id", "-created_at"),
            ("employer_id", "-created_at"),
        ],
        "queryset_class": InvitationQuerySet,
    }
