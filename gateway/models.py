"""Accounts, revoked tokens and failed sign-in counts: the gateway's own database."""

from __future__ import annotations

from typing import Any

import mongoengine as me

from services.common.clock import utcnow
from services.common.emails import email_key

ALIAS = "gateway"
ROLES = ("learner", "employer", "provider", "ministry", "admin")


class Account(me.Document):
    """One person's login: email, hashed password, role and the profile it speaks for."""

    email = me.StringField(required=True, unique=True, max_length=254)
    password_hash = me.StringField(required=True)
    role = me.StringField(required=True, choices=ROLES)
    learner_id = me.StringField(null=True)
    employer_id = me.StringField(null=True)
    # A training provider's account owns the courses whose provider normalises to this key.
    provider_key = me.StringField(null=True, max_length=100)
    provider_name = me.StringField(null=True, max_length=100)
    active = me.BooleanField(default=True)
    # A profile is created in another service after the account is reserved; until then the
    # account cannot sign in (and it is deleted if the profile cannot be made).
    pending = me.BooleanField(default=False)
    # A token carries the epoch it was issued in; deactivation moves it, so the tokens issued
    # before stay refused even after the account is activated again.
    epoch = me.IntField(default=0)
    created_at = me.DateTimeField(default=utcnow)
    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "accounts",
        "indexes": ["role"],
    }

    def clean(self) -> None:
        """Keep the profile link consistent with the role."""
        self.email = email_key(self.email)
        if self.role != "learner":
            self.learner_id = None
        if self.role != "employer":
            self.employer_id = None
        if self.role != "provider":
            self.provider_key = self.provider_name = None


class RevokedToken(me.Document):
    """A token id signed out before it expired (looked up by its _id, the jti)."""

    jti = me.StringField(primary_key=True)
    expires_at = me.DateTimeField(required=True)
    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "revoked_tokens",
        # Purged by the gateway itself now and then: on the embedded store a TTL index would
        # make every read scan the collection (measured: 51 ms per lookup at 5,000 rows).
        "indexes": ["expires_at"],
    }


class LoginFailures(me.Document):
    """Failed sign-ins under one key: an email (keyed hash) or a client address."""

    # Read and written by key (_id) inside services.common.db.atomic (gateway/logins.py), so
    # every gateway worker counts against the same numbers.

    key = me.StringField(primary_key=True)
    failures = me.IntField(default=0)
    started = me.FloatField(default=0.0)  # first failure of the current window (epoch seconds)
    last = me.FloatField(default=0.0)  # latest failure
    blocked_until = me.FloatField(default=0.0)
    expires_at = me.DateTimeField(required=True)
    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "login_failures",
        "indexes": ["expires_at"],
    }
