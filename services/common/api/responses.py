"""Serialising a view's return value through its response schema into a JSON response."""

from __future__ import annotations

import functools
from typing import Any

from flask import Response, json
from pydantic import BaseModel, TypeAdapter


def serialise(schema: Any, value: Any) -> Any:
    """Return ``value`` as JSON-ready data shaped by ``schema``."""
    if schema is None:
        return value
    if isinstance(value, BaseModel) and type(value) is schema:
        return value.model_dump(mode="json")
    shaped = adapter(schema)
    return shaped.dump_python(shaped.validate_python(value, from_attributes=True), mode="json")


@functools.lru_cache(maxsize=256)
def adapter(schema: Any) -> TypeAdapter[Any]:
    """Return the (cached) pydantic adapter of a schema or type."""
    # Building an adapter compiles a validator: once per schema, not once per response.
    return TypeAdapter(schema)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return ``data`` as a JSON response."""
    resp = Response(json.dumps(data), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp
