"""Error answers of the pages: HTML in the page's language, keeping what was typed.

The API (``/api/v1``, ``/openapi.json``, health probes) keeps answering problem+json; a browser
asking for a page gets a page. A form posted with more than ``MAX_CONTENT_LENGTH`` bytes is read
back (up to a few times the limit) so that the form can be shown again with the text and how
long each field may be, instead of losing a long CV.
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, current_app, render_template, request
from flask_limiter import RateLimitExceeded
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from services.common.errors import Problem, problem_response

from ..proxy import API_PREFIX
from . import bp
from .web import CSRF_FIELD, _, csrf_token

log = logging.getLogger("qabilet.gateway.pages")

JSON_PATHS = ("/openapi.json", "/healthz", "/readyz")
# How much of an oversized form is read back to show it again; beyond this it is refused unread.
REREAD_FACTOR = 4
# Longest text each form field takes (the services' limits), shown as hints and on a 413.
FIELD_LIMITS = {
    "cv_text": 20_000,
    "description": 20_000,
    "requirements": 20_000,
    "cover_letter": 10_000,
    "title": 300,
    "name": 200,
    "sector": 200,
    "email": 254,
    "q": 200,
}
TITLED_STATUSES = (400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 502, 503, 504)

FormRenderer = Callable[[MultiDict[str, str], list[str]], Any]
# endpoint -> a function showing its form again with these values and error lines
_FORMS: dict[str, FormRenderer] = {}


def keeps_form(endpoint: str) -> Callable[[FormRenderer], FormRenderer]:
    """Register how ``endpoint`` shows its form again when the post was too large."""

    def register(render: FormRenderer) -> FormRenderer:
        _FORMS[endpoint] = render
        return render

    return register


@bp.app_template_global()
def max_chars(field: str) -> int:
    """Return the longest text a form field takes."""
    return FIELD_LIMITS.get(field, 1000)


@bp.app_template_global()
def body_limit_kib() -> int:
    """Return the largest form body in KiB."""
    return int((current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024)


def wants_page() -> bool:
    """Say whether this request is a browser's page request (not the API)."""
    path = request.path
    if path.startswith(API_PREFIX + "/") or path == API_PREFIX or path in JSON_PATHS:
        return False
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/problem+json", "application/json"]
    )
    return best in (None, "text/html")


def error_page(
    status: int,
    detail: str,
    headers: Mapping[str, str] | None = None,
    *,
    lead: str | None = None,
) -> Response:
    """Return the HTML error page for ``status`` (title, what happened, what to do)."""
    title = _(f"error.title_{status}") if status in TITLED_STATUSES else _("error.title")
    response = Response(
        render_template(
            "errors/error.html", status=status, title=title, detail=detail, lead=lead,
            retry_after=(headers or {}).get("Retry-After"),
        ),
        status=status,
    )  # fmt: skip
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@bp.errorhandler(Problem)
def on_page_problem(exc: Problem) -> Response:
    """Show a page's problem as an HTML error page in the page's language."""
    from .present import detail_message

    return error_page(exc.status, detail_message(exc.detail, _lang(), exc.status), exc.headers)


@bp.app_errorhandler(404)
def on_not_found(exc: HTTPException) -> Response:
    """Answer an unknown address with a page (or problem+json on the API)."""
    if not wants_page():
        return problem_response(404, "not-found", "Not Found", exc.description or "not found")
    return error_page(404, _("problem.not_found"), lead=_("error.not_found_lead"))


@bp.app_errorhandler(405)
def on_wrong_method(exc: HTTPException) -> Response:
    """Answer a wrong method (GET on a form's address) with a page, or problem+json on the API."""
    if not wants_page():
        resp = problem_response(405, "method-not-allowed", "Method Not Allowed",
                                exc.description or "method not allowed")  # fmt: skip
    else:
        resp = error_page(405, _("error.generic"))
    valid = getattr(exc, "valid_methods", None)
    if valid:
        resp.headers["Allow"] = ", ".join(valid)
    return resp


@bp.errorhandler(RateLimitExceeded)
def on_rate_limited(exc: RateLimitExceeded) -> Response:
    """Answer a page over its request budget with a page saying when to retry."""
    wait = _retry_after()
    return error_page(
        429, _("problem.rate_limited", seconds=wait), headers={"Retry-After": str(wait)}
    )


@bp.errorhandler(RequestEntityTooLarge)
def on_too_large(exc: RequestEntityTooLarge) -> Any:
    """Show an oversized form again with its text and each field's limit."""
    form = _reread_form()
    limit = body_limit_kib()
    if form is None:
        return error_page(413, _("error.too_large_lost", limit=limit))
    errors = [_("error.too_large_lead", limit=limit), *_length_lines(form)]
    render = _FORMS.get(request.endpoint or "")
    if render is not None:
        body = render(form, errors)
        return _with_status(body, 413)
    fields = [(k, v) for k, v in form.items(multi=True) if k != CSRF_FIELD and len(v) > 40]
    html = render_template(
        "errors/too_large.html", errors=errors, fields=fields, action=request.path
    )
    return Response(html, status=413)


@bp.errorhandler(HTTPException)
def on_http_error(exc: HTTPException) -> Response:
    """Answer other HTTP errors of the pages (405, 400…) with a page."""
    status = exc.code or 500
    if status == 404:
        return on_not_found(exc)
    if status == 405:
        return on_wrong_method(exc)
    return error_page(status, _("error.generic"))


@bp.errorhandler(Exception)
def on_unexpected(exc: Exception) -> Response:
    """Answer an unexpected failure of a page with a page; the details go to the log only."""
    log.exception("page failed")
    return error_page(500, _("error.internal"))


def _lang() -> str:
    from .web import current_lang

    return current_lang()


def _retry_after() -> int:
    limiters = current_app.extensions.get("limiter") or ()
    for limiter in limiters:
        current = getattr(limiter, "current_limit", None)
        if current is not None:
            return max(1, math.ceil(current.reset_at - time.time()))
    return 1


def _reread_form() -> MultiDict[str, str] | None:
    """Return the posted form read with a larger allowance, if it is ours and not huge."""
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    size = request.content_length
    if request.method != "POST" or not limit or size is None or size > REREAD_FACTOR * limit:
        return None
    request.max_content_length = REREAD_FACTOR * limit
    request.max_form_memory_size = REREAD_FACTOR * limit
    try:
        form = MultiDict(request.form.items(multi=True))
    except RequestEntityTooLarge:
        return None
    # Only this browser's own form is shown back (never text another site posted here).
    if not hmac.compare_digest(form.get(CSRF_FIELD, ""), csrf_token()):
        return None
    return form


def _length_lines(form: MultiDict[str, str]) -> list[str]:
    from .present import field_label

    lines = []
    for name, limit in FIELD_LIMITS.items():
        value = form.get(name)
        if value is not None and len(value) > limit:
            count = f"{len(value):,}".replace(",", " ")
            lines.append(
                _("error.field_length", field=field_label(name, _lang()), count=count,
                  limit=f"{limit:,}".replace(",", " "))
            )  # fmt: skip
    return lines


def _with_status(body: Any, status: int) -> Response:
    if isinstance(body, Response):
        body.status_code = status
        return body
    if isinstance(body, tuple):
        body = body[0]
    return Response(body, status=status, mimetype="text/html")
