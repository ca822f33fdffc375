"""Declared request/response schemas: they validate input, shape output and make OpenAPI.

- ``schemas``: base types (``Schema``, ``ReadSchema``, ``Id``, ``UtcDateTime``, ``Page``);
- ``parsing``: the request's body and query string into their schemas (422 naming fields);
- ``responses``: a view's result through its response schema into JSON;
- ``endpoints``: the ``endpoint`` decorator that declares a view's contract;
- ``openapi``: the OpenAPI document of an app's declared endpoints.
"""

from .endpoints import Operation, endpoint
from .openapi import PROBLEM_SCHEMA, openapi_document
from .parsing import INT64_MAX, parse_body, parse_query, validation_problem
from .responses import json_response, serialise
from .schemas import Id, ObjectIdStr, Page, PageQuery, ReadSchema, Schema, UtcDateTime

__all__ = [
    "INT64_MAX",
    "PROBLEM_SCHEMA",
    "Id",
    "ObjectIdStr",
    "Operation",
    "Page",
    "PageQuery",
    "ReadSchema",
    "Schema",
    "UtcDateTime",
    "endpoint",
    "json_response",
    "openapi_document",
    "parse_body",
    "parse_query",
    "serialise",
    "validation_problem",
]
