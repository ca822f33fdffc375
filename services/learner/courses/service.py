"""Rules of the course catalogue: create, update, list, delete, idempotent import."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from services.common import listing
from services.common.api import validation_problem
from services.common.clock import utcnow
from services.common.db import get_or_404, transaction
from services.common.errors import Conflict, NotFound, ValidationProblem, field_error
from services.common.feed import append_event
from services.common.pagination import paginate
from services.common.providers import provider_key
from services.common.state import per_app

from ..enrolments.models import Enrolment
from ..settings import ALIAS
from . import index
from .models import Course, CourseSkill
from .schemas import CourseCreate, CourseQuery, CourseRead, CourseUpdate, ProviderCourseRead

FIELDS = tuple(CourseCreate.model_fields)


def event_data(course: Course) -> dict[str, Any]:
    """Return the full course as plain data for the feed."""
    return CourseRead.model_validate(course, from_attributes=True).model_dump(mode="json")


def get(*, course_id: str) -> Course:
    """Return one course or raise NotFound."""
    return get_or_404(Course, course_id, "course")


def get_all(*, query: CourseQuery) -> dict[str, Any]:
    """Return one page of courses matching the filters, with the total."""
    if listing.enabled():
        return index.get_all(query)
    return get_all_plain(query=query)


def get_all_plain(*, query: CourseQuery) -> dict[str, Any]:
    """Answer the course list with a store query (what the read model must equal)."""
    qs = Course.objects if query.include_retired else Course.objects.current()
    if query.provider:
        qs = qs.from_providers(query.provider)
    if query.language:
        qs = qs.taught_in(query.language)
    if query.level:
        qs = qs.at_levels(query.level)
    if query.free is not None:
        qs = qs.free(query.free)
    if query.state_funded is not None:
        qs = qs.state_funded(query.state_funded)
    if query.max_hours is not None:
        qs = qs.at_most_hours(query.max_hours)
    if query.skill:
        qs = qs.teaching(query.skill)
    if query.q:
        qs = qs.mentioning(query.q)
    return paginate(qs.order_by("id"), query, CourseRead)


def _check_prerequisites(prerequisites: list[str], course_id: str | None) -> None:
    if not prerequisites:
        return  # most courses (every imported one) have none: spare the lookup
    if course_id is not None and course_id in prerequisites:
        raise ValidationProblem(
            "a course cannot require itself",
            errors=[field_error("prerequisites", "a course cannot be its own prerequisite")],
        )
    found = {str(c.id) for c in Course.objects(id__in=prerequisites).only("id")}
    missing = [p for p in prerequisites if p not in found]
    if missing:
        raise ValidationProblem(
            "some prerequisites do not exist",
            errors=[
                field_error(f"prerequisites.{prerequisites.index(m)}", f"no course {m}")
                for m in missing
            ],
        )
    if course_id is None:
        return  # a new course: nothing can require it yet, so it closes no cycle
    seen: set[str] = set()
    frontier = list(prerequisites)
    while frontier:
        seen.update(frontier)
        nxt: list[str] = []
        for course in Course.objects(id__in=frontier).only("prerequisites"):
            for p in course.prerequisites:
                if p == course_id:
                    raise ValidationProblem(
                        "the prerequisites would form a cycle",
                        errors=[
                            field_error(
                                "prerequisites", f"course {course.id} already requires this one"
                            )
                        ],
                    )
                if p not in seen:
                    nxt.append(p)
        frontier = nxt


def _ensure_external_id_free(provider: str, external_id: str | None, except_id: Any) -> None:
    if external_id is None:
        return
    clash = Course.objects.imported_as(provider, external_id).only("id").first()
    if clash is not None and clash.id != except_id:
        raise Conflict(
            f"{provider} already has a course with this external id",
            errors=[field_error("external_id", "already used by this provider")],
        )


def _apply(course: Course, data: CourseCreate) -> None:
    for name in FIELDS:
        if name == "skills":
            course.skills = [CourseSkill(uri=s.uri, label=s.label) for s in data.skills]
        else:
            setattr(course, name, getattr(data, name))
    # Each prerequisite once, in the order given.
    course.prerequisites = list(dict.fromkeys(data.prerequisites))


def _as_dict(course: Course) -> dict[str, Any]:
    data = {name: getattr(course, name) for name in FIELDS}
    data["skills"] = [
        {k: v for k, v in (("uri", s.uri), ("label", s.label)) if v is not None}
        for s in course.skills
    ]
    data["prerequisites"] = list(course.prerequisites)
    return data


def create(*, body: CourseCreate) -> Course:
    """Create a course; prerequisites must exist and the external id be new."""

    def write() -> Course:
        # A fresh document on every run: a re-run must not find the id of an aborted insert.
        course = Course()
        _apply(course, body)
        _ensure_external_id_free(body.provider, body.external_id, None)
        _check_prerequisites(course.prerequisites, None)
        course.created_at = course.updated_at = utcnow()
        course.save()
        append_event(ALIAS, "course.created", str(course.id), event_data(course))
        return course

    return transaction(ALIAS, write)


def _merge(course: Course, changes: dict[str, Any]) -> CourseCreate:
    merged = _as_dict(course)
    merged.update(changes)
    try:
        return CourseCreate.model_validate(merged)
    except ValidationError as exc:
        raise validation_problem(exc, "body") from exc


def _save_changes(course: Course, data: CourseCreate, retired: bool | None = None) -> Course:
    before = _as_dict(course)
    was_retired = bool(course.retired)
    _apply(course, data)
    if retired is not None:
        course.retired = retired
    if _as_dict(course) == before and bool(course.retired) == was_retired:
        return course
    if (course.provider, course.external_id) != (before["provider"], before["external_id"]):
        _ensure_external_id_free(course.provider, course.external_id, course.id)
    if course.prerequisites != before["prerequisites"]:
        _check_prerequisites(course.prerequisites, str(course.id))
    course.updated_at = utcnow()
    course.save()
    append_event(ALIAS, "course.updated", str(course.id), event_data(course))
    return course


def update(*, course_id: str, body: CourseUpdate) -> Course:
    """Apply a partial update, validating the merged course as a whole (``retired`` too)."""
    changes = body.model_dump(exclude_unset=True)
    # Retirement is not a catalogue field: an import (upsert) must never undo it.
    retired = changes.pop("retired", None)

    def write() -> Course:
        course = get(course_id=course_id)
        return _save_changes(course, _merge(course, changes), retired)

    return transaction(ALIAS, write)


def delete(*, course_id: str) -> None:
    """Delete a course nobody is enrolled on and no course requires."""

    def write() -> None:
        course = get(course_id=course_id)
        dependant = Course.objects.requiring(course_id).only("id").first()
        if dependant is not None:
            raise Conflict(
                f"course {dependant.id} requires this course; change its prerequisites first",
                errors=[field_error("id", "is a prerequisite of another course")],
            )
        if Enrolment.objects.for_course(course_id).only("id").first() is not None:
            raise Conflict(
                "learners have enrolled on this course; its history is kept",
                errors=[field_error("id", "has enrolments")],
            )
        course.delete()
        append_event(ALIAS, "course.deleted", course_id, {"id": course_id})

    transaction(ALIAS, write)


def upsert(*, body: CourseCreate) -> tuple[Course, str]:
    """Create or refresh a course keyed by (provider, external_id): "created", "updated", "same"."""
    if body.external_id is None:
        raise ValidationProblem(
            "an imported course needs an external id",
            errors=[field_error("external_id", "required for import")],
        )

    def write() -> tuple[Course, str]:
        course = Course.objects.imported_as(body.provider, body.external_id).first()
        if course is None:
            return create(body=body), "created"
        # Keep the URIs the matcher has since mapped onto the provider's skill labels.
        mapped = {s.label.casefold(): s.uri for s in course.skills if s.uri}
        skills = [
            s if s.uri else s.model_copy(update={"uri": mapped.get(s.label.casefold())})
            for s in body.skills
        ]
        before = course.updated_at
        course = _save_changes(course, body.model_copy(update={"skills": skills}))
        return course, "same" if course.updated_at == before else "updated"

    return transaction(ALIAS, write)


def _fill_provider_keys() -> int:
    """Give courses stored before provider keys existed their key (once per app); count them."""
    filled = 0
    for course in Course.objects(provider_key=None).only("id", "provider"):
        Course.objects(id=course.id).update_one(set__provider_key=provider_key(course.provider))
        filled += 1
    return filled


def known_key(key: str) -> str:
    """Return ``key`` if it is a normalised provider key (what accounts hold); else 404."""
    if not key or provider_key(key) != key:
        raise NotFound("no such provider key; keys are normalised names, e.g. ai-sana")
    return key


def provider_courses(*, key: str) -> dict[str, Any]:
    """Return every course of one provider (retired ones too) with its enrolment counts."""
    known_key(key)
    per_app("learner.courses.provider_keys", _fill_provider_keys)
    courses = list(Course.objects.of_provider(key).order_by("title", "id"))
    counts: dict[str, dict[str, int]] = {str(c.id): {} for c in courses}
    ids = list(counts)
    if ids:
        for row in Enrolment.objects(course_id__in=ids).only("course_id", "status").as_pymongo():
            by_status = counts[row["course_id"]]
            by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    items = []
    for course in courses:
        by_status = counts[str(course.id)]
        data = CourseRead.model_validate(course, from_attributes=True).model_dump()
        items.append(
            ProviderCourseRead(
                **data,
                enrolled=sum(by_status.values()),
                active=by_status.get("enrolled", 0),
                completed=by_status.get("completed", 0),
                dropped=by_status.get("dropped", 0),
            )
        )
    return {"items": items, "total": len(items)}


def provider_course_ids(key: str) -> list[str]:
    """Return the ids of one provider's courses."""
    per_app("learner.courses.provider_keys", _fill_provider_keys)
    return [str(c.id) for c in Course.objects.of_provider(key).only("id")]
