"""HTTP views of courses and enrolments."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common.api import Page, endpoint

from . import catalogue, enrolments
from .course_schemas import (
    CourseCreate,
    CourseQuery,
    CourseRead,
    CourseUpdate,
    EnrolmentComplete,
    EnrolmentCreate,
    EnrolmentQuery,
    EnrolmentRead,
)
from .models import Course, Enrolment

bp = Blueprint("courses", __name__)
COURSES = ["courses"]
ENROLMENTS = ["enrolments"]


@endpoint(
    bp,
    "POST",
    "/courses",
    body=CourseCreate,
    response=CourseRead,
    status=201,
    tags=COURSES,
    errors={409: "external id already used by this provider"},
)
def create_course(body: CourseCreate) -> Course:
    """Create a course."""
    return catalogue.create(body=body)


@endpoint(bp, "GET", "/courses", query=CourseQuery, response=Page[CourseRead], tags=COURSES)
def list_courses(query: CourseQuery) -> dict[str, Any]:
    """List courses with filters and pagination."""
    return catalogue.get_all(query=query)


@endpoint(bp, "GET", "/courses/<course_id>", response=CourseRead, tags=COURSES)
def get_course(course_id: str) -> Course:
    """Read a course."""
    return catalogue.get(course_id=course_id)


@endpoint(
    bp,
    "PATCH",
    "/courses/<course_id>",
    body=CourseUpdate,
    response=CourseRead,
    tags=COURSES,
    errors={409: "external id already used by this provider"},
)
def update_course(course_id: str, body: CourseUpdate) -> Course:
    """Update some fields of a course."""
    return catalogue.update(course_id=course_id, body=body)


@endpoint(
    bp,
    "DELETE",
    "/courses/<course_id>",
    status=204,
    tags=COURSES,
    errors={409: "the course has enrolments or is a prerequisite"},
)
def delete_course(course_id: str) -> None:
    """Delete a course that has no enrolments and that no course requires."""
    catalogue.delete(course_id=course_id)


@endpoint(
    bp,
    "POST",
    "/enrolments",
    body=EnrolmentCreate,
    response=EnrolmentRead,
    status=201,
    tags=ENROLMENTS,
    errors={409: "already enrolled on this course"},
)
def create_enrolment(body: EnrolmentCreate) -> Enrolment:
    """Enrol a learner on a course."""
    return enrolments.create(body=body)


@endpoint(
    bp, "GET", "/enrolments", query=EnrolmentQuery, response=Page[EnrolmentRead], tags=ENROLMENTS
)
def list_enrolments(query: EnrolmentQuery) -> dict[str, Any]:
    """List enrolments by learner, course or status."""
    return enrolments.get_all(query=query)


@endpoint(bp, "GET", "/enrolments/<enrolment_id>", response=EnrolmentRead, tags=ENROLMENTS)
def get_enrolment(enrolment_id: str) -> Enrolment:
    """Read an enrolment."""
    return enrolments.get(enrolment_id=enrolment_id)


@endpoint(
    bp,
    "POST",
    "/enrolments/<enrolment_id>/complete",
    body=EnrolmentComplete,
    response=EnrolmentRead,
    tags=ENROLMENTS,
    errors={409: "not an active enrolment"},
)
def complete_enrolment(enrolment_id: str, body: EnrolmentComplete) -> Enrolment:
    """Complete an enrolment; the course's skills join the learner's profile."""
    return enrolments.complete(enrolment_id=enrolment_id, body=body)


@endpoint(
    bp,
    "POST",
    "/enrolments/<enrolment_id>/drop",
    response=EnrolmentRead,
    tags=ENROLMENTS,
    errors={409: "not an active enrolment"},
)
def drop_enrolment(enrolment_id: str) -> Enrolment:
    """Drop an active enrolment."""
    return enrolments.drop(enrolment_id=enrolment_id)
