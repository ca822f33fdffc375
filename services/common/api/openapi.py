"""The OpenAPI 3.1 document of an app, built from its declared endpoints."""

from __future__ import annotations

from typing import Any

from flask import Flask
from pydantic import BaseModel

from ..errors import PROBLEM_JSON
from ..state import app_state
from .responses import adapter

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
    tree = adapter(schema).json_schema(
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
    for op in app_state(app).operations:
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
            ok["content"] = {"application/json": {"schema": _schema_ref(op.response, components)}}
        spec["responses"][str(op.status)] = ok
        problem = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
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
