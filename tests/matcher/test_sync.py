"""Following the real jobs and learner services' feeds; restarts that re-encode nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.common.db import close_db
from services.matcher.app import create_app
from services.matcher.db import ALIAS
from services.matcher.esco.taxonomy import TaxonomySource
from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.recommend.state import Matcher
from services.matcher.settings import Settings
from services.matcher.sync.feeds import Sync
from services.matcher.sync.models import LearnerCopy
from tests.matcher.conftest import EventSource, FlaskServiceClient, needs_esco
from tests.matcher.factories import course, learner, skill, vacancy

REAL_BIN = "940140000385"
_EMAILS = itertools.count(1)


@pytest.fixture
def jobs_app(tmp_path: Path) -> Iterator[Flask]:
    from services.jobs.app import create_app as create_jobs
    from services.jobs.settings import ALIAS as JOBS
    from services.jobs.settings import Settings as JobsSettings

    app = create_jobs(JobsSettings.from_env(env={}, data_dir=tmp_path / "jobs", testing=True))
    yield app
    close_db(JOBS)


@pytest.fixture
def learner_app(tmp_path: Path) -> Iterator[Flask]:
    from services.learner.app import create_app as create_learner
    from services.learner.settings import ALIAS as LEARNER
    from services.learner.settings import Settings as LearnerSettings

    settings = LearnerSettings.from_env(env={}, data_dir=tmp_path / "learner", testing=True)
    app = create_learner(settings)
    yield app
    close_db(LEARNER)


@pytest.fixture
def live(
    settings: Settings, jobs_app: Flask, learner_app: Flask
) -> Iterator[tuple[Flask, FlaskClient, FlaskClient]]:
    """Return the matcher app following the real jobs and learner apps (in-process)."""
    jobs, learners = jobs_app.test_client(), learner_app.test_client()
    app = create_app(
        settings,
        embedder=FakeEmbedder(),
        jobs_client=FlaskServiceClient(jobs),
        learner_client=FlaskServiceClient(learners),
    )
    yield app, jobs, learners
    close_db(ALIAS)


def _post(client: FlaskClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = client.post(path, json=body)
    assert resp.status_code in (200, 201), resp.get_json()
    data: dict[str, Any] = resp.get_json()
    return data


def _learner(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Айгерим Сапарова",
        "email": f"learner{next(_EMAILS)}@example.com",
        "region": "astana",
        "programme": "ai-sana",
        "languages": [{"code": "ru", "level": "C1"}],
        "cv_text": "",
        "consent": True,
        **fields,
    }
    return _post(client, "/learners", body)


def test_vacancy_closed_in_jobs_service_disappears_after_sync(
    live: tuple[Flask, FlaskClient, FlaskClient],
) -> None:
    app, jobs, learners = live
    sync: Sync = app.extensions["matcher_sync"]
    employer = _post(
        jobs,
        "/employers",
        {"name": "Kaspi", "bin": REAL_BIN, "region": "almaty-city", "sector": "fintech"},
    )
    wanted = [{"uri": "http://data.europa.eu/esco/skill/py", "label": "Python", "essential": True}]
    ids = [
        _post(
            jobs,
            "/vacancies",
            {
                "employer_id": employer["id"],
                "title": f"Python developer {i}",
                "region": "astana",
                "skills": wanted,
            },
        )["id"]
        for i in range(3)
    ]
    person = _learner(
        learners, skills=[{"uri": "http://data.europa.eu/esco/skill/py", "label": "Python"}]
    )
    sync.sync_once()
    client = app.test_client()
    url = f"/learners/{person['id']}/recommendations/jobs"
    before = client.get(url).get_json()
    assert {i["vacancy_id"] for i in before["items"]} == set(ids)
    assert before["items"][0]["matched_skills"][0]["label"] == "Python"

    _post(jobs, f"/vacancies/{ids[0]}/close", {})
    assert sync.sync_once()["jobs"] == 1

    after = client.get(url).get_json()
    assert {i["vacancy_id"] for i in after["items"]} == set(ids[1:])
    status = client.get("/sync/status").get_json()
    assert status["feeds"]["jobs"]["cursor"] >= 5 and status["feeds"]["jobs"]["lag"] == 0
    assert status["indexes"]["vacancies"]["items"] == 3
    assert status["handled"]["vacancy.closed"] == 1


@needs_esco
def test_cv_tags_are_written_back_once_without_a_loop(
    live: tuple[Flask, FlaskClient, FlaskClient], esco_subset: TaxonomySource
) -> None:
    from services.matcher.esco.taxonomy import import_taxonomy

    app, _, learners = live
    import_taxonomy(esco_subset)
    sync: Sync = app.extensions["matcher_sync"]
    label = next(s["label"] for s in esco_subset.skills if len(s["label"].split()) >= 2)
    person = _learner(learners, cv_text=f"Five years at a bank. I {label} daily.")

    sync.sync_once()  # learner.created -> extract -> PUT -> learner.updated
    sync.sync_once()  # the learner.updated caused by the write-back: no second PUT
    sync.sync_once()

    assert sync.write_backs == 1
    profile = learners.get(f"/learners/{person['id']}").get_json()
    extracted = [s for s in profile["skills"] if s["source"] == "extracted"]
    assert label in {s["label"] for s in extracted}
    assert any(label in (s.get("evidence") or "") for s in extracted)
    stored = LearnerCopy.objects.get(id=person["id"])
    assert stored.written_back_hash == stored.cv_hash != ""

    # A changed CV is tagged and written back again; a rejected skill never comes back.
    uri = next(s["uri"] for s in extracted if s["label"] == label)
    assert learners.post(f"/learners/{person['id']}/skills/{uri}/reject").status_code in (200, 204)
    resp = learners.patch(f"/learners/{person['id']}", json={"cv_text": f"Now: I {label} here."})
    assert resp.status_code == 200, resp.get_json()
    sync.sync_once()
    sync.sync_once()
    assert sync.write_backs == 2
    profile = learners.get(f"/learners/{person['id']}").get_json()
    assert uri not in {s["uri"] for s in profile["skills"]}


def test_restart_rebuilds_indexes_without_encoding_anything(
    settings: Settings, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    for i in range(20):
        jobs_feed.emit(
            "vacancy.created",
            f"v{i}",
            vacancy(title=f"vacancy {i}", skills=[skill(f"s{i % 4}", essential=True)]),
        )
    learner_feed.emit("learner.created", "l1", learner(skills=[skill("s1")], cv_text="cv text"))
    learner_feed.emit("course.created", "c1", course(skills=[skill("s2")]))
    first_embedder = FakeEmbedder()
    first = create_app(
        settings, embedder=first_embedder, jobs_client=jobs_feed, learner_client=learner_feed
    )
    first.extensions["matcher_sync"].sync_once()
    assert first_embedder.texts_encoded == 22
    expected = first.test_client().get("/learners/l1/recommendations/jobs").get_json()
    close_db(ALIAS)

    fresh = FakeEmbedder()
    second = create_app(
        settings, embedder=fresh, jobs_client=jobs_feed, learner_client=learner_feed
    )
    m: Matcher = second.extensions["matcher"]

    assert fresh.calls == 0 and fresh.texts_encoded == 0
    assert (len(m.vacancies), len(m.learners), len(m.courses)) == (20, 1, 1)
    assert second.extensions["matcher_sync"].sync_once() == {"jobs": 0, "learner": 0}
    again = second.test_client().get("/learners/l1/recommendations/jobs").get_json()
    assert again == expected
    assert fresh.calls == 0
    close_db(ALIAS)


def test_one_page_of_events_is_encoded_in_one_batch(
    app: Flask, sync: Sync, jobs_feed: EventSource, embedder: FakeEmbedder
) -> None:
    for i in range(150):
        jobs_feed.emit("vacancy.created", f"v{i}", vacancy(title=f"vacancy number {i}"))
    sync.sync_once()
    assert embedder.texts_encoded == 150
    assert embedder.calls == 1
    # The handlers reuse the page's vectors rather than reading the cache once per event.
    status = app.test_client().get("/sync/status").get_json()
    assert status["embedding_cache"] == {"hits": 0, "misses": 150}


def test_replayed_events_change_nothing(
    app: Flask,
    sync: Sync,
    jobs_feed: EventSource,
    learner_feed: EventSource,
    embedder: FakeEmbedder,
) -> None:
    jobs_feed.emit("vacancy.created", "v1", vacancy(skills=[skill("a", essential=True)]))
    jobs_feed.emit("vacancy.updated", "v1", vacancy(title="Renamed", skills=[skill("b")]))
    learner_feed.emit("learner.created", "l1", learner(skills=[skill("b")]))
    sync.sync_once()
    client = app.test_client()
    first = client.get("/learners/l1/recommendations/jobs").get_json()
    calls = embedder.calls

    from services.common.db import database

    database(ALIAS)["feed_cursors"].delete_many({})
    assert sync.sync_once() == {"jobs": 2, "learner": 1}

    assert client.get("/learners/l1/recommendations/jobs").get_json() == first
    assert first["items"][0]["title"] == "Renamed"
    assert embedder.calls == calls
    assert len(app.extensions["matcher"].vacancies) == 1


def test_a_bad_event_is_recorded_and_skipped(
    app: Flask, sync: Sync, jobs_feed: EventSource
) -> None:
    jobs_feed.emit("vacancy.created", "v1", vacancy())
    jobs_feed.emit("vacancy.created", "bad", vacancy(languages=5))
    jobs_feed.emit("vacancy.created", "v3", vacancy())
    sync.sync_once()

    status = app.test_client().get("/sync/status").get_json()
    assert status["feeds"]["jobs"]["cursor"] == 3
    assert status["failed_events"] == 1 and "bad" in status["last_error"]
    assert set(app.extensions["matcher"].vacancies.rows) == {"v1", "v3"}
    from services.common.db import database

    [error] = database(ALIAS)["sync_errors"].find({})
    assert error["event"]["id"] == "bad"


def test_a_down_feed_is_reported_and_resumed(
    app: Flask, sync: Sync, jobs_feed: EventSource
) -> None:
    jobs_feed.emit("vacancy.created", "v1", vacancy())
    jobs_feed.down = True
    with pytest.raises(Exception, match="feed down"):
        sync.sync_once()
    status = app.test_client().get("/sync/status").get_json()
    assert "feed down" in status["last_error"] and status["feeds"]["jobs"]["cursor"] == 0
    jobs_feed.down = False
    assert sync.sync_once()["jobs"] == 1


def test_a_model_change_re_encodes_stored_texts_once(
    settings: Settings, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    for i in range(5):
        jobs_feed.emit("vacancy.created", f"v{i}", vacancy(title=f"vacancy {i}"))
    learner_feed.emit("learner.created", "l1", learner(cv_text="python"))
    first = create_app(
        settings, embedder=FakeEmbedder(), jobs_client=jobs_feed, learner_client=learner_feed
    )
    first.extensions["matcher_sync"].sync_once()
    close_db(ALIAS)

    other = FakeEmbedder(dim=64)
    other.name = "minilm"  # a different model: no cached vector applies
    second = create_app(
        settings, embedder=other, jobs_client=jobs_feed, learner_client=learner_feed
    )
    assert other.texts_encoded == 6 and other.calls == 2  # a batch per non-empty collection
    m: Matcher = second.extensions["matcher"]
    assert m.vacancies.dim == 64 and len(m.vacancies) == 5
    items = second.test_client().get("/learners/l1/recommendations/jobs").get_json()["items"]
    assert len(items) == 5
    close_db(ALIAS)

    again = FakeEmbedder(dim=64)
    again.name = "minilm"
    create_app(settings, embedder=again, jobs_client=jobs_feed, learner_client=learner_feed)
    assert again.calls == 0
    close_db(ALIAS)


def test_a_learner_the_feed_has_not_reached_is_read_from_the_learner_service(
    live: tuple[Flask, FlaskClient, FlaskClient],
) -> None:
    app, jobs, learners = live
    sync: Sync = app.extensions["matcher_sync"]
    employer = _post(
        jobs,
        "/employers",
        {"name": "Kaspi", "bin": REAL_BIN, "region": "almaty-city", "sector": "fintech"},
    )
    python = {"uri": "http://data.europa.eu/esco/skill/py", "label": "Python"}
    vacancy_id = _post(
        jobs,
        "/vacancies",
        {"employer_id": employer["id"], "title": "Python developer", "region": "astana",
         "skills": [{**python, "essential": True}]},
    )["id"]  # fmt: skip
    sync.sync_once()
    newcomer = _learner(learners, skills=[python])  # not synced: the feed is "behind"
    client = app.test_client()

    recs = client.get(f"/learners/{newcomer['id']}/recommendations/jobs")

    assert recs.status_code == 200
    assert [i["vacancy_id"] for i in recs.get_json()["items"]] == [vacancy_id]
    assert client.get("/learners/no-such-learner/recommendations/jobs").status_code == 404
    # The feed event that arrives later is the same profile: still one learner, same answer.
    sync.sync_once()
    assert LearnerCopy.objects(id=newcomer["id"]).count() == 1
    again = client.get(f"/learners/{newcomer['id']}/recommendations/jobs").get_json()
    assert [i["vacancy_id"] for i in again["items"]] == [vacancy_id]


def test_a_vacancy_the_feed_has_not_reached_is_read_from_the_jobs_service(
    live: tuple[Flask, FlaskClient, FlaskClient],
) -> None:
    app, jobs, learners = live
    employer = _post(
        jobs,
        "/employers",
        {"name": "Kaspi", "bin": REAL_BIN, "region": "almaty-city", "sector": "fintech"},
    )
    fresh = _post(
        jobs,
        "/vacancies",
        {"employer_id": employer["id"], "title": "Data analyst", "region": "astana"},
    )
    client = app.test_client()

    resp = client.get(f"/vacancies/{fresh['id']}/candidates")

    assert resp.status_code == 200
    assert client.get("/vacancies/unknown-vacancy/candidates").status_code == 404
