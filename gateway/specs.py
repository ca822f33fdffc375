"""One OpenAPI document for the public API: the services' documents merged under /api/v1."""

from __future__ import annotations

import copy
import re
import threading
import time
from typing import Any

from flask import Flask, current_app

from services.common.api import openapi_document
from services.common.errors import Problem

from .policies import ANYONE, SIGNED_IN
from .proxy import API_PREFIX, Proxy
from .routes import REPORTS, ROUTES, Route

SERVICES = ("learner", "jobs", "matcher")
RETRY_FAILED_AFTER = 5.0
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
TITLE = "Qabilet public API"


class Specs:
    """The services' OpenAPI documents, fetched lazily and cached; the last good one is kept."""

    def __init__(self, proxy: Proxy, ttl: float) -> None:
        self.proxy = proxy
        self.ttl = ttl
        self._docs: dict[str, tuple[dict[str, Any] | None, float]] = {}
        self._guard = threading.Lock()

    def get(self, service: str) -> dict[str, Any] | None:
        """Return the service's document, or the last one seen if it is unreachable now."""
        now = time.monotonic()
        held = self._docs.get(service)
        if held is not None and now < held[1]:
            return held[0]
        doc: dict[str, Any] | None = None
        try:
            answer = self.proxy.send(service, "GET", "/openapi.json")
            data = answer.json()
            if answer.status == 200 and isinstance(data, dict):
                doc = data
        except Problem:
            doc = None
        with self._guard:
            if doc is not None:
                self._docs[service] = (doc, now + self.ttl)
            else:
                previous = held[0] if held is not None else None
                self._docs[service] = (previous, now + RETRY_FAILED_AFTER)
                doc = previous
        return doc

    def clear(self) -> None:
        """Forget every cached document."""
        with self._guard:
            self._docs.clear()


def specs_of_app() -> Specs:
    """Return the spec cache of the running app."""
    specs: Specs = current_app.extensions["qabilet_specs"]
    return specs


def shape(path: str) -> str:
    """Return a path template with its parameter names erased ('/a/{x}' -> '/a/{}')."""
    path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", path)
    return re.sub(r"\{[^}]+\}", "{}", path)


def _walk_refs(node: Any, rename: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                name = value.rsplit("/", 1)[-1]
                out[key] = "#/components/schemas/" + rename.get(name, name)
            else:
                out[key] = _walk_refs(value, rename)
        return out
    if isinstance(node, list):
        return [_walk_refs(item, rename) for item in node]
    return node


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for item in node:
            _refs(item, found)


def _security(route: Route | None, op: dict[str, Any]) -> None:
    responses = op.setdefault("responses", {})
    problem = {"content": {"application/problem+json": {"schema": PROBLEM_REF}}}
    if route is not None and route.policy is ANYONE:
        op["security"] = [{}, {"bearerAuth": []}]
    else:
        op["security"] = [{"bearerAuth": []}]
        responses.setdefault("401", {"description": "no valid access token", **problem})
        if route is None or route.policy is not SIGNED_IN:
            responses.setdefault("403", {"description": "not allowed for this caller", **problem})
    responses.setdefault("429", {"description": "rate limit reached (see Retry-After)", **problem})
    if route is not None:
        responses.setdefault("503", {"description": "service unavailable (Retry-After)", **problem})
        responses.setdefault("504", {"description": "service too slow (Retry-After)", **problem})
        op["x-allowed"] = route.who
        op["description"] = (
            op.get("description", "") + f"\n\nWho may call it: {route.who}."
        ).strip()


def _service_ops(service: str, doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], Route]]:
    by_shape: dict[tuple[str, str], Route] = {
        (r.method.lower(), shape(r.rule)): r for r in ROUTES if r.service == service
    }
    reports = next(r for r in ROUTES if r.service == REPORTS)
    found = []
    for path, ops in (doc.get("paths") or {}).items():
        for method, op in ops.items():
            if not isinstance(op, dict):
                continue
            route = by_shape.get((method, shape(path)))
            if route is None and method == "get" and path.startswith("/reports/"):
                if service in ("learner", "matcher", "jobs"):
                    route = reports
            if route is not None:
                found.append((path, method, op, route))
    return found


def public_document(app: Flask, specs: Specs) -> dict[str, Any]:
    """Build the OpenAPI document of every route the gateway exposes."""
    doc = openapi_document(app, TITLE)
    doc["info"]["description"] = (
        "The public API of Qabilet. Sign in with POST /api/v1/auth/token and send the token as "
        "'Authorization: Bearer <token>'. Errors are application/problem+json."
    )
    components: dict[str, Any] = doc["components"]["schemas"]
    for ops in doc["paths"].values():
        for op in ops.values():
            if op["operationId"] in ("auth_create_token", "auth_register"):
                op["security"] = [{}]
                op["responses"]["429"] = {
                    "description": "too many attempts (see Retry-After)",
                    "content": {"application/problem+json": {"schema": PROBLEM_REF}},
                }
            else:
                _security(None, op)
    for service in SERVICES:
        service_doc = specs.get(service)
        if not service_doc:
            continue
        theirs = (service_doc.get("components") or {}).get("schemas") or {}
        rename: dict[str, str] = {}
        for name, schema in theirs.items():
            if name in components and components[name] != schema:
                rename[name] = service.capitalize() + name
        picked = _service_ops(service, service_doc)
        wanted: set[str] = set()
        for path, method, op, route in picked:
            new_op = _walk_refs(copy.deepcopy(op), rename)
            new_op["operationId"] = f"{service}_{op.get('operationId', method + path)}"
            _security(route, new_op)
            _refs(new_op, wanted)
            doc["paths"].setdefault(API_PREFIX + path, {})[method] = new_op
        # Pull in only the schemas the picked operations reach, transitively.
        queue = list(wanted)
        seen: set[str] = set()
        reverse = {v: k for k, v in rename.items()}
        while queue:
            name = queue.pop()
            if name in seen:
                continue
            seen.add(name)
            original = reverse.get(name, name)
            if original not in theirs:
                continue
            schema = _walk_refs(copy.deepcopy(theirs[original]), rename)
            components.setdefault(name, schema)
            more: set[str] = set()
            _refs(schema, more)
            queue.extend(more - seen)
    doc["components"]["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    doc["security"] = [{"bearerAuth": []}]
    doc["paths"] = dict(sorted(doc["paths"].items()))
    return doc
