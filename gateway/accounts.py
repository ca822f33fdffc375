"""Account rules: create, authenticate, register with a profile (compensated), deactivate."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import mongoengine as me
from werkzeug.security import check_password_hash, generate_password_hash

from services.common.db import get_or_404
from services.common.emails import email_key
from services.common.errors import Conflict, NotFound, Problem, Unauthorized, field_error
from services.common.providers import provider_key

from . import revocation
from .models import Account
from .settings import Settings

log = logging.getLogger("qabilet.gateway.accounts")

ProfileMaker = Callable[[str, dict[str, Any]], str]
"""Create a profile in its service for (role, profile) and return its id, or raise a Problem."""


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not a password", method=method)


def normalise_email(email: str) -> str:
    """Return the email in the form accounts are stored under."""
    return email_key(email)


def get(*, account_id: str) -> Account:
    """Return an account by id or raise 404."""
    return get_or_404(Account, account_id, "account")


def create(
    *,
    email: str,
    password: str,
    role: str,
    method: str,
    learner_id: str | None = None,
    employer_id: str | None = None,
    provider: str | None = None,
    pending: bool = False,
) -> Account:
    """Create an account; a taken email is 409 (a provider's is linked by its name's key)."""
    account = Account(
        provider_key=provider_key(provider) if provider else None,
        provider_name=provider,
        email=normalise_email(email),
        password_hash=generate_password_hash(password, method=method),
        role=role,
        learner_id=learner_id,
        employer_id=employer_id,
        pending=pending,
    )
    try:
        account.save(force_insert=True)
    except me.NotUniqueError as exc:
        raise Conflict(
            "an account with this email already exists",
            errors=[field_error("email", "already registered")],
        ) from exc
    return account


def create_with_profile(
    *,
    email: str,
    password: str,
    role: str,
    profile: dict[str, Any],
    method: str,
    make_profile: ProfileMaker,
) -> Account:
    """Reserve an account, create its profile in the service, then activate it.

    If the profile cannot be created the reserved account is deleted, so no account remains
    without its profile (and a taken email never creates an orphan profile).
    """
    account = create(email=email, password=password, role=role, method=method, pending=True)
    try:
        profile_id = make_profile(role, profile)
    except BaseException:
        account.delete()
        raise
    field = "learner_id" if role == "learner" else "employer_id"
    Account.objects(id=account.id).update_one(
        **{f"set__{field}": profile_id, "set__pending": False}
    )
    account.reload()
    return account


def authenticate(*, email: str, password: str, method: str) -> Account:
    """Return the active account with these credentials, or raise 401 (same for every failure)."""
    account = Account.objects(email=normalise_email(email)).first()
    stored = account.password_hash if account is not None else _dummy_hash(method)
    # The hash is checked even for an unknown email so timing does not tell which emails exist.
    valid = check_password_hash(stored, password)
    if account is None or not valid or not account.active or account.pending:
        raise Unauthorized("wrong email or password, or the account is deactivated")
    return account


def ensure_admin(settings: Settings) -> Account | None:
    """Create the first admin from the settings if no account has that email (idempotent)."""
    if not settings.admin_email or not settings.admin_password:
        return None
    email = normalise_email(settings.admin_email)
    existing = Account.objects(email=email).first()
    if existing is not None:
        return existing
    try:
        account = create(
            email=email,
            password=settings.admin_password,
            role="admin",
            method=settings.password_method,
        )
    except Conflict:  # another worker created it at the same moment
        return Account.objects(email=email).first()
    log.info("created the first admin account", extra={"fields": {"email": email}})
    return account


def list_accounts(
    *, role: str | None, active: bool | None, q: str | None, limit: int, offset: int
) -> dict[str, Any]:
    """Return a page of accounts, newest first."""
    query = Account.objects(pending=False)
    if role:
        query = query.filter(role=role)
    if active is not None:
        query = query.filter(active=active)
    if q:
        query = query.filter(email__icontains=q)
    total = query.count()
    items = list(query.order_by("-created_at").skip(offset).limit(limit))
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def set_active(*, account_id: str, active: bool, acting_account_id: str) -> Account:
    """Activate or deactivate an account (an admin cannot deactivate themselves)."""
    if not active and account_id == acting_account_id:
        raise Conflict("you cannot deactivate your own account")
    account = get(account_id=account_id)
    if account.pending:
        raise NotFound(f"no account {account_id}")
    if active:
        Account.objects(id=account.id).update_one(set__active=True)
    else:
        # A new epoch ends every session: tokens carry the epoch they were issued in, so those
        # issued before stay refused even if the account is activated again.
        Account.objects(id=account.id).update_one(set__active=False, inc__epoch=1)
    revocation.bump()  # every gateway worker re-checks its tokens against the store
    account.reload()
    return account


def profile_problem(status: int, data: Any) -> Problem:
    """Turn a service's refusal of a profile into a problem naming ``profile.<field>``."""
    body = data if isinstance(data, dict) else {}
    errors = [
        field_error(
            "profile" if e.get("field") in (None, "body") else f"profile.{e.get('field')}",
            str(e.get("message", "")),
        )
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    detail = str(body.get("detail") or "the profile was not accepted")
    problem = Problem(f"profile: {detail}", errors=errors, status=status)
    problem.kind = str(body.get("type", "")).rsplit("/", 1)[-1] or "validation"
    problem.title = str(body.get("title") or "Profile not accepted")
    return problem
