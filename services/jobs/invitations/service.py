"""Invitations: sent to an open vacancy's candidate, declined by the learner, met by applying."""

from __future__ import annotations

from typing import Any

from services.common.clock import utcnow
from services.common.db import get_or_404, object_id, transaction
from services.common.errors import Conflict, Forbidden, ValidationProblem, field_error

from ..applications.models import Application
from ..employers.models import Employer
from ..feed import emit
from ..settings import ALIAS
from ..vacancies.models import Vacancy
from .models import Invitation, InvitationQuerySet
from .schemas import InvitationCreate, InvitationQuery


def summary(invitation: Invitation) -> dict[str, Any]:
    """Return the feed data of an invitation (no message: others need only the state)."""
    return {
        "id": str(invitation.id),
        "learner_id": invitation.learner_id,
        "vacancy_id": str(invitation.vacancy_id),
        "employer_id": str(invitation.employer_id),
        "status": invitation.status,
    }


def get(*, invitation_id: str) -> Invitation:
    """Return one invitation or raise 404."""
    return get_or_404(Invitation, invitation_id, "invitation")


def get_all(*, query: InvitationQuery) -> InvitationQuerySet:
    """Return the invitations matching the filters, newest first."""
    qs: InvitationQuerySet = Invitation.objects
    if query.vacancy_id:
        qs = qs.for_vacancy(object_id(query.vacancy_id))
    if query.employer_id:
        qs = qs.for_employer(object_id(query.employer_id))
    if query.learner_id:
        qs = qs.of_learner(query.learner_id)
    if query.status:
        qs = qs.with_status(*query.status)
    return qs.order_by("-created_at", "-id")


def create(*, data: InvitationCreate) -> Invitation:
    """Invite a learner to an open vacancy (once), unless they have already applied to it."""

    def write() -> Invitation:
        vacancy = Vacancy.objects(id=object_id(data.vacancy_id)).first()
        if vacancy is None:
            raise ValidationProblem(
                "the vacancy does not exist",
                errors=[field_error("vacancy_id", f"no vacancy with id {data.vacancy_id}")],
            )
        if data.employer_id is not None and object_id(data.employer_id) != vacancy.employer_id:
            raise Forbidden("this vacancy belongs to another employer")
        if vacancy.status != "open":
            raise Conflict(
                "the vacancy is closed; only an open vacancy takes invitations",
                errors=[field_error("vacancy_id", f"vacancy is {vacancy.status}")],
            )
        if Application.objects.by_learner(data.learner_id).for_vacancy(vacancy.id).first():
            raise Conflict(
                "this learner has already applied to this vacancy",
                errors=[field_error("learner_id", "already applied")],
            )
        if Invitation.objects.of_learner(data.learner_id).for_vacancy(vacancy.id).first():
            raise Conflict(
                "this learner has already been invited to this vacancy",
                errors=[field_error("learner_id", "already invited")],
            )
        employer = Employer.objects(id=vacancy.employer_id).only("name").first()
        now = utcnow()
        invitation = Invitation(
            learner_id=data.learner_id,
            vacancy_id=vacancy.id,
            employer_id=vacancy.employer_id,
            vacancy_title=vacancy.title,
            employer_name=employer.name if employer else None,
            message=data.message or None,
            created_at=now,
            updated_at=now,
        )
        invitation.save()
        emit("invitation.created", invitation.id, summary(invitation))
        return invitation

    return transaction(ALIAS, write)


def decline(*, invitation_id: str) -> Invitation:
    """Decline an invitation still open (conditional: of two racing answers one wins)."""

    def write() -> Invitation:
        current = get(invitation_id=invitation_id)
        now = utcnow()
        done = (
            Invitation.objects(id=current.id, status="invited")
            .modify(new=True, set__status="declined", set__responded_at=now, set__updated_at=now)
        )  # fmt: skip
        if done is None:
            status = get(invitation_id=invitation_id).status
            raise Conflict(
                f"the invitation is {status}; only an open invitation can be declined",
                errors=[field_error("status", f"is {status}, expected invited")],
                current_status=status,
            )
        emit("invitation.updated", done.id, summary(done))
        return done  # type: ignore[no-any-return]

    return transaction(ALIAS, write)


def applied(*, learner_id: str, vacancy_id: Any) -> None:
    """Mark the learner's open invitation to this vacancy as met (in the application's write)."""
    now = utcnow()
    done = Invitation.objects(
        learner_id=learner_id, vacancy_id=vacancy_id, status="invited"
    ).modify(new=True, set__status="applied", set__responded_at=now, set__updated_at=now)
    if done is not None:
        emit("invitation.updated", done.id, summary(done))
