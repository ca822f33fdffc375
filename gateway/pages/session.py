"""Home, language switch, sign in, sign out and registration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from services.common.emails import email_key, email_problem
from services.common.errors import Problem
from services.common.reference import PROGRAMMES, REGIONS
from services.common.state import current_settings

from .. import accounts, logins
from ..api import make_profile
from ..auth import COOKIE_NAME, current_principal, request_token, tokens
from ..i18n import LANGUAGES
from . import bp
from .errors import keeps_form
from .web import (
    LANG_COOKIE,
    YEAR,
    _,
    current_lang,
    home_url,
    problem_messages,
    safe_next,
    set_session_cookie,
)


def region_choices() -> list[tuple[str, str]]:
    """Return (slug, name in the interface language) for every region."""
    lang = current_lang()
    return [(r.slug, getattr(r, f"name_{lang}")) for r in REGIONS]


@bp.app_template_global()
def region_name(slug: str | None) -> str:
    """Return a region's name in the interface language."""
    lang = current_lang()
    for region in REGIONS:
        if region.slug == slug:
            return str(getattr(region, f"name_{lang}"))
    return slug or ""


@bp.app_template_global()
def programme_name(slug: str | None) -> str:
    """Return a programme's name in the interface language (its slug if unknown)."""
    key = f"programme.{slug}"
    name = _(key)
    return name if name != key else PROGRAMMES.get(slug or "", slug or "")


@bp.get("/")
def home() -> Any:
    """Send a signed-in user to their start page; show the welcome page otherwise."""
    principal = current_principal()
    if principal is not None:
        return redirect(home_url(principal))
    return render_template("home.html")


@bp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    """Choose the interface language and go back."""
    response = redirect(safe_next(request.args.get("next"), url_for("pages.home")))
    if code in LANGUAGES:
        secure = current_settings().cookie_secure
        response.set_cookie(LANG_COOKIE, code, max_age=YEAR, samesite="Lax", secure=secure)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with email and password; the token goes into an HttpOnly cookie."""
    errors: list[str] = []
    email = request.form.get("email", "")
    status, headers = 200, {}
    if request.method == "POST":
        try:
            # The same budgets as POST /api/v1/auth/token (see gateway/logins.py).
            account = logins.sign_in(
                email=email,
                password=request.form.get("password", ""),
                address=request.remote_addr,
                settings=current_settings(),
            )
        except logins.TooManyAttempts as exc:
            errors.append(_("login.too_many", seconds=exc.retry_after))
            status, headers = 429, exc.headers
        except Problem:
            errors.append(_("login.failed"))
            status = 401
        else:
            token, principal = tokens().issue(account)
            target = safe_next(request.args.get("next"), home_url(principal))
            response = redirect(target)
            set_session_cookie(response, token)
            return response
    return render_template("login.html", errors=errors, email=email), status, headers


@bp.post("/logout")
def logout() -> Response:
    """Sign out: the token is revoked and the cookie removed."""
    principal = current_principal()
    token = request_token()
    if principal is not None and token:
        tokens().revoke(token, principal)
    response = redirect(url_for("pages.login"))
    response.delete_cookie(COOKIE_NAME)
    return response


def _profile_from_form(role: str, form: Mapping[str, str]) -> dict[str, Any]:
    if role == "learner":
        profile: dict[str, Any] = {
            "name": form.get("name", ""),
            "region": form.get("region", ""),
            "programme": form.get("programme", "other"),
            "consent": form.get("consent") == "on",
        }
        if form.get("cv_text", "").strip():
            profile["cv_text"] = form["cv_text"]
        return profile
    return {
        "name": form.get("name", ""),
        "bin": form.get("bin", ""),
        "region": form.get("region", ""),
        "sector": form.get("sector", ""),
    }


@bp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    """Create a learner or employer account together with its profile."""
    return _register_page(request.form, [])


@keeps_form("pages.register")
def _register_page(form: Mapping[str, str], shown: list[str]) -> Any:
    """Show the registration form (``shown``: lines already known to be wrong)."""
    errors: list[str] = list(shown)
    role = form.get("role") or request.args.get("role") or "learner"
    if role not in ("learner", "employer"):
        role = "learner"
    if request.method == "POST" and not shown:
        email, password = form.get("email", "").strip(), form.get("password", "")
        if len(password) < 8:
            errors.append(_("register.password_short"))
        elif email_problem(email) is not None:  # the one rule of the API and the services
            errors.append(_("register.email_invalid"))
        else:
            try:
                account = accounts.create_with_profile(
                    email=email,
                    password=password,
                    role=role,
                    profile=_profile_from_form(role, form),
                    method=current_settings().password_method,
                    make_profile=lambda r, p: make_profile(r, p, email_key(email)),
                )
            except Problem as exc:
                errors.extend(problem_messages(exc))
            else:
                token, principal = tokens().issue(account)
                response = redirect(home_url(principal))
                set_session_cookie(response, token)
                flash(_("register.done"), "ok")
                return response
    return (
        render_template(
            "register.html",
            role=role,
            form=form,
            errors=errors,
            regions=region_choices(),
            programmes=PROGRAMMES,
        ),
        422 if errors else 200,
    )
