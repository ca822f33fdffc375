"""Reading a service through its Flask test client, as a user of its API would."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


def all_events(client: FlaskClient, after: int = 0) -> list[dict[str, Any]]:
    """Return every change-feed event after the cursor ``after``, page by page."""
    out: list[dict[str, Any]] = []
    while True:
        page = client.get(f"/changes?after={after}&limit=1000").get_json()
        out += page["events"]
        if not page["events"]:
            return out
        after = page["next"]


def field_names(resp: Any) -> list[str]:
    """Return the fields a problem+json response names."""
    assert resp.mimetype == "application/problem+json", resp.get_data(as_text=True)
    return [e["field"] for e in resp.get_json().get("errors", [])]
