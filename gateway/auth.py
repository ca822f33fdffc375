"""Signed access tokens, the principal behind a request, and the per-request revocation check."""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
import mongoengine as me
from bson import ObjectId
from flask import current_app, g, request

from services.common.db import find_son_by_id
from services.common.errors import Unauthorized

from . import revocation
from .models import Account, RevokedToken
from .settings import Settings

ALGORITHM = "HS256"
COOKIE_NAME = "qabilet_session"
CACHE_LIMIT = 50_000
REQUIRED_CLAIMS = ["exp", "iat", "sub", "role", "jti"]
# What a full check reads of the account behind a token (one lookup by _id).
ACCOUNT_FIELDS = {
    name: 1
    for name in (
        "email",
        "role",
        "learner_id",
        "employer_id",
        "provider_key",
        "provider_name",
        "active",
        "pending",
        "epoch",
    )
}
# A change written straight into the database, bypassing the gateway's code (and so the
# change counter), is still seen within this many seconds.
RECHECK_SECONDS = 30.0
PURGE_CHANCE = 0.02  # share of sign-outs that also delete revocations of expired tokens


@dataclass(frozen=True)
class Principal:
    """Who is calling: an active account and the profile it speaks for."""

    account_id: str
    email: str
    role: str
    learner_id: str | None
    employer_id: str | None
    jti: str
    expires_at: int
    provider_key: str | None = None  # a training provider's: the courses it owns
    provider_name: str | None = None


@dataclass(frozen=True)
class _Checked:
    """A token found valid against the store when the change counter stood at ``generation``."""

    principal: Principal
    generation: revocation.Generation
    until: float


