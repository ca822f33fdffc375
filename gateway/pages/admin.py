"""The admin's pages: the account list with (de)activation, and creating accounts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from flask import flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from services.common.api import validation_problem
from services.common.errors import Problem

from .. import accounts
from ..api import create_account
from ..models import Account
from ..schemas import AccountCreate, Role
from . import bp
from .errors import keeps_form
from .web import _, me, page, problem_messages

ROLES: tuple[str, ...] = get_args(Role)
# Learners and employers register themselves with a profile; here an admin creates staff
# accounts, or links an account to a profile that already exists.
PROFILE_ROLES = ("learner", "employer")
PAGE_SIZE = 100


@bp.route("/admin", methods=["GET"])
@page("admin")
def admin_accounts() -> str:
    """List accounts for the admin, with (de)activation and a search by email."""
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    q = (request.args.get("q") or "").strip()[:254] or None
    page_data = accounts.list_accounts(role=role, active=None, q=q, limit=PAGE_SIZE, offset=0)
    items: list[Account] = page_data["items"]
    return render_template(
        "admin/accounts.html",
        accounts=items,
        total=page_data["total"],
        role=role,
        q=q or "",
        roles=ROLES,
        me_id=me().account_id,
    )


@bp.post("/admin/accounts/<account_id>/<action>")
@page("admin")
def admin_set_active(account_id: str, action: str) -> Response:
    """Activate or deactivate an account from the admin page."""
    if action not in ("activate", "deactivate"):
        return redirect(url_for("pages.admin_accounts"))
    try:
        account = accounts.set_active(
            account_id=account_id, active=action == "activate", acting_account_id=me().account_id
        )
    except Problem as exc:
        flash(" ".join(problem_messages(exc)), "error")
    else:
        flash(_("admin.changed", email=account.email), "ok")
    return redirect(url_for("pages.admin_accounts"))


def _account_body(form: Mapping[str, str]) -> dict[str, Any]:
    role = form.get("role", "")
    body: dict[str, Any] = {
        "email": form.get("email", "").strip(),
        "password": form.get("password", ""),
        "role": role,
    }
    profile_id = form.get("profile_id", "").strip()
    if profile_id and role in PROFILE_ROLES:
        body[f"{role}_id"] = profile_id
    provider = form.get("provider", "").strip()
    if role == "provider" or provider:
        # A provider account is linked to the provider name its courses carry.
        body["provider"] = provider or None
    return body


@bp.route("/admin/accounts/new", methods=["GET", "POST"])
@page("admin")
def admin_new_account() -> Any:
    """Create an account of any role through the rules of POST /api/v1/accounts."""
    return _new_account_page(request.form, [])


@keeps_form("pages.admin_new_account")
def _new_account_page(form: Mapping[str, str], shown: list[str]) -> Any:
    errors = list(shown)
    if request.method == "POST" and not shown:
        try:
            body = AccountCreate.model_validate(_account_body(form))
            # The API view's own function, so the page and the API cannot drift apart.
            account = create_account.__wrapped__(body=body)  # type: ignore[attr-defined]
        except ValidationError as exc:
            errors = problem_messages(validation_problem(exc, "body"))
        except Problem as exc:
            errors = problem_messages(exc)
        else:
            flash(_("admin.created", email=account.email, role=_("role." + account.role)), "ok")
            return redirect(url_for("pages.admin_accounts", q=account.email))
    return (
        render_template(
            "admin/new_account.html",
            form=form,
            errors=errors,
            roles=ROLES,
            chosen=form.get("role") or request.args.get("role") or "ministry",
        ),
        422 if errors else 200,
    )
