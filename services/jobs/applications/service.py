"""Applications: one per learner and vacancy, moved through the hiring state machine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.common.clock import stored_time, utcnow
from services.common.db import get_or_404, object_id, transaction
from services.common.errors import Conflict, ValidationProblem, field_error

from ..employers.models import Employer
from ..feed import emit
from ..invitations import service as invitations
from ..settings import ALIAS
from ..vacancies import service as vacancies
from ..vacancies.models import Vacancy
from .models import TRANSITIONS, Application, ApplicationQuerySet, Transition
from .schemas import ApplicationCreate, ApplicationQuery, TransitionRequest


def summary(application: Application) -> dict[str, Any]:
    """Return the feed data of an application (no cover letter: others need only the state)."""
    return {
        "id": str(application.id),
        "learner_id": application.learner_id,
        "vacancy_id": str(application.vacancy_id),
        "employer_id": str(application.employer_id),
        "status": application.status,
    }


def get(*, application_id: str) -> Application:
    """Return one application or raise 404."""
    return get_or_404(Application, application_id, "application")


def get_all(*, query: ApplicationQuery) -> ApplicationQuerySet:
    """Return the applications matching the filters, newest first."""
    qs: ApplicationQuerySet = Application.objects
    if query.vacancy_id:
        qs = qs.for_vacancy(object_id(query.vacancy_id))
    if query.employer_id:
        qs = qs.for_employer(object_id(query.employer_id))
    if query.learner_id:
        qs = qs.by_learner(query.learner_id)
    if query.status:
        qs = qs.with_status(*query.status)
    return qs.order_by("-created_at", "-id")


def create(*, data: ApplicationCreate) -> Application:
    """Apply a learner to an open vacancy (once) and announce it on the feed."""

    def write() -> Application:
        vacancy = Vacancy.objects(id=object_id(data.vacancy_id)).first()
        if vacancy is None:
            raise ValidationProblem(
                "the vacancy does not exist",
                errors=[field_error("vacancy_id", f"no vacancy with id {data.vacancy_id}")],
            )
        if vacancy.status != "open":
            raise Conflict(
                "the vacancy is closed to applications",
                errors=[field_error("vacancy_id", f"vacancy is {vacancy.status}")],
            )
        if Application.objects.by_learner(data.learner_id).for_vacancy(vacancy.id).first():
            raise Conflict(
                "this learner has already applied to this vacancy",
                errors=[field_error("vacancy_id", "already applied")],
            )
        now = utcnow()
        application = Application(
            learner_id=data.learner_id,
            vacancy_id=vacancy.id,
            employer_id=vacancy.employer_id,
            cover_letter=data.cover_letter,
            history=[Transition(from_status=None, to_status="applied", at=now)],
            created_at=now,
            updated_at=now,
        )
        application.save()
        emit("application.created", application.id, summary(application))
        invitations.applied(learner_id=data.learner_id, vacancy_id=vacancy.id)
        return application

    return transaction(ALIAS, write)


def _illegal(current: str, to: str) -> Conflict:
    allowed = ", ".join(TRANSITIONS[current]) or "nothing (final)"
    return Conflict(
        f"cannot move an application from {current} to {to}; from {current} it may go to {allowed}",
        errors=[field_error("to", f"illegal from current status {current}")],
        current_status=current,
    )


def _hire_event(application: Application, vacancy: Vacancy | None) -> dict[str, Any]:
    employer = Employer.objects(id=application.employer_id).first()
    hired_at: datetime = application.hired_at
    return {
        "application_id": str(application.id),
        "learner_id": application.learner_id,
        "vacancy_id": str(application.vacancy_id),
        "employer_id": str(application.employer_id),
        "employer_name": employer.name if employer else None,
        "vacancy_title": vacancy.title if vacancy else None,
        "region": vacancy.region if vacancy else None,
        "salary": application.salary,
        # The same ISO form as every read ("...Z"), whether the store hands back naive or aware.
        "hired_at": stored_time(hired_at).isoformat().replace("+00:00", "Z"),
    }


def transition(*, application_id: str, data: TransitionRequest) -> Application:
    """Move an application one legal step; a hire records salary and fills a position."""
    if data.salary is not None and data.to != "hired":
        raise ValidationProblem(
            "a salary is recorded only on a hire",
            errors=[field_error("salary", "only allowed with to=hired")],
        )

    def write() -> Application:
        current = get(application_id=application_id)
        if data.to not in TRANSITIONS[current.status]:
            raise _illegal(current.status, data.to)
        now = utcnow()
        changes: dict[str, Any] = {"set__status": data.to, "set__updated_at": now}
        vacancy: Vacancy | None = None
        if data.to == "hired":
            # Read once: it gives the default salary and the hire event's title and region.
            vacancy = Vacancy.objects(id=current.vacancy_id).first()
            salary = data.salary
            if salary is None and vacancy is not None:
                salary = vacancy.salary_max if vacancy.salary_min is None else vacancy.salary_min
            changes.update({"set__salary": salary, "set__hired_at": now})
        step = Transition(from_status=current.status, to_status=data.to, at=now, note=data.note)
        # Conditional on the status we checked: of two racing moves exactly one matches.
        moved = (
            Application.objects(id=current.id)
            .with_status(current.status)
            .modify(new=True, push__history=step, **changes)
        )
        if moved is None:
            raise _illegal(get(application_id=application_id).status, data.to)
        emit("application.updated", moved.id, summary(moved))
        if data.to == "hired":
            emit("application.hired", moved.id, _hire_event(moved, vacancy))
            vacancies.fill_position(vacancy_id=moved.vacancy_id)
        return moved  # type: ignore[no-any-return]

    return transaction(ALIAS, write)
