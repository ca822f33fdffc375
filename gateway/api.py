"""The gateway's own API: tokens, self-registration, the caller's identity, accounts (admin)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from services.common.emails import email_key
from services.common.errors import ValidationProblem, field_error
from services.common.providers import provider_key
from services.common.state import current_settings

from . import accounts, logins
from .auth import bearer_token, describe, require_principal, tokens
from .pokes import pokes_of_app
from .proxy import proxy_of_app
from .routes import own_endpoint
from .schemas import (
    AccountCreate,
    AccountPage,
    AccountQuery,
    AccountRead,
    MeRead,
    Registered,
    Registration,
    TokenRead,
    TokenRequest,
)

bp = Blueprint("auth", __name__)
accounts_bp = Blueprint("accounts", __name__)

AUTH = ["auth"]
ACCOUNTS = ["accounts"]
PROFILE_SERVICE = {"learner": ("learner", "/learners"), "employer": ("jobs", "/employers")}


def with_account_email(profile: dict[str, Any], email: str) -> dict[str, Any]:
    """Return the learner profile carrying the account's email; refuse any other address."""
    given = profile.get("email")
    # Only the account's address may stand on the profile: otherwise anyone could register
    # another person's address there and keep its owner from registering.
    if given is not None and (not isinstance(given, str) or email_key(given) != email_key(email)):
        raise ValidationProblem(
            "a learner profile's email is the account's email",
            errors=[field_error("profile.email", "leave it out: the account's email is used")],
        )
    return {**profile, "email": email}


def make_profile(role: str, profile: dict[str, Any], email: str) -> str:
    """Create the learner or employer profile of a new account; return its id."""
    service, path = PROFILE_SERVICE[role]
    if role == "learner":
        profile = with_account_email(profile, email)
    answer = proxy_of_app().call_json(service, "POST", path, profile)
    data = answer.json()
    if answer.status >= 300 or not isinstance(data, dict) or "id" not in data:
        raise accounts.profile_problem(answer.status if answer.status < 500 else 502, data)
    if role == "learner":  # a new learner's CV is tagged ahead of the matcher's backlog
        pokes_of_app().changed("learner", str(data["id"]))
    return str(data["id"])


def _issue(account: accounts.Account) -> dict[str, Any]:
    token, _ = tokens().issue(account)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": current_settings().token_ttl,
        "role": account.role,
        "account_id": str(account.id),
    }


@own_endpoint(
    bp,
    "POST",
    "/api/v1/auth/token",
    body=TokenRequest,
    response=TokenRead,
    tags=AUTH,
    errors={401: "wrong email or password", 429: "too many attempts"},
)
def create_token(body: TokenRequest) -> dict[str, Any]:
    """Exchange email and password for a signed access token (one budget with the login page)."""
    account = logins.sign_in(
        email=body.email,
        password=body.password,
        address=request.remote_addr,
        settings=current_settings(),
    )
    return _issue(account)


@own_endpoint(
    bp,
    "POST",
    "/api/v1/auth/register",
    body=Registration,
    response=Registered,
    status=201,
    tags=AUTH,
    errors={
        409: "email already registered",
        429: "too many attempts",
        503: "the profile's service is unavailable",
    },
)
def register(body: Registration) -> dict[str, Any]:
    """Register as a learner or employer; the profile is created with the account."""
    settings = current_settings()
    account = accounts.create_with_profile(
        email=body.email,
        password=body.password,
        role=body.role,
        profile=body.profile,
        method=settings.password_method,
        make_profile=lambda role, profile: make_profile(role, profile, body.email),
    )
    issued = _issue(account)
    return {
        "account": account,
        "access_token": issued["access_token"],
        "expires_in": issued["expires_in"],
    }


@own_endpoint(
    bp, "POST", "/api/v1/auth/logout", status=204, tags=AUTH, errors={401: "not signed in"}
)
def logout() -> None:
    """Sign the current access token out before it expires."""
    principal = require_principal()
    token = bearer_token()
    if token:
        tokens().revoke(token, principal)


@own_endpoint(bp, "GET", "/api/v1/me", response=MeRead, tags=AUTH, errors={401: "not signed in"})
def get_me() -> dict[str, Any]:
    """Return the signed-in account, its role and the profile it speaks for."""
    return describe(require_principal())


