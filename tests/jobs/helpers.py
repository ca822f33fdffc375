"""Helpers the jobs tests share: response checks, feed reading, the state machine."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

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


def events(client: FlaskClient, after: int = 0) -> list[Json]:
    """Return every feed event after the cursor ``after``."""
    out: list[Json] = []
    while True:
        page = client.get(f"/changes?after={after}&limit=1000").get_json()
        out += page["events"]
        if not page["events"]:
            return out
        after = page["next"]


def latest(client: FlaskClient) -> int:
    """Return the feed's highest sequence number."""
    return int(client.get("/changes?limit=1").get_json()["latest"])


def field_names(resp: Any) -> list[str]:
    """Return the fields a problem+json response names."""
    assert resp.mimetype == "application/problem+json", resp.get_data(as_text=True)
    return [e["field"] for e in resp.get_json().get("errors", [])]


def move(client: FlaskClient, application_id: str, to: str, **extra: Any) -> Any:
    """Ask for an application's transition to ``to``; return the response."""
    return client.post(f"/applications/{application_id}/transition", json={"to": to, **extra})
