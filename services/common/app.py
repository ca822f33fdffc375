"""App factory helpers every service uses: store, errors, logs, health, OpenAPI, feed."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Flask, Response

from .api import json_response, openapi_document
from .db import init_db, ping
from .errors import register_error_handlers
from .feed import changes_blueprint
from .identity import init_identity
from .logs import configure_logging, init_request_ids
from .settings import BaseSettings
from .state import app_state


def register_health(app: Flask, settings: BaseSettings, alias: str) -> None:
    """Add ``/healthz`` (the process answers) and ``/readyz`` (its database answers)."""

    @app.get("/healthz")
    def healthz() -> Response:
        return json_response({"status": "ok", "service": settings.service})

    @app.get("/readyz")
    def readyz() -> Response:
        try:
            ping(alias)
        except Exception as exc:  # any store failure means not ready
            return json_response(
                {"status": "unavailable", "service": settings.service, "error": type(exc).__name__},
                503,
                {"Retry-After": "5"},
            )
        return json_response({"status": "ready", "service": settings.service})


def create_service_app(
    name: str,
    settings: BaseSettings,
    *,
    alias: str,
    blueprints: Iterable[Blueprint],
    title: str,
    feed: bool = True,
    identity: bool = True,
    openapi: bool = True,
    merge_slashes: bool = True,
) -> Flask:
    """Build a service's Flask app (nothing connects until the first store operation).

    The gateway, the public door, passes ``identity=False`` (it signs its calls, nobody signs
    to it), ``openapi=False`` (it serves the merged document) and ``merge_slashes=False``.
    """
    app = Flask(name)
    # Set before any rule is added: a rule takes the map's setting when it is bound.
    app.url_map.merge_slashes = merge_slashes
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["TESTING"] = settings.testing
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if not settings.testing:
        configure_logging(settings.service, settings.log_level)
    init_db(settings, alias).init_app(app)
    app_state(app).read_models = settings.read_models
    register_error_handlers(app)
    init_request_ids(app)
    if identity:
        init_identity(app, settings)

    register_health(app, settings, alias)

    for bp in blueprints:
        app.register_blueprint(bp)
    if feed:
        app.register_blueprint(changes_blueprint(alias))

    if openapi:

        @app.get("/openapi.json", endpoint="openapi")
        def openapi_json() -> Response:
            return json_response(openapi_document(app, title))

    return app
