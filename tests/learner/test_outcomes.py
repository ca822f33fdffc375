"""Hires from the jobs feed become outcomes, once per application, whatever the replays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.common.db import close_db
from services.common.feed import FeedFollower
from services.learner.outcomes import service as outcomes
from services.learner.settings import ALIAS

from .helpers import FakeJobsFeed, create_learner, feed, hire_event


def _follower(source: FakeJobsFeed, batch: int = 200) -> FeedFollower:
    return FeedFollower(
        alias=ALIAS, name="jobs", fetch=source.fetch, handler=outcomes.handle_event, batch=batch
    )


def test_hires_become_outcomes_listed_newest_first(client: FlaskClient) -> None:
    learner = create_learner(client)
    other = create_learner(client)
    source = FakeJobsFeed(
        [
            hire_event(learner["id"], "a1", seq=1),
            {"seq": 2, "type": "vacancy.created", "id": "v", "at": "", "data": {"title": "x"}},
            hire_event(other["id"], "a2", seq=3),
            hire_event(learner["id"], "a3", seq=4, salary=None, employer_name="Kaspi.kz"),
        ]
    )
    assert _follower(source, batch=2).sync_once() == 4
    page = client.get(f"/learners/{learner['id']}/outcomes").get_json()
    assert page["total"] == 2
    assert [o["application_id"] for o in page["items"]] == ["a3", "a1"]
    newest = page["items"][0]
    assert (newest["employer_name"], newest["salary"], newest["region"]) == (
        "Kaspi.kz",
        None,
        "astana",
    )
    assert newest["hired_at"] == "2025-09-04T08:00:00Z"
    assert newest["programme"] == "ai-sana" and newest["anonymised"] is False
    recorded = [e for e in feed(client) if e["type"] == "outcome.recorded"]
    assert [e["data"]["application_id"] for e in recorded] == ["a1", "a2", "a3"]


def test_replayed_and_duplicate_hires_are_recorded_once(client: FlaskClient) -> None:
    learner = create_learner(client)
    events = [
        hire_event(learner["id"], "a1", seq=1),
        hire_event(learner["id"], "a1", seq=2, salary=999),
    ]
    source = FakeJobsFeed(events)
    _follower(source).sync_once()
    # A consumer that lost its cursor (or a second gunicorn worker) replays everything.
    fresh = FeedFollower(
        alias=ALIAS, name="jobs-replay", fetch=source.fetch, handler=outcomes.handle_event
    )
    assert fresh.sync_once() == 2
    page = client.get(f"/learners/{learner['id']}/outcomes").get_json()
    assert page["total"] == 1 and page["items"][0]["salary"] == 380_000
    assert sum(e["type"] == "outcome.recorded" for e in feed(client)) == 1


def test_follower_resumes_from_its_cursor(client: FlaskClient) -> None:
    learner = create_learner(client)
    source = FakeJobsFeed([hire_event(learner["id"], "a1", seq=1)])
    assert _follower(source).sync_once() == 1
    source.events.append(hire_event(learner["id"], "a2", seq=2))
    assert _follower(source).sync_once() == 1
    assert client.get("/sync/status").get_json()["jobs"]["cursor"] == 2
    assert client.get(f"/learners/{learner['id']}/outcomes").get_json()["total"] == 2


def test_malformed_hire_is_skipped_without_stalling_the_feed(client: FlaskClient) -> None:
    learner = create_learner(client)
    broken = {"seq": 1, "type": "application.hired", "id": "x", "at": "", "data": {"salary": -1}}
    source = FakeJobsFeed([broken, hire_event(learner["id"], "a2", seq=2)])
    assert _follower(source).sync_once() == 2
    assert client.get(f"/learners/{learner['id']}/outcomes").get_json()["total"] == 1


def test_hire_of_unknown_learner_is_kept_anonymised(client: FlaskClient) -> None:
    _follower(FakeJobsFeed([hire_event("66cc00000000000000000001", "a1", seq=1)])).sync_once()
    from services.learner.outcomes.models import Outcome

    outcome = Outcome.objects.get(application_id="a1")
    assert outcome.anonymised and outcome.learner_id.startswith("anon-")


def test_outcomes_of_unknown_learner_is_404(client: FlaskClient) -> None:
    assert client.get("/learners/66cc00000000000000000001/outcomes").status_code == 404


@pytest.fixture
def jobs_client(tmp_path: Path) -> Iterator[FlaskClient]:
    jobs_app = pytest.importorskip("services.jobs.app")
    jobs_settings = pytest.importorskip("services.jobs.settings")
    settings = jobs_settings.Settings.from_env(env={}, data_dir=tmp_path / "jobs", testing=True)
    yield jobs_app.create_app(settings).test_client()
    close_db(jobs_settings.ALIAS)


def test_hire_through_the_real_jobs_service(client: FlaskClient, jobs_client: FlaskClient) -> None:
    learner = create_learner(client)

    def ok(resp: Any) -> dict[str, Any]:
        assert resp.status_code in (200, 201), resp.get_data(as_text=True)
        body: dict[str, Any] = resp.get_json()
        return body

    employer = ok(
        jobs_client.post(
            "/employers",
            json={
                "name": "Halyk Bank",
                "bin": "940140000385",
                "region": "almaty-city",
                "sector": "banking",
            },
        )
    )
    vacancy = ok(
        jobs_client.post(
            "/vacancies",
            json={
                "employer_id": employer["id"],
                "title": "Data analyst",
                "description": "Reports and dashboards for retail banking.",
                "region": "almaty-city",
            },
        )
    )
    application = ok(
        jobs_client.post(
            "/applications", json={"learner_id": learner["id"], "vacancy_id": vacancy["id"]}
        )
    )
    for step in ("interview", "offer"):
        ok(jobs_client.post(f"/applications/{application['id']}/transition", json={"to": step}))
    ok(
        jobs_client.post(
            f"/applications/{application['id']}/transition",
            json={"to": "hired", "salary": 520_000},
        )
    )

    def fetch(after: int, limit: int) -> dict[str, Any]:
        page: dict[str, Any] = jobs_client.get(f"/changes?after={after}&limit={limit}").get_json()
        return page

    follower = FeedFollower(alias=ALIAS, name="jobs", fetch=fetch, handler=outcomes.handle_event)
    assert follower.sync_once() >= 4
    assert follower.sync_once() == 0
    items = client.get(f"/learners/{learner['id']}/outcomes").get_json()["items"]
    assert len(items) == 1
    hire = items[0]
    assert (hire["application_id"], hire["vacancy_id"], hire["employer_id"]) == (
        application["id"],
        vacancy["id"],
        employer["id"],
    )
    assert (hire["employer_name"], hire["vacancy_title"], hire["salary"]) == (
        "Halyk Bank",
        "Data analyst",
        520_000,
    )
