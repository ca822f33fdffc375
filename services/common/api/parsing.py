"""Strict parsing of a request's JSON body and query string into their declared schemas.

The body is parsed strictly (unknown fields, wrong types and MongoDB operators such as
``{"$gt": ""}`` in a string field are rejected with 422 naming the field); values the store
cannot keep (integers past 8 bytes, datetimes that overflow in UTC) are refused too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import request
from pydantic import BaseModel, ValidationError

from ..errors import Problem, ValidationProblem, field_error


def _loc_to_field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if not str(p).startswith(("function-", "tagged-union"))]
    return ".".join(parts) or "body"


def validation_problem(exc: ValidationError, where: str) -> ValidationProblem:
    """Turn pydantic's errors into a problem naming each field."""
    errors = []
    for err in exc.errors(include_url=False):
        name = _loc_to_field(tuple(err["loc"]))
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif err["type"] == "json_invalid":
            name, message = "body", f"malformed JSON: {err['msg']}"
        else:
            message = err["msg"]
        errors.append(field_error(name if where == "body" else f"{where}.{name}", message))
    return ValidationProblem(f"the {where} is not valid", errors=errors)


INT64_MAX = 2**63 - 1


def _unstorable(value: Any, path: str = "") -> Any:
    """Yield (field, message) for values MongoDB cannot store.

    BSON integers are 8 bytes, and a datetime near the ends of the calendar overflows when it
    is converted to UTC (9999-12-31T23:00-05:00).
    """
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX:
        yield path, "must be between -2^63 and 2^63-1"
    elif isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value.astimezone(UTC)
        except OverflowError:
            yield path, "must lie between years 1 and 9999 in UTC"
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _unstorable(sub, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for n, sub in enumerate(value):
            yield from _unstorable(sub, f"{path}.{n}" if path else str(n))


def _check_storable(parsed: BaseModel, prefix: str) -> None:
    errors = [field_error(prefix + name, msg) for name, msg in _unstorable(parsed.model_dump())]
    if errors:
        raise ValidationProblem("a value is out of the range the store can keep", errors=errors)


def parse_body(schema: type[BaseModel]) -> Any:
    """Validate the JSON body of the current request against ``schema``."""
    if not request.mimetype or request.mimetype != "application/json":
        raise Problem(
            "send the body as application/json",
            errors=[field_error("Content-Type", "must be application/json")],
            status=415,
        )
    raw = request.get_data(cache=True)
    try:
        # Strict JSON mode: "5" is no integer and 5 no string, yet ISO dates and enums parse.
        parsed = schema.model_validate_json(raw or b"null", strict=True)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if first["type"] == "json_invalid":
            raise Problem(
                "the body is not valid JSON",
                errors=[field_error("body", f"malformed JSON: {first['msg']}")],
            ) from exc
        if first["type"] == "model_type" and not first["loc"]:
            raise ValidationProblem(
                "the body must be a JSON object",
                errors=[field_error("body", "expected an object")],
            ) from exc
        raise validation_problem(exc, "body") from exc
    _check_storable(parsed, "")
    return parsed


def _query_dict(schema: type[BaseModel]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in request.args:
        info = schema.model_fields.get(key)
        values = request.args.getlist(key)
        annotation = str(info.annotation) if info else ""
        if info is not None and "list" in annotation:
            data[key] = [v for value in values for v in value.split(",") if v != ""]
        else:
            data[key] = values[-1]
    return data


def parse_query(schema: type[BaseModel]) -> Any:
    """Validate the query string of the current request against ``schema``."""
    try:
        parsed = schema.model_validate(_query_dict(schema))
    except ValidationError as exc:
        raise validation_problem(exc, "query") from exc
    _check_storable(parsed, "query.")
    return parsed
