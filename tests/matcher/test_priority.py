"""A person's own edit shows at once: ``POST /sync/priority`` re-reads one item ahead of the feed.

The matcher follows the real jobs and learner apps (in-process, through HTTP test clients); the
feed is deliberately left behind (no ``sync_once`` after the edits), as it is while a first
start indexes thousands of catalogue events.
"""

# The fixtures come from test_sync (imported below); their names are reused as parameters.
# ruff: noqa: F811

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from services.matcher.sync.feeds import Sync
from tests.matcher.test_sync import (  # noqa: F401  (fixtures)
    REAL_BIN,
    _learner,
    _post,
    jobs_app,
    learner_app,
    live,
)

PY = {"uri": "http://data.europa.eu/esco/skill/py", "label": "Python"}
SQL = {"uri": "http://data.europa.eu/esco/skill/sql", "label": "SQL"}


def _setup(live: tuple[Flask, FlaskClient, FlaskClient]) -> tuple[Any, ...]:
    app, jobs, learners = live
    employer = _post(
        jobs,
        "/employers",
        {"name": "Kaspi", "bin": REAL_BIN, "region": "almaty-city", "sector": "fintech"},
    )
    ids = [
        _post(
            jobs,
            "/vacancies",
            {
                "employer_id": employer["id"],
                "title": f"Python developer {i}",
                "region": "astana",
                "skills": [{**PY, "essential": True}],
            },
        )["id"]
        for i in range(2)
    ]
    person = _learner(learners, skills=[PY])
    sync: Sync = app.extensions["matcher_sync"]
    sync.sync_once()
    return app, jobs, learners, ids, person, sync


def _poke(client: FlaskClient, kind: str, item_id: str) -> str:
    resp = client.post("/sync/priority", json={"kind": kind, "id": item_id})
    assert resp.status_code == 200, resp.get_json()
    return str(resp.get_json()["result"])


def test_a_closed_vacancy_leaves_recommendations_before_the_feed_gets_there(
    live: tuple[Flask, FlaskClient, FlaskClient],
) -> None:
    app, jobs, _, ids, person, sync = _setup(live)
    client = app.test_client()
    url = f"/learners/{person['id']}/recommendations/jobs"
    assert {i["vacancy_id"] for i in client.get(url).get_json()["items"]} == set(ids)

    _post(jobs, f"/vacancies/{ids[0]}/close", {})
    assert _poke(client, "vacancy", ids[0]) == "indexed"

    assert [i["vacancy_id"] for i in client.get(url).get_json()["items"]] == [ids[1]]
    # The backlog reaches the close event later: it is older than what was read, and skipped.
    sync.sync_once()
    assert [i["vacancy_id"] for i in client.get(url).get_json()["items"]] == [ids[1]]


def test_withdrawn_consent_leaves_candidate_lists_at_once(
    live: tuple[Flask, FlaskClient, FlaskClient],
) -> None:
    app, _, learners, ids, person, _ = _setup(live)
    client = app.test_client()
    url = f"/vacancies/{ids[0]}/candidates"
    assert [c["learner_id"] for c in client.get(url).get_json()["candidates"]] == [person["id"]]

    resp = learners.patch(f"/learners/{person['id']}", json={"consent": False})
    assert resp.status_code == 200
    assert _poke(client, "learner", person["id"]) == "indexed"

    assert client.get(url).get_json()["candidates"] == []


def test_an_older_backlog_event_does_not_undo_a_newer_edit(
    live: tuple[Flask, FlaskClient, FlaskClient],
) -> None:
    app, _, learners, ids, person, sync = _setup(live)
    client = app.test_client()
    # Two edits the feed has not reached: a skill added, then the profile re-read at once.
    resp = learners.post(f"/learners/{person['id']}/skills", json=SQL)
    assert resp.status_code in (200, 201), resp.get_json()
    resp = learners.post(f"/learners/{person['id']}/skills/{PY['uri']}/reject")
    assert resp.status_code == 200, resp.get_json()
    assert _poke(client, "learner", person["id"]) == "indexed"
    url = f"/vacancies/{ids[0]}/candidates"
    held = client.get(url).get_json()["candidates"][0]["matched_skills"]
    assert held == []  # Python was rejected: it no longer counts

    sync.sync_once()  # the backlog: the learner's older events are skipped, not re-applied

    assert client.get(url).get_json()["candidates"][0]["matched_skills"] == []
    assert sync.handled["skipped_older"] >= 1


def test_priority_names_the_bad_field_and_tells_a_gone_item(
    live: tuple[Flask, FlaskClient, FlaskClient],
) -> None:
    app, *_ = _setup(live)
    client = app.test_client()
    bad = client.post("/sync/priority", json={"kind": "course", "id": "x"})
    assert bad.status_code == 422
    assert any(e["field"] == "kind" for e in bad.get_json()["errors"])
    assert _poke(client, "learner", "no-such-learner") == "gone"
