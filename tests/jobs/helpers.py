"""Helpers the jobs tests share: test data factories, response checks, feed reading, moves."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.support.client import all_events
from tests.support.client import field_names as field_names

# Real BINs published by Halyk Bank for its head office and branches.
REAL_BINS = ["940140000385", "950341000052", "961141000023", "070941024691"]

Json = dict[str, Any]

# The documented state machine; a path of moves from "applied" reaches each status.
LEGAL = {
    ("applied", "interview"),
    ("applied", "offer"),
    ("applied", "rejected"),
    ("interview", "offer"),
    ("interview", "rejected"),
    ("offer", "hired"),
    ("offer", "rejected"),
}


def employer_body(**fields: Any) -> Json:
    """Return the body of a valid employer account, less its BIN (callers choose one)."""
    return {"name": "Halyk Bank", "region": "almaty-city", "sector": "banking", **fields}


def vacancy_body(employer_id: str, **fields: Any) -> Json:
    """Return the body of a valid vacancy of ``employer_id``."""
    return {
        "employer_id": employer_id,
        "title": "Python developer",
        "description": "Build data services for the public sector.",
        "requirements": "3 years of Python, MongoDB.",
        "region": "astana",
        **fields,
    }


def application_body(vacancy_id: str, learner_id: str = "learner-1", **fields: Any) -> Json:
    """Return the body of a valid application of ``learner_id`` to ``vacancy_id``."""
    return {"learner_id": learner_id, "vacancy_id": vacancy_id, **fields}


def created(resp: Any) -> Json:
    """Return the body of a 201 response, failing with the problem otherwise."""
    assert resp.status_code == 201, resp.get_json()
    body: Json = resp.get_json()
    return body


events = all_events


def latest(client: FlaskClient) -> int:
    """Return the feed's highest sequence number."""
    return int(client.get("/changes?limit=1").get_json()["latest"])


def move(client: FlaskClient, application_id: str, to: str, **extra: Any) -> Any:
    """Ask for an application's transition to ``to``; return the response."""
    return client.post(f"/applications/{application_id}/transition", json={"to": to, **extra})
