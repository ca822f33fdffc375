"""Request and response schemas of enrolments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.common.api import Id, ObjectIdStr, PageQuery, ReadSchema, Schema, UtcDateTime

EnrolmentStatus = Literal["enrolled", "completed", "dropped"]
LearnerRef = Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{24}|anon-[0-9a-f]{20})$")]


class EnrolmentCreate(Schema):
    """Enrol a learner on a course."""

    learner_id: ObjectIdStr
    course_id: ObjectIdStr
    enrolled_at: datetime | None = Field(None, description="defaults to now; records history")


class EnrolmentComplete(Schema):
    """Mark an enrolment completed."""

    grade: float | None = Field(None, ge=0, le=100)
    completed_at: datetime | None = Field(None, description="defaults to now")


class EnrolmentRead(ReadSchema):
    """An enrolment as clients see it."""

    id: Id
    learner_id: str
    course_id: str
    status: str
    enrolled_at: UtcDateTime
    completed_at: UtcDateTime | None = None
    dropped_at: UtcDateTime | None = None
    grade: float | None = None
    region: str | None = None
    programme: str | None = None
    anonymised: bool


class EnrolmentQuery(PageQuery):
    """Filters of the enrolment list."""

    learner_id: LearnerRef | None = Field(None, description="learner id or pseudonym")
    course_id: ObjectIdStr | None = None
    status: list[EnrolmentStatus] | None = None
