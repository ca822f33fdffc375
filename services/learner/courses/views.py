"""HTTP views of the course catalogue."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common.api import Page, endpoint

from . import service
from .models import Course
from .schemas import CourseCreate, CourseQuery, CourseRead, CourseUpdate, ProviderCoursePage

bp = Blueprint("courses", __name__)
TAGS = ["courses"]


@endpoint(
    bp,
    "POST",
    "/courses",
    body=CourseCreate,
    response=CourseRead,
    status=201,
    tags=TAGS,
    errors={409: "external id already used by this provider"},
)
def create_course(body: CourseCreate) -> Course:
    """Create a course."""
    return service.create(body=body)


@endpoint(bp, "GET", "/courses", query=CourseQuery, response=Page[CourseRead], tags=TAGS)
def list_courses(query: CourseQuery) -> dict[str, Any]:
    """List courses with filters and pagination."""
    return service.get_all(query=query)


@endpoint(bp, "GET", "/courses/<course_id>", response=CourseRead, tags=TAGS)
def get_course(course_id: str) -> Course:
    """Read a course."""
    return service.get(course_id=course_id)


@endpoint(
    bp,
    "GET",
    "/providers/<provider_key>/courses",
    response=ProviderCoursePage,
    tags=TAGS,
    errors={404: "not a provider key"},
)
def list_provider_courses(provider_key: str) -> dict[str, Any]:
    """List one provider's courses (retired ones too) with their enrolment counts."""
    return service.provider_courses(key=provider_key)


@endpoint(
    bp,
    "PATCH",
    "/courses/<course_id>",
    body=CourseUpdate,
    response=CourseRead,
    tags=TAGS,
    errors={409: "external id already used by this provider"},
)
def update_course(course_id: str, body: CourseUpdate) -> Course:
    """Update some fields of a course."""
    return service.update(course_id=course_id, body=body)


@endpoint(
    bp,
    "DELETE",
    "/courses/<course_id>",
    status=204,
    tags=TAGS,
    errors={409: "the course has enrolments or is a prerequisite"},
)
def delete_course(course_id: str) -> None:
    """Delete a course that has no enrolments and that no course requires."""
    service.delete(course_id=course_id)
