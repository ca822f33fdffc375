"""GET /openapi.json (the merged public document) and /docs (it, rendered as HTML, no JS/CDN)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template

from services.common.api import json_response

from .specs import public_document, specs_of_app

bp = Blueprint("docs", __name__)

MAX_DEPTH = 6
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_type_of(s) for s in schema[key])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type_of(schema.get('items') or {})}"
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    if isinstance(kind, list):
        return " | ".join(str(k) for k in kind)
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def schema_lines(
    schema: dict[str, Any] | None, components: dict[str, Any], depth: int = 0, seen: tuple = ()
) -> list[str]:
    """Render a JSON schema as indented lines 'name: type (required)', refs expanded."""
    if not schema:
        return []
    pad = "  " * depth
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen or depth > MAX_DEPTH:
            return [f"{pad}({name}, see above)"]
        return schema_lines(components.get(name), components, depth, (*seen, name))
    for key in ("anyOf", "oneOf"):
        if key in schema:
            subs = [s for s in schema[key] if s.get("type") != "null"]
            if len(subs) == 1:
                return schema_lines(subs[0], components, depth, seen)
            return []
    if schema.get("type") == "array":
        return schema_lines(schema.get("items"), components, depth, seen)
    lines = []
    required = set(schema.get("required", []))
    for name, prop in (schema.get("properties") or {}).items():
        mark = " *" if name in required else ""
        text = f"{pad}{name}{mark}: {_type_of(prop)}"
        if prop.get("description"):
            text += f" — {prop['description']}"
        lines.append(text)
        lines.extend(schema_lines(prop, components, depth + 1, seen))
    return lines


def _body_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    content = ((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
    schema: dict[str, Any] | None = content.get("schema")
    return schema


def _ok_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    for code, resp in (op.get("responses") or {}).items():
        if code.startswith("2"):
            content = (resp.get("content") or {}).get("application/json") or {}
            schema: dict[str, Any] | None = content.get("schema")
            return schema
    return None


def operations(doc: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Group the document's operations by tag, ready for the template."""
    components = (doc.get("components") or {}).get("schemas") or {}
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, ops in doc.get("paths", {}).items():
        for method, op in sorted(ops.items(), key=lambda kv: METHOD_ORDER.get(kv[0], 9)):
            tag = (op.get("tags") or ["other"])[0]
            body, ok = _body_schema(op), _ok_schema(op)
            groups.setdefault(tag, []).append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "who": op.get("x-allowed", ""),
                    "anonymous": {} in (op.get("security") or []),
                    "parameters": op.get("parameters", []),
                    "body": schema_lines(body, components),
                    "body_type": _type_of(body) if body else "",
                    "ok": schema_lines(ok, components),
                    "ok_type": _type_of(ok) if ok else "",
                    "responses": sorted((op.get("responses") or {}).items()),
                }
            )
    return sorted(groups.items())


@bp.get("/openapi.json")
def get_openapi() -> Response:
    """Return the OpenAPI document of the public API."""
    return json_response(public_document(current_app, specs_of_app()))


@bp.get("/docs")
def get_docs() -> str:
    """Render the public API's document as a browsable page."""
    doc = public_document(current_app, specs_of_app())
    return render_template("docs.html", doc=doc, groups=operations(doc))
