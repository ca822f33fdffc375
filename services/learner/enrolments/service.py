"""Rules of enrolments: enrolled, then completed (skills follow) or dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.clock import as_utc, iso, utcnow
from services.common.db import get_or_404, transaction
from services.common.errors import Conflict, ValidationProblem, field_error
from services.common.feed import append_event
from services.common.pagination import paginate

from ..courses import service as courses
from ..courses.models import Course
from ..learners import service as learners
from ..learners.models import Learner
from ..settings import ALIAS
from .models import Enrolment
from .schemas import EnrolmentComplete, EnrolmentCreate, EnrolmentQuery, EnrolmentRead

# Clocks of callers drift a little; a completion "in the future" beyond this is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


def event_data(enrolment: Enrolment) -> dict[str, Any]:
    """Return what the feed tells about an enrolment."""
    return {
        "id": str(enrolment.id),
        "learner_id": enrolment.learner_id,
        "course_id": enrolment.course_id,
        "status": enrolment.status,
        "enrolled_at": iso(enrolment.enrolled_at),
        "completed_at": iso(enrolment.completed_at),
        "dropped_at": iso(enrolment.dropped_at),
        "grade": enrolment.grade,
        "reported_by": enrolment.reported_by,
    }


def get(*, enrolment_id: str) -> Enrolment:
    """Return one enrolment or raise NotFound."""
    return get_or_404(Enrolment, enrolment_id, "enrolment")


def get_all(*, query: EnrolmentQuery) -> dict[str, Any]:
    """Return one page of enrolments matching the filters, with the total."""
    qs = Enrolment.objects
    if query.learner_id:
        qs = qs.of_learner(query.learner_id)
    if query.course_id:
        qs = qs.for_course(query.course_id)
    if query.status:
        qs = qs.with_status(query.status)
    if query.provider_key:
        qs = qs.filter(course_id__in=courses.provider_course_ids(query.provider_key))
    return paginate(qs.order_by("id"), query, EnrolmentRead)


def _must_exist(model: Any, field: str, value: str) -> Any:
    found = model.objects(id=value).first()
    if found is None:
        raise ValidationProblem(
            f"{field} names nothing", errors=[field_error(field, f"no such record {value}")]
        )
    return found


def create(*, body: EnrolmentCreate) -> Enrolment:
    """Enrol a learner; a second active enrolment on the same course is a conflict."""

    def write() -> Enrolment:
        learner: Learner = _must_exist(Learner, "learner_id", body.learner_id)
        course: Course = _must_exist(Course, "course_id", body.course_id)
        if course.retired:
            raise Conflict(
                "the course is retired and takes no new enrolments",
                errors=[field_error("course_id", "the course is retired")],
            )
        active = (
            Enrolment.objects.of_learner(body.learner_id)
            .for_course(body.course_id)
            .active()
            .first()
        )
        if active is not None:
            raise Conflict(
                "the learner is already enrolled on this course",
                errors=[field_error("course_id", f"active enrolment {active.id}")],
            )
        enrolment = Enrolment(
            learner_id=body.learner_id,
            course_id=body.course_id,
            status="enrolled",
            enrolled_at=_past_or_now(body.enrolled_at, "enrolled_at"),
            region=learner.region,
            programme=learner.programme,
        ).save()
        append_event(ALIAS, "enrolment.created", str(enrolment.id), event_data(enrolment))
        return enrolment

    return transaction(ALIAS, write)


def _past_or_now(value: datetime | None, field: str) -> datetime:
    now = utcnow()
    if value is None:
        return now
    when: datetime = as_utc(value).astimezone(UTC)
    if when > now + CLOCK_SKEW:
        raise ValidationProblem(
            f"{field} cannot be in the future", errors=[field_error(field, "is in the future")]
        )
    return when


def _not_enrolled(enrolment: Enrolment, action: str) -> Conflict:
    return Conflict(
        f"cannot {action} an enrolment that is {enrolment.status}",
        errors=[field_error("status", f"is {enrolment.status}, expected enrolled")],
    )


def complete(*, enrolment_id: str, body: EnrolmentComplete) -> Enrolment:
    """Complete an enrolment once; the course's skills join the learner's profile."""

    def write() -> Enrolment:
        enrolment = get(enrolment_id=enrolment_id)
        when = _past_or_now(body.completed_at, "completed_at")
        if when < as_utc(enrolment.enrolled_at) - CLOCK_SKEW:
            raise ValidationProblem(
                "completion cannot precede enrolment",
                errors=[field_error("completed_at", "is before enrolled_at")],
            )
        # Conditional update: of two racing completions exactly one finds it still enrolled.
        done = (
            Enrolment.objects(id=enrolment.id)
            .active()
            .modify(
                set__status="completed",
                set__completed_at=when,
                set__grade=body.grade,
                set__reported_by=body.reported_by,
                new=True,
            )
        )
        if done is None:
            raise _not_enrolled(get(enrolment_id=enrolment_id), "complete")
        append_event(ALIAS, "enrolment.completed", str(done.id), event_data(done))
        learner = Learner.objects(id=done.learner_id).first() if not done.anonymised else None
        if learner is not None:
            learners.add_course_skills(learner, courses.get(course_id=done.course_id))
        return done

    return transaction(ALIAS, write)


def drop(*, enrolment_id: str, when: datetime | None = None) -> Enrolment:
    """Drop an active enrolment (``when``: the day a provider reports it, default now)."""

    def write() -> Enrolment:
        enrolment = get(enrolment_id=enrolment_id)
        dropped_at = _past_or_now(when, "dropped_at")
        if dropped_at < as_utc(enrolment.enrolled_at) - CLOCK_SKEW:
            raise ValidationProblem(
                "a drop cannot precede the enrolment",
                errors=[field_error("dropped_at", "is before enrolled_at")],
            )
        done = (
            Enrolment.objects(id=enrolment.id)
            .active()
            .modify(set__status="dropped", set__dropped_at=dropped_at, new=True)
        )
        if done is None:
            raise _not_enrolled(get(enrolment_id=enrolment_id), "drop")
        append_event(ALIAS, "enrolment.dropped", str(done.id), event_data(done))
        return done

    return transaction(ALIAS, write)
