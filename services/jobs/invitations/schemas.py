"""Request and response schemas of invitations (they also make the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from services.common.api import Id, PageQuery, ReadSchema, Schema, UtcDateTime

from ..fields import LEARNER_ID, OBJECT_ID
from .models import MESSAGE_LENGTH

InvitationStatus = Literal["invited", "declined", "applied"]


class InvitationCreate(Schema):
    """An employer invites a learner to apply to one of its open vacancies (once per pair).

    The gateway lets an employer invite only a learner on that vacancy's candidate list who
    consents to being found, and fills in ``employer_id`` from the account.
    """

    learner_id: str = Field(pattern=LEARNER_ID, description="id of the learner service")
    vacancy_id: str = Field(pattern=OBJECT_ID)
    employer_id: str | None = Field(None, pattern=OBJECT_ID, description="must own the vacancy")
    message: str | None = Field(None, max_length=MESSAGE_LENGTH, description="a short note")


class InvitationRead(ReadSchema):
    """An invitation, with what the learner needs to recognise the vacancy."""

    id: Id
    learner_id: str
    vacancy_id: Id
    employer_id: Id
    vacancy_title: str | None
    employer_name: str | None
    message: str | None
    status: InvitationStatus
    responded_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class InvitationQuery(PageQuery):
    """Filters of the invitation list."""

    vacancy_id: str | None = Field(None, pattern=OBJECT_ID)
    employer_id: str | None = Field(None, pattern=OBJECT_ID)
    learner_id: str | None = Field(None, pattern=LEARNER_ID)
    status: list[InvitationStatus] | None = None
