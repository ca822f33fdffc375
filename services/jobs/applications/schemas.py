"""Request and response schemas of applications (they also make the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from services.common.api import Id, PageQuery, ReadSchema, Schema, UtcDateTime

from ..fields import LEARNER_ID, OBJECT_ID, Salary

ApplicationStatus = Literal["applied", "interview", "offer", "hired", "rejected"]
TargetStatus = Literal["interview", "offer", "hired", "rejected"]


class ApplicationCreate(Schema):
    """A learner applies to an open vacancy (once per vacancy)."""

    learner_id: str = Field(pattern=LEARNER_ID, description="id of the learner service")
    vacancy_id: str = Field(pattern=OBJECT_ID)
    cover_letter: str | None = Field(None, max_length=10_000)


class TransitionRequest(Schema):
    """Move an application through the hiring state machine.

    applied -> interview | offer | rejected; interview -> offer | rejected;
    offer -> hired | rejected; hired and rejected are final. Any other move is 409 naming the
    current status. A hire records `salary` (KZT per month; default: the vacancy's salary_min,
    else its salary_max) and `hired_at`, and fills one of the vacancy's positions: the vacancy
    closes when all are filled.
    """

    to: TargetStatus
    salary: Salary | None = Field(None, description="only with to=hired")
    note: str | None = Field(None, max_length=2000)


class TransitionRead(ReadSchema):
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    at: UtcDateTime
    note: str | None


class ApplicationRead(ReadSchema):
    """An application with its history and the moves it allows next."""

    id: Id
    learner_id: str
    vacancy_id: Id
    employer_id: Id
    cover_letter: str | None
    status: ApplicationStatus
    allowed_transitions: list[TargetStatus]
    history: list[TransitionRead]
    salary: int | None
    hired_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class ApplicationQuery(PageQuery):
    """Filters of the application list."""

    vacancy_id: str | None = Field(None, pattern=OBJECT_ID)
    employer_id: str | None = Field(None, pattern=OBJECT_ID)
    learner_id: str | None = Field(None, pattern=LEARNER_ID)
    status: list[ApplicationStatus] | None = None
