"""Helpers the jobs tests share: response checks, feed reading, the state machine."""

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
