"""One error format for the suite: ``application/problem+json`` (RFC 9457) with field errors."""

from __future__ import annotations

import logging
from typing import Any

import mongoengine
from flask import Flask, Response, g, json
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://qabilet.kz/problems/"

log = logging.getLogger("qabilet.errors")


class Problem(Exception):
    """An error a client can act on, rendered as problem+json."""

    status = 400
    kind = "bad-request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        if status is not None:
            self.status = status
        self.headers = headers or {}
        self.extra = extra


class ValidationProblem(Problem):
    status = 422
    kind = "validation"
    title = "Validation failed"


class NotFound(Problem):
    status = 404
    kind = "not-found"
    title = "Not found"


class Conflict(Problem):
    status = 409
    kind = "conflict"
    title = "Conflict"


class Forbidden(Problem):
    status = 403
    kind = "forbidden"
    title = "Forbidden"


class Unauthorized(Problem):
    status = 401
    kind = "unauthorized"
    title = "Authentication required"


class Unavailable(Problem):
    status = 503
    kind = "unavailable"
    title = "Service unavailable"


def field_error(field: str, message: str) -> dict[str, str]:
    """Return one entry of a problem's ``errors`` list."""
    return {"field": field, "message": message}


def problem_response(
    status: int,
    kind: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    rid = g.get("request_id") if g else None
    if rid:
        body["request_id"] = rid
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _flatten(prefix: str, tree: Any) -> list[dict[str, Any]]:
    # Errors raised in clean() arrive under "__all__" and embedded ones nest: name each field.
    if not isinstance(tree, dict):
        return [field_error(prefix or "body", str(tree))]
    out: list[dict[str, Any]] = []
    for name, sub in tree.items():
        part = "" if name == "__all__" else str(name)
        out += _flatten(".".join(p for p in (prefix, part) if p), sub)
    return out


def _mongo_validation_errors(exc: mongoengine.ValidationError) -> list[dict[str, Any]]:
    if exc.errors:
        return _flatten("", exc.to_dict())
    return [field_error(exc.field_name or "body", exc.message)]


def register_error_handlers(app: Flask) -> None:
    """Map every error a service can raise to problem+json, once."""

    @app.errorhandler(Problem)
    def on_problem(exc: Problem) -> Response:
        return problem_response(
            exc.status, exc.kind, exc.title, exc.detail, exc.errors, exc.headers, **exc.extra
        )

    @app.errorhandler(mongoengine.ValidationError)
    def on_mongo_validation(exc: mongoengine.ValidationError) -> Response:
        return problem_response(
            422,
            "validation",
            "Validation failed",
            "the data is not valid",
            _mongo_validation_errors(exc),
        )

    @app.errorhandler(mongoengine.NotUniqueError)
    def on_not_unique(exc: mongoengine.NotUniqueError) -> Response:
        field = "id"
        text = str(exc)
        if "index:" in text:
            field = text.split("index:", 1)[1].strip().split("_", 1)[0]
        return problem_response(
            409,
            "conflict",
            "Conflict",
            "a record with this value already exists",
            [field_error(field, "already exists")],
        )

    @app.errorhandler(mongoengine.DoesNotExist)
    def on_does_not_exist(exc: mongoengine.DoesNotExist) -> Response:
        return problem_response(404, "not-found", "Not found", "no such record")

    @app.errorhandler(HTTPException)
    def on_http(exc: HTTPException) -> Response:
        status = exc.code or 500
        name = (exc.name or "error").lower().replace(" ", "-")
        detail = exc.description or exc.name or ""
        if status == 413:
            detail = "the request body is larger than this service accepts"
        resp = problem_response(status, name, exc.name or "Error", detail)
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            resp.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return resp

    @app.errorhandler(Exception)
    def on_unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        detail = repr(exc) if app.debug else "an unexpected error occurred; it has been logged"
        return problem_response(500, "internal", "Internal server error", detail)
