"""Shape the services' answers for templates, whatever list envelope a service uses."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .web import api

LOOKUP_LIMIT = 100


def items_of(data: Any, *keys: str) -> list[dict[str, Any]]:
    """Return the records of a list answer: a bare list, or {items|results|...: [...]}."""
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)]
    if isinstance(data, dict):
        for key in (*keys, "items", "results", "recommendations", "candidates", "jobs", "courses"):
            value = data.get(key)
            if isinstance(value, list):
                return [item for item in value if isinstance(item, dict)]
    return []


def lookup(template: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    """Fetch records by id through the API as the user (missing or refused ones are skipped)."""
    found: dict[str, dict[str, Any]] = {}
    for record_id in sorted(ids)[:LOOKUP_LIMIT]:
        answer = api("GET", template.format(quote(record_id, safe="")))
        data = answer.json()
        if answer.status == 200 and isinstance(data, dict):
            found[record_id] = data
    return found


def skill_labels(skills: Any) -> list[str]:
    """Return the labels of a list of skills given as dicts or strings."""
    labels = []
    for skill in skills or []:
        if isinstance(skill, dict):
            labels.append(str(skill.get("label") or skill.get("uri") or ""))
        else:
            labels.append(str(skill))
    return [label for label in labels if label]


def path_of(data: Any) -> dict[str, Any]:
    """Return a retraining path as {steps, total_hours, missing, uncovered, raw}."""
    body = data if isinstance(data, dict) else {}
    steps = items_of(body, "steps", "courses", "path")
    return {
        "steps": steps,
        "total_hours": body.get("total_hours"),
        "missing": body.get("missing_skills") or body.get("missing") or [],
        "uncovered": body.get("uncovered_skills") or body.get("uncovered") or [],
        "target": body.get("target") or {},
        "raw": body,
    }