@own_endpoint(
    accounts_bp,
    "POST",
    "/api/v1/accounts",
    body=AccountCreate,
    response=AccountRead,
    status=201,
    tags=ACCOUNTS,
    errors={401: "not signed in", 403: "admins only", 409: "email already registered"},
)
def create_account(body: AccountCreate) -> accounts.Account:
    """Create an account of any role (admin)."""
    settings = current_settings()
    link = {"learner": body.learner_id, "employer": body.employer_id}.get(body.role)
    wrong = [
        field_error(name, f"only for {name.split('_')[0]} accounts")
        for name in ("learner_id", "employer_id")
        if getattr(body, name) is not None and not name.startswith(body.role)
    ]
    if body.profile is not None and body.role not in PROFILE_SERVICE:
        wrong.append(field_error("profile", "only learner and employer accounts have profiles"))
    if body.provider is not None and body.role != "provider":
        wrong.append(field_error("provider", "only for provider accounts"))
    if body.role == "provider" and (body.provider is None or not provider_key(body.provider)):
        wrong.append(field_error("provider", "give the provider's name as its courses carry it"))
    if body.profile is not None and link is not None:
        wrong.append(field_error("profile", "give either a profile or an existing profile id"))
    if wrong:
        raise ValidationProblem("the body is not valid", errors=wrong)
    if body.profile is not None:
        return accounts.create_with_profile(
            email=body.email,
            password=body.password,
            role=body.role,
            profile=body.profile,
            method=settings.password_method,
            make_profile=lambda role, profile: make_profile(role, profile, body.email),
        )
    if link is not None:
        service, path = PROFILE_SERVICE[body.role]
        proxy_of_app().fetch(service, f"{path}/{link}")  # 404 if the profile does not exist
    elif body.role in PROFILE_SERVICE:
        raise ValidationProblem(
            "a learner or employer account needs its profile",
            errors=[field_error(f"{body.role}_id", "give the profile id or a profile")],
        )
    return accounts.create(
        email=body.email,
        password=body.password,
        role=body.role,
        method=settings.password_method,
        learner_id=body.learner_id,
        employer_id=body.employer_id,
        provider=body.provider,
    )


@own_endpoint(
    accounts_bp,
    "GET",
    "/api/v1/accounts",
    query=AccountQuery,
    response=AccountPage,
    tags=ACCOUNTS,
    errors={401: "not signed in", 403: "admins only"},
)
def list_accounts(query: AccountQuery) -> dict[str, Any]:
    """List accounts, newest first (admin)."""
    return accounts.list_accounts(
        role=query.role, active=query.active, q=query.q, limit=query.limit, offset=query.offset
    )


@own_endpoint(
    accounts_bp,
    "GET",
    "/api/v1/accounts/<account_id>",
    response=AccountRead,
    tags=ACCOUNTS,
    errors={401: "not signed in", 403: "admins only"},
)
def get_account(account_id: str) -> accounts.Account:
    """Return one account (admin)."""
    account = accounts.get(account_id=account_id)
    if account.pending:
        raise accounts.NotFound(f"no account {account_id}")
    return account


def _set_active(account_id: str, active: bool) -> accounts.Account:
    principal = require_principal()
    return accounts.set_active(
        account_id=account_id, active=active, acting_account_id=principal.account_id
    )


@own_endpoint(
    accounts_bp,
    "POST",
    "/api/v1/accounts/<account_id>/deactivate",
    response=AccountRead,
    tags=ACCOUNTS,
    errors={401: "not signed in", 403: "admins only", 409: "cannot deactivate yourself"},
)
def deactivate_account(account_id: str) -> accounts.Account:
    """Deactivate an account: its tokens stop working (admin)."""
    return _set_active(account_id, False)


@own_endpoint(
    accounts_bp,
    "POST",
    "/api/v1/accounts/<account_id>/activate",
    response=AccountRead,
    tags=ACCOUNTS,
    errors={401: "not signed in", 403: "admins only"},
)
def activate_account(account_id: str) -> accounts.Account:
    """Activate an account again (admin)."""
    return _set_active(account_id, True)
