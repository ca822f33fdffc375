"""Concurrency: racing transitions, duplicate applications, hires and creates from 16 threads."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.jobs.applications import service as applications
from tests.jobs.helpers import (
    LEGAL,
    Json,
    application_body,
    created,
    events,
    latest,
    move,
    vacancy_body,
)
from tests.support.threads import hammer


@pytest.fixture
def slow_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the gap between reading an application and writing it, as a loaded server would."""
    original = applications.get

    def get(*, application_id: str) -> Any:
        found = original(application_id=application_id)
        time.sleep(0.01)
        return found

    monkeypatch.setattr(applications, "get", get)


def race(n: int, work: Callable[[int], int]) -> list[int]:
    """Run ``work(i)`` on ``n`` threads released together; return the results."""
    return hammer(n, 1, lambda i, _: work(i))


@pytest.mark.usefixtures("slow_reads")
@pytest.mark.parametrize("target", ["interview", "rejected", "offer"])
def test_sixteen_racing_transitions_let_exactly_one_win(
    app: Flask, client: FlaskClient, make_application: Callable[..., Json], target: str
) -> None:
    made = make_application()
    before = latest(client)
    statuses = race(16, lambda i: move(app.test_client(), made["id"], target).status_code)
    assert sorted(statuses) == [200] + [409] * 15
    final = client.get(f"/applications/{made['id']}").get_json()
    assert final["status"] == target and len(final["history"]) == 2
    assert [e["type"] for e in events(client, before)] == ["application.updated"]


@pytest.mark.usefixtures("slow_reads")
def test_sixteen_racing_different_moves_leave_one_consistent_history(
    app: Flask, client: FlaskClient, make_application: Callable[..., Json]
) -> None:
    made = make_application()
    targets = ["interview", "offer", "rejected", "hired"] * 4
    statuses = race(16, lambda i: move(app.test_client(), made["id"], targets[i]).status_code)
    final = client.get(f"/applications/{made['id']}").get_json()
    steps = [(h["from_status"], h["to_status"]) for h in final["history"][1:]]
    assert all(step in LEGAL for step in steps)
    assert statuses.count(200) == len(steps) >= 1
    assert steps[0][0] == "applied"
    assert all(a[1] == b[0] for a, b in zip(steps, steps[1:], strict=False))


def test_sixteen_threads_creating_lose_nothing_and_the_feed_has_no_gaps(
    app: Flask, client: FlaskClient, employer: Json
) -> None:
    def work(i: int) -> int:
        c = app.test_client()
        for k in range(3):
            body = vacancy_body(employer["id"], title=f"Job {i}-{k}")
            vacancy = created(c.post("/vacancies", json=body))
            resp = c.post("/applications", json=application_body(vacancy["id"], f"l{i}"))
            assert resp.status_code == 201
        return 0

    race(16, work)
    assert client.get("/vacancies?limit=1").get_json()["total"] == 48
    assert client.get("/applications?limit=1").get_json()["total"] == 48
    feed = events(client)
    assert [e["seq"] for e in feed] == list(range(1, len(feed) + 1))
    by_type: dict[str, set[str]] = {}
    for e in feed:
        by_type.setdefault(e["type"], set()).add(e["id"])
    assert len(by_type["vacancy.created"]) == 48 and len(by_type["application.created"]) == 48
    # Each application's event comes after its vacancy's.
    seq_of = {(e["type"], e["id"]): e["seq"] for e in feed}
    for e in feed:
        if e["type"] == "application.created":
            assert seq_of[("vacancy.created", e["data"]["vacancy_id"])] < e["seq"]


def test_sixteen_racing_duplicate_applications_create_exactly_one(
    app: Flask, client: FlaskClient, vacancy: Json
) -> None:
    body = application_body(vacancy["id"], "aigerim")
    statuses = race(16, lambda i: app.test_client().post("/applications", json=body).status_code)
    assert sorted(statuses) == [201] + [409] * 15
    assert client.get("/applications").get_json()["total"] == 1
    assert [e["type"] for e in events(client)].count("application.created") == 1


def test_racing_hires_past_the_positions_honour_every_offer_and_close_the_vacancy_once(
    app: Flask,
    client: FlaskClient,
    make_vacancy: Callable[..., Json],
    make_application: Callable[..., Json],
) -> None:
    """Offers made are honoured past the positions; the race loses no hire and closes once."""
    three = make_vacancy(title="Courier", positions=3, salary_min=300_000)
    offered = [make_application(f"l{i}", vacancy_id=three["id"]) for i in range(16)]
    for a in offered:
        assert move(client, a["id"], "offer").status_code == 200
    statuses = race(16, lambda i: move(app.test_client(), offered[i]["id"], "hired").status_code)
    assert statuses == [200] * 16  # offers already made are honoured
    final = client.get(f"/vacancies/{three['id']}").get_json()
    assert final["hired_count"] == 16 and final["status"] == "closed"
    closes = [e for e in events(client) if e["type"] == "vacancy.closed"]
    assert len(closes) == 1
    hires = [e for e in events(client) if e["type"] == "application.hired"]
    assert len({e["data"]["application_id"] for e in hires}) == 16
