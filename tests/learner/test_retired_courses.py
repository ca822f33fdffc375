"""Retired courses leave the course list unless asked for; they stay readable by id."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from services.common.state import app_state
from tests.learner.helpers import create_course


@pytest.mark.parametrize("read_models", [True, False])
def test_retired_courses_are_hidden_by_default(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, read_models: bool
) -> None:
    monkeypatch.setattr(app_state(client.application), "read_models", read_models)
    kept = create_course(client, title="Kept")
    gone = create_course(client, title="Gone")
    assert client.patch(f"/courses/{gone['id']}", json={"retired": True}).status_code == 200
    listed = client.get("/courses").get_json()
    assert [c["id"] for c in listed["items"]] == [kept["id"]]
    assert listed["total"] == 1
    everything = client.get("/courses?include_retired=true").get_json()
    assert {c["id"] for c in everything["items"]} == {kept["id"], gone["id"]}
    assert client.get(f"/courses/{gone['id']}").get_json()["retired"] is True
    # Filters combine with it: a provider filter still hides the retired course.
    by_provider = client.get("/courses", query_string={"provider": "AI-Sana"}).get_json()
    assert by_provider["total"] == 1
    # Offered again: back in the list.
    client.patch(f"/courses/{gone['id']}", json={"retired": False})
    assert client.get("/courses").get_json()["total"] == 2


def test_a_provider_still_lists_its_retired_courses(client: FlaskClient) -> None:
    course = create_course(client, provider="Tomorrow School")
    client.patch(f"/courses/{course['id']}", json={"retired": True})
    own = client.get("/providers/tomorrow-school/courses").get_json()
    assert [(c["id"], c["retired"]) for c in own["items"]] == [(course["id"], True)]


def test_include_retired_must_be_a_boolean(client: FlaskClient) -> None:
    resp = client.get("/courses?include_retired=maybe")
    assert resp.status_code == 422
    assert [e["field"] for e in resp.get_json()["errors"]] == ["query.include_retired"]
