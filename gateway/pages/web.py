"""What every page shares: language, CSRF tokens, sign-in checks, calling the API as the user."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Response, flash, g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from services.common.errors import Forbidden, Problem
from services.common.state import current_settings

from ..auth import COOKIE_NAME, Principal, current_principal
from ..i18n import LANGUAGES, translate
from ..i18n.web import init_babel
from ..policies import PAGES
from ..transport import Upstream
from ..views import call_route
from . import bp

LANG_COOKIE = "qabilet_lang"
CSRF_COOKIE = "qabilet_csrf"
CSRF_FIELD = "csrf_token"
YEAR = 365 * 24 * 3600
HOME_OF_ROLE = {
    "learner": "pages.learner_profile",
    "employer": "pages.employer_home",
    "provider": "pages.provider_home",
    "ministry": "pages.ministry_dashboard",
    "admin": "pages.admin_accounts",
}

F = TypeVar("F", bound=Callable[..., Any])


def current_lang() -> str:
    """Return the interface language: ?lang=, then the cookie, then Accept-Language."""
    if "lang" in g:
        lang: str = g.lang
        return lang
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        g.set_lang_cookie = chosen
    else:
        chosen = request.cookies.get(LANG_COOKIE)
    if chosen not in LANGUAGES:
        chosen = request.accept_languages.best_match(LANGUAGES, default="ru")
    g.lang = chosen
    return str(chosen)


# Flask-Babel takes the page's language as its locale (dates and numbers on pages).
bp.record_once(lambda state: init_babel(state.app, current_lang))


@bp.app_template_global("_")
def _(key: str, **values: Any) -> str:
    """Translate an interface message into the current language."""
    return translate(current_lang(), key, **values)


def _session_id() -> str:
    principal = current_principal()
    if principal is not None:
        return "jti:" + principal.jti
    sid = request.cookies.get(CSRF_COOKIE) or g.get("new_csrf_cookie")
    if not sid or len(sid) > 64:
        sid = g.new_csrf_cookie = secrets.token_urlsafe(24)
    return "anon:" + sid


@bp.app_template_global()
def csrf_token() -> str:
    """Return the CSRF token of this browser session (tied to the token id once signed in)."""
    key = current_settings().jwt_secret.encode()
    return hmac.new(key, b"csrf|" + _session_id().encode(), hashlib.sha256).hexdigest()[:40]


@bp.before_request
def check_csrf() -> None:
    """Refuse a form post whose CSRF token does not belong to this session."""
    if request.method != "POST":
        return
    sent = request.form.get(CSRF_FIELD, "")
    if not hmac.compare_digest(sent, csrf_token()):
        raise Forbidden("the form has expired or did not come from this site; reload and retry")


@bp.after_request
def set_cookies(response: Response) -> Response:
    """Remember the language choice and the anonymous CSRF session."""
    lang = g.get("set_lang_cookie")
    secure = current_settings().cookie_secure
    if lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=YEAR, samesite="Lax", secure=secure)
    sid = g.get("new_csrf_cookie")
    if sid:
        response.set_cookie(CSRF_COOKIE, sid, httponly=True, samesite="Lax", secure=secure)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.app_context_processor
def page_globals() -> dict[str, Any]:
    """Give every template the language, translator, CSRF token and the signed-in account."""
    return {
        "_": _,
        "lang": current_lang() if request else "ru",
        "languages": LANGUAGES,
        "csrf_token": csrf_token,
        "me": current_principal() if request else None,
    }


def set_session_cookie(response: BaseResponse, token: str) -> None:
    """Store the access token in the session cookie (HttpOnly, SameSite=Lax)."""
    settings = current_settings()
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.token_ttl,
        httponly=True,
        samesite="Lax",
        secure=settings.cookie_secure,
    )


def safe_next(target: str | None, fallback: str) -> str:
    """Return a local path to go back to (never another site)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return fallback


def home_url(principal: Principal) -> str:
    """Return the start page of a role."""
    return url_for(HOME_OF_ROLE[principal.role])


def page(area: str) -> Callable[[F], F]:
    """Require a signed-in account the area's policy admits (redirect to sign in if anonymous)."""
    policy = PAGES[area]  # the same rule as the API's: gateway/policies.py

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                response = redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
                if request.cookies.get(COOKIE_NAME):
                    response.delete_cookie(COOKIE_NAME)
                return response
            if not policy.admits(principal):
                raise Forbidden(_("error.role"))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def me() -> Principal:
    """Return the signed-in principal of a page guarded by @page."""
    principal = current_principal()
    assert principal is not None
    return principal


def api(
    method: str, path: str, *, query: Mapping[str, Any] | None = None, payload: Any = None
) -> Upstream:
    """Call the public API as the signed-in user (same policies as over HTTP)."""
    return call_route(
        method, path, query={k: str(v) for k, v in (query or {}).items()}, payload=payload
    )


def api_data(
    method: str, path: str, *, query: Mapping[str, Any] | None = None, payload: Any = None
) -> Any:
    """Call the API and return its JSON, raising its problem if it refused."""
    answer = api(method, path, query=query, payload=payload)
    if answer.status >= 400:
        raise answer_problem(answer)
    return answer.json()


def answer_problem(answer: Upstream) -> Problem:
    """Return the problem a service answered with."""
    data = answer.json()
    body = data if isinstance(data, dict) else {}
    return Problem(
        str(body.get("detail") or _("error.generic")),
        status=answer.status,
        errors=list(body.get("errors") or []),
    )


def flash_answer(answer: Upstream, done: str) -> None:
    """Flash why the API refused (in the page's language), or ``done`` when it accepted."""
    if answer.status >= 400:
        flash(" ".join(problem_messages(answer_problem(answer))), "error")
    else:
        flash(done, "ok")


def problem_messages(problem: Problem) -> list[str]:
    """Return a problem's meaning and field errors as lines in the page's language."""
    from .present import problem_lines  # present builds on this module

    return problem_lines(problem)
