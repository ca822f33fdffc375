"""The public API's proxied routes: check the caller, apply the route's policy, forward."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlencode

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from services.common.errors import NotFound

from .auth import current_principal
from .paths import build_path
from .pokes import pokes_of_app
from .policies import authorise
from .proxy import API_PREFIX, Call, proxy_of_app, to_response
from .routes import REPORTS, ROUTES, Route
from .specs import specs_of_app
from .transport import Upstream

REPORT_SERVICES = ("learner", "matcher", "jobs")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@lru_cache(maxsize=256)
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{pattern}$")


def report_service(path: str) -> str:
    """Return the service whose OpenAPI document declares the report at ``path``."""
    specs = specs_of_app()
    for service in REPORT_SERVICES:
        doc = specs.get(service)
        for template, ops in ((doc or {}).get("paths") or {}).items():
            if template.startswith("/reports") and "get" in ops:
                if _template_regex(template).match(path):
                    return service
    raise NotFound("no such report")


def make_view(route: Route) -> Callable[..., Response]:
    """Build the Flask view that serves one public route."""

    def view(**params: Any) -> Response:
        routed = {k: str(v) for k, v in params.items()}
        # Built from the routed parameters the policy checks: what is authorised is what is sent.
        target_path = build_path(route.rule, routed)
        current_principal()
        if g.get("auth_error") is not None:
            raise g.auth_error
        call = Call(
            principal=g.principal,
            method=route.method,
            service=route.service,
            params=routed,
            proxy=proxy_of_app(),
            target_path=target_path,
            raw_query=request.query_string.decode("latin-1"),
            args=request.args,
            content_type=request.content_type,
            body=request.get_data() if route.method in BODY_METHODS else None,
        )
        authorise(route.policy, call)
        if call.service == REPORTS:
            # Resolved after the policy, so that a refused caller learns nothing about reports.
            call.service = report_service(request.path[len(API_PREFIX) :])
        answer = call.forward()
        pokes_of_app().after_write(call.service, call.method, call.params, answer)
        return to_response(answer)

    view.__name__ = re.sub(r"\W+", "_", route.endpoint)
    return view


def register_routes(app: Flask) -> None:
    """Add every public route of the table to ``app``."""
    for route in ROUTES:
        app.add_url_rule(
            API_PREFIX + route.rule, route.endpoint, make_view(route), methods=[route.method]
        )


def call_route(
    method: str,
    path: str,
    *,
    query: Mapping[str, str] | None = None,
    payload: Any = None,
    body: bytes | None = None,
    content_type: str | None = None,
) -> Upstream:
    """Call a public route as the current caller, with its policy, from the gateway's own pages.

    ``payload`` is sent as JSON; ``body`` as raw bytes of ``content_type`` (a page's CSV upload).
    """
    public = API_PREFIX + path
    try:
        endpoint, params = current_app.url_map.bind("gateway").match(public, method=method)
    except HTTPException as exc:
        raise NotFound(f"no public route {method} {public}") from exc
    route = _BY_ENDPOINT[endpoint]
    args = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    # Pages quote path values (a Cyrillic provider key); the map matched them still quoted.
    routed = {k: unquote(str(v)) for k, v in params.items()}
    call = Call(
        principal=current_principal(),
        method=method,
        service=route.service,
        params=routed,
        proxy=proxy_of_app(),
        target_path=build_path(route.rule, routed),
        raw_query=urlencode(args),
        args=args,
        content_type="application/json" if payload is not None else content_type,
        body=body if payload is None else json.dumps(payload).encode(),
    )
    authorise(route.policy, call)
    if call.service == REPORTS:
        call.service = report_service(path)
    answer = call.forward()
    pokes_of_app().after_write(call.service, call.method, call.params, answer)
    return answer


_BY_ENDPOINT = {route.endpoint: route for route in ROUTES}
