"""Accounts of people who use the suite, and revoked tokens (the gateway's own database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import mongoengine as me

ALIAS = "gateway"
ROLES = ("learner", "employer", "ministry", "admin")


def _now() -> datetime:
    return datetime.now(UTC)


class Account(me.Document):
    """One person's login: email, hashed password, role and the profile it speaks for."""

    email = me.StringField(required=True, unique=True, max_length=254)
    password_hash = me.StringField(required=True)
    role = me.StringField(required=True, choices=ROLES)
    learner_id = me.StringField(null=True)
    employer_id = me.StringField(null=True)
    active = me.BooleanField(default=True)
    # A profile is created in another service after the account is reserved; until then the
    # account cannot sign in (and it is deleted if the profile cannot be made).
    pending = me.BooleanField(default=False)
    created_at = me.DateTimeField(default=_now)
    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "accounts",
        "indexes": ["role"],
    }

    def clean(self) -> None:
        """Keep the profile link consistent with the role."""
        self.email = self.email.strip().lower()
        if self.role != "learner":
            self.learner_id = None
        if self.role != "employer":
            self.employer_id = None


class RevokedToken(me.Document):
    """A token id signed out before it expired."""

    jti = me.StringField(primary_key=True)
    expires_at = me.DateTimeField(required=True)
    meta: dict[str, Any] = {"db_alias": ALIAS, "collection": "revoked_tokens"}
