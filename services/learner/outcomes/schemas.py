"""Schemas of outcomes: the hire events read from the jobs feed, hires and the sync status."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.common.api import Id, ReadSchema, UtcDateTime


class HireData(BaseModel):
    """The data of an ``application.hired`` event, as the jobs service sends it."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    application_id: str = Field(min_length=1, max_length=40)
    learner_id: str = Field(min_length=1, max_length=40)
    employer_id: str | None = Field(None, max_length=40)
    employer_name: str | None = Field(None, max_length=300)
    vacancy_id: str | None = Field(None, max_length=40)
    vacancy_title: str | None = Field(None, max_length=300)
    region: str | None = Field(None, max_length=40)
    salary: int | None = Field(None, ge=0)
    hired_at: datetime | None = None


class OutcomeRead(ReadSchema):
    """A hire recorded from the jobs feed."""

    id: Id
    application_id: str
    learner_id: str
    employer_id: str | None = None
    employer_name: str | None = None
    vacancy_id: str | None = None
    vacancy_title: str | None = None
    region: str | None = None
    salary: int | None = None
    hired_at: UtcDateTime
    programme: str | None = None
    anonymised: bool
    recorded_at: UtcDateTime


class FeedStatus(BaseModel):
    cursor: int = Field(description="last jobs feed event handled")
    lag: int | None = Field(None, description="events behind the feed (known while following)")
    running: bool
    last_error: str | None = None


class SyncStatus(BaseModel):
    jobs: FeedStatus
