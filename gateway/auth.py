"""Signed access tokens, the principal behind a request, and a short cache of verified tokens."""

from __future__ import annotations

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

from services.common.errors import Forbidden, Unauthorized

from .models import Account, RevokedToken
from .settings import Settings

ALGORITHM = "HS256"
COOKIE_NAME = "qabilet_session"
CACHE_LIMIT = 50_000
REQUIRED_CLAIMS = ["exp", "iat", "sub", "role", "jti"]


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


def _invalid(detail: str) -> Unauthorized:
    return Unauthorized(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class Tokens:
    """Issue and verify HS256 tokens; remember verified ones briefly to keep requests cheap."""

    def __init__(self, settings: Settings) -> None:
        self.secret = settings.jwt_secret
        self.ttl = settings.token_ttl
        self.cache_seconds = settings.token_cache_seconds
        self._cache: dict[str, tuple[Principal, float]] = {}
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
        }
        token = jwt.encode(claims, self.secret, algorithm=ALGORITHM)
        return token, _principal(account, claims["jti"], claims["exp"])

    def verify(self, token: str) -> Principal:
        """Return the principal of a valid token; raise Unauthorized otherwise."""
        hit = self._cache.get(token)
        now = time.time()
        if hit is not None:
            principal, until = hit
            if now < until:
                return principal
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
        sub = claims.get("sub")
        if not isinstance(sub, str) or not ObjectId.is_valid(sub):
            raise _invalid("the access token is not valid")
        account = Account.objects(id=sub).first()
        if account is None or not account.active or account.pending:
            raise _invalid("the account behind this token is not active")
        if account.role != claims["role"]:
            raise _invalid("the account's role has changed; sign in again")
        if RevokedToken.objects(jti=str(claims["jti"])).first() is not None:
            raise _invalid("this token was signed out")
        principal = _principal(account, str(claims["jti"]), int(claims["exp"]))
        if len(self._cache) > CACHE_LIMIT:
            with self._guard:
                self._cache.clear()
        self._cache[token] = (principal, min(now + self.cache_seconds, float(principal.expires_at)))
        return principal

    def revoke(self, token: str, principal: Principal) -> None:
        """Sign a token out before it expires."""
        expires = datetime.fromtimestamp(principal.expires_at, UTC)
        try:
            RevokedToken(jti=principal.jti, expires_at=expires).save(force_insert=True)
        except me.NotUniqueError:
            pass
        self._cache.pop(token, None)

    def forget_account(self, account_id: str) -> None:
        """Drop cached tokens of an account (after it is deactivated or changed)."""
        with self._guard:
            for key in [k for k, (p, _) in self._cache.items() if p.account_id == account_id]:
                self._cache.pop(key, None)


def _principal(account: Account, jti: str, exp: int) -> Principal:
    return Principal(
        account_id=str(account.id),
        email=account.email,
        role=account.role,
        learner_id=account.learner_id,
        employer_id=account.employer_id,
        jti=jti,
        expires_at=exp,
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


def require_role(*roles: str) -> Principal:
    """Return the caller's principal if it has one of ``roles``; raise 401/403 otherwise."""
    principal = require_principal()
    if principal.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(roles)}")
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
        "token_expires_at": datetime.fromtimestamp(principal.expires_at, UTC).isoformat(),
    }
