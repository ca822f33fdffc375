"""Request and response schemas of courses and the skills they teach."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.common.api import Id, ObjectIdStr, PageQuery, ReadSchema, Schema, UtcDateTime

from ..learners.schemas import Label, Uri

CourseLevel = Literal["beginner", "intermediate", "advanced"]
Provider = Annotated[str, StringConstraints(min_length=1, max_length=100)]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Url = Annotated[str, StringConstraints(max_length=1000, pattern=r"^https?://[^\s]+$")]


class CourseSkillIn(Schema):
    """A skill a course teaches; the URI is filled in once the matcher maps the label."""

    uri: Uri | None = None
    label: Label


class CourseCreate(Schema):
    """A new course."""

    provider: Provider = Field(description='e.g. "edX", "Coursera", "Astana Hub", "AI-Sana"')
    title: Label
    description: Text | None = None
    institution: Short | None = None
    subject: Short | None = None
    language: LanguageTag = Field(description="ISO 639-1 code of the teaching language")
    hours: float = Field(gt=0, le=10_000, description="total study hours")
    level: CourseLevel
    price_kzt: int | None = Field(None, ge=0, description="tenge; 0 = free, null = unknown")
    certificate_price_kzt: int | None = Field(None, ge=0, description="optional certificate")
    state_funded: bool = Field(False, description="paid by the state for eligible learners")
    skills: list[CourseSkillIn] = Field(default_factory=list, max_length=200)
    prerequisites: list[ObjectIdStr] = Field(default_factory=list, max_length=50)
    url: Url | None = None
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = Field(
        None, description="the provider's id; unique per provider (makes imports idempotent)"
    )


class CourseUpdate(Schema):
    """A partial update of a course; the merged result is validated as a whole."""

    provider: Provider | None = None
    title: Label | None = None
    description: Text | None = None
    institution: Short | None = None
    subject: Short | None = None
    language: LanguageTag | None = None
    hours: float | None = Field(None, gt=0, le=10_000)
    level: CourseLevel | None = None
    price_kzt: int | None = Field(None, ge=0)
    certificate_price_kzt: int | None = Field(None, ge=0)
    state_funded: bool | None = None
    skills: list[CourseSkillIn] | None = Field(None, max_length=200)
    prerequisites: list[ObjectIdStr] | None = Field(None, max_length=50)
    url: Url | None = None
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    retired: bool | None = Field(
        None, description="true: the course takes no new enrolments (its history is kept)"
    )


class CourseSkillRead(ReadSchema):
    uri: str | None = None
    label: str


class CourseRead(ReadSchema):
    """A course as clients see it."""

    id: Id
    provider: str
    provider_key: str | None = Field(None, description="the provider's name normalised")
    title: str
    description: str | None = None
    institution: str | None = None
    subject: str | None = None
    language: str
    hours: float
    level: str
    price_kzt: int | None = None
    certificate_price_kzt: int | None = None
    state_funded: bool
    skills: list[CourseSkillRead]
    prerequisites: list[str]
    url: str | None = None
    external_id: str | None = None
    retired: bool = False
    created_at: UtcDateTime
    updated_at: UtcDateTime


class CourseQuery(PageQuery):
    """Filters of the course list (a list filter matches any of its values)."""

    provider: list[Provider] | None = None
    language: list[LanguageTag] | None = None
    level: list[CourseLevel] | None = None
    free: bool | None = Field(None, description="free to the learner: price 0 or state-funded")
    state_funded: bool | None = None
    max_hours: float | None = Field(None, gt=0)
    skill: list[Label] | None = Field(None, description="teaches any of these skill URIs/labels")
    q: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, description="text in the title or description (literal, case-insensitive)"
    )
    include_retired: bool = Field(
        False, description="also list retired courses (the gateway passes it for providers, admin)"
    )


ProviderKey = Annotated[str, StringConstraints(pattern=r"^[\w-]{1,100}$")]


class ProviderCourseRead(CourseRead):
    """A provider's course with its enrolment counts (the provider's own records)."""

    enrolled: int = Field(description="enrolments ever made on the course")
    active: int
    completed: int
    dropped: int


class ProviderCoursePage(ReadSchema):
    items: list[ProviderCourseRead]
    total: int
