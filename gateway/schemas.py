"""Request and response schemas of the gateway's own routes (tokens, registration, accounts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from services.common.api import Id, ObjectIdStr, PageQuery, ReadSchema, Schema, UtcDateTime
from services.common.emails import EmailKey

Role = Literal["learner", "employer", "provider", "ministry", "admin"]
SelfRole = Literal["learner", "employer"]


Email = EmailKey  # accounts are kept under the lower-cased address
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]


class TokenRequest(Schema):
    """Credentials exchanged for an access token."""

    email: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class TokenRead(ReadSchema):
    """A signed access token (send it as ``Authorization: Bearer <access_token>``)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds until the token expires")
    role: Role
    account_id: str


class Registration(Schema):
    """Self-registration of a learner or an employer together with its profile."""

    role: SelfRole
    email: Email
    password: Password
    profile: dict[str, Any] = Field(
        description="the learner (LearnerCreate) or employer (EmployerCreate) profile; "
        "a learner's email is the account's (leave it out: a different one is refused)"
    )


class AccountCreate(Schema):
    """An account an admin creates: link an existing profile, or pass one to create."""

    email: Email
    password: Password
    role: Role
    learner_id: ObjectIdStr | None = None
    employer_id: ObjectIdStr | None = None
    profile: dict[str, Any] | None = Field(
        None, description="for learner/employer accounts without an id: the profile to create"
    )
    provider: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        None,
        description='a provider account: its name as its courses carry it ("AI-Sana")',
    )


class AccountRead(ReadSchema):
    """An account as admins and its owner see it (never the password hash)."""

    id: Id
    email: str
    role: Role
    learner_id: str | None
    employer_id: str | None
    provider_key: str | None = None
    provider_name: str | None = None
    active: bool
    created_at: UtcDateTime


class Registered(ReadSchema):
    """A new account with a token to start using it."""

    account: AccountRead
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class AccountQuery(PageQuery):
    """Filters of the account list."""

    role: Role | None = None
    active: bool | None = None
    q: Annotated[str, StringConstraints(min_length=1, max_length=254)] | None = Field(
        None, description="text in the email"
    )


class AccountPage(ReadSchema):
    items: list[AccountRead]
    total: int
    limit: int
    offset: int


class MeRead(ReadSchema):
    """The signed-in account and the profile it speaks for."""

    account_id: str
    email: str
    role: Role
    learner_id: str | None
    employer_id: str | None
    provider_key: str | None = None
    token_expires_at: datetime
