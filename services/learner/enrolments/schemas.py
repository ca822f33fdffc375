"""Request and response schemas of enrolments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from services.common.api import Id, ObjectIdStr, PageQuery, ReadSchema, Schema, UtcDateTime

from ..courses.schemas import ProviderKey

EnrolmentStatus = Literal["enrolled", "completed", "dropped"]
Reporter = Annotated[str, StringConstraints(min_length=1, max_length=120)]
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
    reported_by: Reporter | None = Field(
        default=None, description="who reported it; the gateway sets it from the caller's account"
    )


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
    reported_by: str | None = None


class EnrolmentQuery(PageQuery):
    """Filters of the enrolment list."""

    learner_id: LearnerRef | None = Field(None, description="learner id or pseudonym")
    course_id: ObjectIdStr | None = None
    status: list[EnrolmentStatus] | None = None
    provider_key: ProviderKey | None = Field(None, description="on this provider's courses only")


Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class ProviderReportQuery(Schema):
    """The months of a provider's report (by month of enrolment) and its format."""

    from_: Month | None = Field(None, alias="from", description="first month, YYYY-MM")
    to: Month | None = Field(None, description="last month, YYYY-MM")
    format: Literal["json", "csv"] | None = Field(
        None, description="csv for a download (or send Accept: text/csv)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ProviderReportQuery:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError("`from` must not be after `to`")
        return self


class ProviderReportRow(ReadSchema):
    """Enrolments on one course in one month, and what has become of them so far."""

    course_id: str
    title: str
    month: str
    enrolled: int | str
    completed: int | str
    dropped: int | str
    completion_rate: float | None


class ProviderReport(ReadSchema):
    """A provider's enrolment and completion counts by course and month of enrolment."""

    provider_key: str
    population: str
    rule: str
    totals: dict[str, int | str | float | None]
    rows: list[ProviderReportRow]


class UploadQuery(Schema):
    """Who reports a CSV upload (the gateway sets it from the caller's account)."""

    reported_by: Reporter = Field(description="the completions' reporter, e.g. provider:<id>")


class UploadRowError(ReadSchema):
    field: str
    message: str


class UploadRow(ReadSchema):
    """What became of one row of the CSV."""

    row: int = Field(description="line of the file (the header is line 1)")
    status: Literal["ok", "error"]
    code: int = Field(description="the status a single call would have answered")
    action: str | None
    course_id: str | None
    learner_id: str | None = Field(None, description="once looked up (a pseudonym via the API)")
    enrolment_id: str | None = None
    errors: list[UploadRowError]


class UploadReport(ReadSchema):
    """A provider's upload: how many rows were applied and refused, and each row's fate."""

    provider_key: str
    received: int
    applied: int
    rejected: int
    not_reached: int = Field(description="rows not applied because the time ran out (code 503)")
    reported_by: str
    at: UtcDateTime
    rows: list[UploadRow]
