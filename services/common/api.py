"""Declared request/response schemas: they validate input, shape output and make OpenAPI.

A view declares its contract once::

    @endpoint(bp, "POST", "/learners", body=LearnerCreate, response=LearnerRead, status=201)
    def create_learner(body: LearnerCreate) -> Learner: ...

The body is parsed strictly (unknown fields, wrong types and MongoDB operators such as
``{"$gt": ""}`` in a string field are rejected with 422 naming the field), query strings are
parsed into their schema, and the return value is serialised through the response schema.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from bson import ObjectId
from flask import Blueprint, Flask, Response, current_app, json, request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from .errors import PROBLEM_JSON, Problem, ValidationProblem, field_error

T = TypeVar("T")

PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status"],
}


def _id_to_str(value: Any) -> Any:
    return str(value) if isinstance(value, ObjectId) else value


Id = Annotated[str, BeforeValidator(_id_to_str)]
"""A document id in responses (ObjectId rendered as its hex string)."""

ObjectIdStr = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
"""A document id in requests: 24 lower-case hex digits."""


def as_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC, reading a naive datetime (the embedded store's) as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
"""A datetime that is always timezone-aware UTC once validated."""


class Schema(BaseModel):
    """Base of every request schema: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadSchema(BaseModel):
    """Base of every response schema: built from model objects."""

    model_config = ConfigDict(from_attributes=True)


class PageQuery(Schema):
    """Pagination parameters shared by every list endpoint."""

    limit: int = Field(20, ge=1, le=200, description="items per page")
    offset: int = Field(0, ge=0, le=10_000_000, description="items to skip")


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total number of matching items."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    tags: list[str]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    errors: dict[int, str] = field(default_factory=dict)


_OPERATIONS: dict[str, list[Operation]] = {}


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


def serialise(schema: Any, value: Any) -> Any:
    """Return ``value`` as JSON-ready data shaped by ``schema``."""
    if schema is None:
        return value
    if isinstance(value, BaseModel) and type(value) is schema:
        return value.model_dump(mode="json")
    adapter = _adapter(schema)
    return adapter.dump_python(adapter.validate_python(value, from_attributes=True), mode="json")


@functools.lru_cache(maxsize=256)
def _adapter(schema: Any) -> TypeAdapter[Any]:
    # Building an adapter compiles a validator: once per schema, not once per response.
    return TypeAdapter(schema)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return ``data`` as a JSON response."""
    resp = Response(json.dumps(data), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def endpoint(
    bp: Blueprint,
    method: str,
    rule: str,
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    tags: list[str] | None = None,
    errors: dict[int, str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view with its declared contract (validation + serialisation + OpenAPI)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**path: Any) -> Any:
            kwargs = dict(path)
            if body is not None:
                kwargs["body"] = parse_body(body)
            if query is not None:
                kwargs["query"] = parse_query(query)
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            if status == 204:
                return Response(status=204)
            return json_response(serialise(response, result), status)

        bp.add_url_rule(rule, view.__name__, wrapper, methods=[method])
        doc = (view.__doc__ or view.__name__).strip().splitlines()[0]
        _OPERATIONS.setdefault(bp.name, []).append(
            Operation(
                method=method.lower(),
                rule=rule,
                endpoint=f"{bp.name}.{view.__name__}",
                summary=doc,
                tags=tags or [bp.name],
                body=body,
                query=query,
                response=response,
                status=status,
                errors=errors or {},
            )
        )
        return wrapper

    return decorate


def _openapi_path(rule: str) -> tuple[str, list[str]]:
    out, params = [], []
    for part in rule.split("/"):
        if part.startswith("<") and part.endswith(">"):
            name = part[1:-1].split(":")[-1]
            params.append(name)
            out.append("{" + name + "}")
        else:
            out.append(part)
    return "/".join(out), params


def _schema_ref(schema: Any, components: dict[str, Any]) -> dict[str, Any]:
    tree = _adapter(schema).json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    for name, sub in tree.pop("$defs", {}).items():
        components[name] = sub
    if isinstance(schema, type) and issubclass(schema, BaseModel) and "title" in tree:
        components[schema.__name__] = tree
        return {"$ref": f"#/components/schemas/{schema.__name__}"}
    return tree


def _input_ref(schema: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    tree = schema.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in tree.pop("$defs", {}).items():
        components[name] = sub
    components[schema.__name__] = tree
    return {"$ref": f"#/components/schemas/{schema.__name__}"}


def openapi_document(app: Flask, title: str, version: str = "1.0.0") -> dict[str, Any]:
    """Build the OpenAPI 3.1 document of every endpoint registered on ``app``."""
    components: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    paths: dict[str, Any] = {}
    for bp_name in app.blueprints:
        for op in _OPERATIONS.get(bp_name, []):
            path, params = _openapi_path(op.rule)
            spec: dict[str, Any] = {
                "summary": op.summary,
                "operationId": op.endpoint.replace(".", "_"),
                "tags": op.tags,
                "parameters": [
                    {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                    for p in params
                ],
                "responses": {},
            }
            if op.query is not None:
                qschema = op.query.model_json_schema()
                required = set(qschema.get("required", []))
                for name, prop in qschema.get("properties", {}).items():
                    spec["parameters"].append(
                        {
                            "name": name,
                            "in": "query",
                            "required": name in required,
                            "schema": prop,
                            **(
                                {"style": "form", "explode": False}
                                if prop.get("type") == "array"
                                else {}
                            ),
                        }
                    )
            if op.body is not None:
                spec["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _input_ref(op.body, components)}},
                }
            ok: dict[str, Any] = {"description": "success"}
            if op.response is not None and op.status != 204:
                ok["content"] = {
                    "application/json": {"schema": _schema_ref(op.response, components)}
                }
            spec["responses"][str(op.status)] = ok
            problem = {
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            }
            defaults = {}
            if op.body is not None or op.query is not None:
                defaults[422] = "invalid input"
            if params:
                defaults[404] = "not found"
            if op.body is not None:
                defaults.update({400: "malformed JSON", 413: "body too large", 415: "not JSON"})
            defaults.update(op.errors)
            for code, text in sorted(defaults.items()):
                spec["responses"][str(code)] = {"description": text, **problem}
            paths.setdefault(path, {})[op.method] = spec
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": components},
    }


def current_settings() -> Any:
    """Return the settings object of the running app."""
    return current_app.config["SETTINGS"]