def _invalid(detail: str) -> Unauthorized:
    return Unauthorized(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class Tokens:
    """Issue and verify HS256 tokens; a sign-out or deactivation holds at once in every worker."""

    # A full check (signature, the account by _id, RevokedToken by jti) is remembered with the
    # value of the store's change counter (gateway/revocation.py) it was made at. Every request
    # reads the counter first; only if it moved (a sign-out or an account change, in any
    # worker) is the token checked against the store again.

    def __init__(self, settings: Settings) -> None:
        self.secret = settings.jwt_secret
        self.ttl = settings.token_ttl
        self._checked: dict[str, _Checked] = {}
        self._guard = threading.Lock()

    def issue(self, account: Account) -> tuple[str, Principal]:
        """Return a new signed token for ``account`` and the principal it stands for."""
        now = int(time.time())
        claims = {
            "sub": str(account.id),
            "role": account.role,
            "iat": now,
            "exp": now + self.ttl,
            "jti": uuid.uuid4().hex,
            # Deactivation moves the account's epoch: tokens of an earlier one stay refused.
            "ep": account.epoch or 0,
        }
        token = jwt.encode(claims, self.secret, algorithm=ALGORITHM)
        return token, _principal(account, claims["jti"], claims["exp"])

    def verify(self, token: str) -> Principal:
        """Return the principal of a valid, current token; raise Unauthorized otherwise."""
        generation = revocation.current()  # before any store read: see gateway/revocation.py
        now = time.time()
        hit = self._checked.get(token)
        if hit is not None and hit.generation == generation and now < hit.until:
            return hit.principal
        self._checked.pop(token, None)
        principal = self._check(token)
        if len(self._checked) > CACHE_LIMIT:
            with self._guard:
                self._checked.clear()
        until = min(now + RECHECK_SECONDS, float(principal.expires_at))
        self._checked[token] = _Checked(principal, generation, until)
        return principal

    def _check(self, token: str) -> Principal:
        """Check a token's signature and claims, its account and its revocation in the store."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _invalid("the access token has expired; sign in again") from exc
        except jwt.PyJWTError as exc:
            raise _invalid("the access token is not valid") from exc
        sub, epoch = claims.get("sub"), claims.get("ep", 0)
        if not isinstance(sub, str) or not ObjectId.is_valid(sub) or type(epoch) is not int:
            raise _invalid("the access token is not valid")
        # By primary key: on the embedded store a query would first rebuild the index of every
        # account whenever another thread wrote one (services.common.db.records).
        son = find_son_by_id(Account, ObjectId(sub))
        doc = None if son is None else {k: son[k] for k in ACCOUNT_FIELDS if k in son}
        if doc is None or not doc.get("active", True) or doc.get("pending", False):
            raise _invalid("the account behind this token is not active")
        if doc.get("role") != claims["role"]:
            raise _invalid("the account's role has changed; sign in again")
        if doc.get("epoch", 0) != epoch:
            raise _invalid("this session was ended (the account was deactivated); sign in again")
        jti = str(claims["jti"])
        if find_son_by_id(RevokedToken, jti) is not None:
            raise _invalid("this token was signed out")
        return Principal(
            account_id=sub,
            email=str(doc.get("email", "")),
            role=str(claims["role"]),
            learner_id=doc.get("learner_id"),
            employer_id=doc.get("employer_id"),
            jti=jti,
            expires_at=int(claims["exp"]),
            provider_key=doc.get("provider_key"),
            provider_name=doc.get("provider_name"),
        )

    def revoke(self, token: str, principal: Principal) -> None:
        """Sign a token out before it expires, in every worker at once."""
        expires = datetime.fromtimestamp(principal.expires_at, UTC)
        try:
            RevokedToken(jti=principal.jti, expires_at=expires).save(force_insert=True)
        except me.NotUniqueError:
            pass
        revocation.bump()  # after the row exists: every worker re-checks its tokens
        self._checked.pop(token, None)
        if random.random() < PURGE_CHANCE:
            RevokedToken.objects(expires_at__lt=datetime.now(UTC)).delete()


def _principal(account: Account, jti: str, exp: int) -> Principal:
    return Principal(
        account_id=str(account.id),
        email=account.email,
        role=account.role,
        learner_id=account.learner_id,
        employer_id=account.employer_id,
        jti=jti,
        expires_at=exp,
        provider_key=account.provider_key,
        provider_name=account.provider_name,
    )


def tokens() -> Tokens:
    """Return the token service of the running app."""
    service: Tokens = current_app.extensions["qabilet_tokens"]
    return service


def bearer_token() -> str | None:
    """Return the token sent in the Authorization header, if any."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def request_token() -> str | None:
    """Return this request's token: the bearer header for the API, the cookie for pages."""
    if request.path.startswith("/api/"):
        return bearer_token()
    return request.cookies.get(COOKIE_NAME)


def current_principal() -> Principal | None:
    """Return the caller's principal (None if anonymous or the token is bad); cached per request."""
    if "principal" in g:
        cached: Principal | None = g.principal
        return cached
    principal: Principal | None = None
    token = request_token()
    g.auth_error = None
    if token is not None:
        try:
            principal = tokens().verify(token)
        except Unauthorized as exc:
            g.auth_error = exc
    elif request.path.startswith("/api/") and request.headers.get("Authorization"):
        g.auth_error = _invalid("send the token as 'Authorization: Bearer <token>'")
    g.principal = principal
    return principal


def require_principal() -> Principal:
    """Return the caller's principal or raise 401."""
    principal = current_principal()
    if principal is None:
        error = g.get("auth_error")
        if error is not None:
            raise error
        raise Unauthorized(
            "sign in first: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def client_key() -> str:
    """Return the rate-limit key: the account when signed in, the client address otherwise."""
    principal = current_principal()
    if principal is not None:
        return "acct:" + principal.account_id
    return "ip:" + (request.remote_addr or "unknown")


def describe(principal: Principal) -> dict[str, Any]:
    """Return what GET /me shows about a principal."""
    return {
        "account_id": principal.account_id,
        "email": principal.email,
        "role": principal.role,
        "learner_id": principal.learner_id,
        "employer_id": principal.employer_id,
        "provider_key": principal.provider_key,
        "token_expires_at": datetime.fromtimestamp(principal.expires_at, UTC).isoformat(),
    }
