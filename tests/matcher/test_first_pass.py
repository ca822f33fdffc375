"""A bulk feed backlog is indexed in a cheap first pass, then refined once the backlog is through.

Hand-built feeds (conftest.EventSource) and the fake embedder; the first pass starts above
``QABILET_FIRST_PASS_BACKLOG`` events behind (20 here, 300 by default), so the small feeds of
every other test keep the single full pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.matcher.db import ALIAS
from services.matcher.esco.taxonomy import TaxonomySource
from services.matcher.settings import Settings
from services.matcher.sync.entities import FIRST_PASS_BODY
from services.matcher.sync.feeds import Sync
from services.matcher.sync.models import CourseCopy, LearnerCopy, VacancyCopy
from services.matcher.sync.refine import REFINES
from tests.matcher.conftest import EventSource, needs_esco
from tests.matcher.factories import course, learner, skill, vacancy

THRESHOLD = 20
#: Tool names the reviewed vocabulary spots (services/matcher/ml/vocabulary/data).
TOOLS = ("Python", "SQL", "Java", "JavaScript", "Git", "Linux", "Excel")
LONG = " ".join(f"word{i} builds data services with python and sql" for i in range(40))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        env={"QABILET_FIRST_PASS_BACKLOG": str(THRESHOLD)},
        data_dir=tmp_path / "matcher",
        testing=True,
        embedder="fake",
    )


def _backlog(jobs: EventSource, learners: EventSource, n: int = 30) -> None:
    """Emit n vacancies and n courses with long bodies, and one learner with a long CV."""
    for i in range(n):
        data = vacancy(title=f"Python developer {i}", description=LONG, skills=[skill("python")])
        jobs.emit("vacancy.created", f"v{i}", data)
        learners.emit("course.created", f"c{i}", course(title=f"Course {i}", description=LONG))
    cv = learner(cv_text=LONG, skills=[skill("python")])
    learners.emit("learner.created", "l1", cv)


def _jobs_for(client: FlaskClient, lid: str) -> dict[str, Any]:
    resp = client.get(f"/learners/{lid}/recommendations/jobs")
    assert resp.status_code == 200, resp.get_json()
    body: dict[str, Any] = resp.get_json()
    return body


def test_a_bulk_backlog_is_first_passed_then_refined(
    sync: Sync, client: FlaskClient, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _backlog(jobs_feed, learner_feed)
    sync.jobs.sync_once()
    sync.learner.sync_once()
    # Every row is there at once, from declared skills and a short text, marked pending.
    vacancies = list(VacancyCopy.objects())
    assert len(vacancies) == 30 and all(v.tags_pending for v in vacancies)
    assert all(len(v.text) < len(LONG) // 2 for v in vacancies)
    assert all(v.skills[0]["uri"].endswith("/python") for v in vacancies)
    courses = list(CourseCopy.objects())
    assert len(courses) == 30 and all(c.tags_pending and not c.skills for c in courses)
    me = LearnerCopy.objects(id="l1").first()
    assert me is not None and me.tags_pending and len(me.text) < FIRST_PASS_BODY + 100
    assert len(sync.refines) == 61
    # Refines never interleave with the backlog: nothing runs while it is being read.
    assert sync.bulk and sync.run_refine(None) == 0
    body = _jobs_for(client, "l1")
    assert len(body["items"]) == 10 and body["provisional"] is True
    status = client.get("/sync/status").get_json()
    assert status["first_pass"]["active"] is True and status["first_pass"]["done"] == 61
    assert status["refine"]["queued"] == 61

    sync.sync_once()  # nothing new: the backlog is through
    assert not sync.bulk
    assert sync.run_refine(None) == 61
    assert not sync.refines and sync.refined == 61
    assert not any(v.tags_pending for v in VacancyCopy.objects())
    assert not any(c.tags_pending for c in CourseCopy.objects())
    assert all(v.text.endswith(LONG[-30:]) for v in VacancyCopy.objects())
    me = LearnerCopy.objects(id="l1").first()
    assert me is not None and not me.tags_pending and LONG[:500] in me.text
    assert _jobs_for(client, "l1")["provisional"] is False
    assert database_refines() == 0
    status = client.get("/sync/status").get_json()
    assert status["refine"] == {"queued": 0, "done": 61, "superseded": 0}


def database_refines() -> int:
    """Return how many refine entries are stored (for a restart)."""
    from services.common.db import database

    return int(database(ALIAS)[REFINES].count_documents({}))


def test_a_newer_event_wins_over_the_refine(
    sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _backlog(jobs_feed, learner_feed)
    sync.sync_once()
    assert "vacancy:v1" in sync.refines
    # A small later change is handled in full at once and drops the first-passed entry.
    jobs_feed.emit("vacancy.updated", "v1", vacancy(title="Data engineer", description=LONG))
    # Another bulk backlog brings a newer event of v2: it replaces v2's entry.
    for i in range(THRESHOLD + 5):
        jobs_feed.emit("vacancy.created", f"w{i}", vacancy(title=f"W {i}", description=LONG))
    jobs_feed.emit("vacancy.updated", "v2", vacancy(title="ML engineer", description=LONG))
    sync.sync_once()
    assert sync.refines_superseded >= 1
    assert sync.refines["vacancy:v2"]["data"]["title"] == "ML engineer"
    sync.sync_once()
    sync.run_refine(None)
    v1 = VacancyCopy.objects(id="v1").first()
    v2 = VacancyCopy.objects(id="v2").first()
    assert v1 is not None and v1.title == "Data engineer" and not v1.tags_pending
    assert v2 is not None and v2.title == "ML engineer" and not v2.tags_pending


def test_a_full_handling_between_first_pass_and_refine_is_not_overwritten(
    sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _backlog(jobs_feed, learner_feed)
    sync.sync_once()
    assert "vacancy:v3" in sync.refines
    seq = jobs_feed.emit("vacancy.updated", "v3", vacancy(title="Analyst", description=LONG))
    sync.sync_once()  # one event: full handling, the entry is dropped
    assert "vacancy:v3" not in sync.refines
    sync.run_refine(None)
    v3 = VacancyCopy.objects(id="v3").first()
    assert v3 is not None and v3.title == "Analyst" and seq > 0


def test_a_delete_drops_the_refine_entry(
    sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _backlog(jobs_feed, learner_feed)
    sync.sync_once()
    jobs_feed.emit("vacancy.deleted", "v4")
    learner_feed.emit("course.deleted", "c4")
    sync.sync_once()
    assert "vacancy:v4" not in sync.refines and "course:c4" not in sync.refines
    sync.run_refine(None)
    assert VacancyCopy.objects(id="v4").first() is None
    assert CourseCopy.objects(id="c4").first() is None
    assert sync.m.vacancies.row_of("v4") is None and sync.m.courses.row_of("c4") is None


def test_refine_entries_survive_a_restart(
    sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _backlog(jobs_feed, learner_feed)
    sync.sync_once()
    sync.refines.clear()  # what a new worker process starts with
    assert sync.requeue_refines() == 61
    assert sync.run_refine(None) == 61
    assert not any(v.tags_pending for v in VacancyCopy.objects())


def test_a_small_backlog_keeps_the_single_full_pass(
    sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _backlog(jobs_feed, learner_feed, n=THRESHOLD // 3)
    sync.sync_once()
    assert not sync.refines and sync.first_passed == 0
    assert not any(v.tags_pending for v in VacancyCopy.objects())
    assert not any(c.tags_pending for c in CourseCopy.objects())
    assert all(v.text.endswith(LONG[-30:]) for v in VacancyCopy.objects())


@needs_esco
def test_the_refine_tags_what_the_first_pass_left(
    sync: Sync, taxonomy: TaxonomySource, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    label = next(s["label"] for s in taxonomy.skills if len(s["label"].split()) >= 2)
    text = f"In this course you {label} every week. " + LONG
    _backlog(jobs_feed, learner_feed)
    learner_feed.emit("course.created", "tagged", course(title="Tagged", description=text))
    sync.sync_once()
    first = CourseCopy.objects(id="tagged").first()
    assert first is not None and first.tags_pending
    assert label not in {s["label"] for s in first.skills}  # the model has not read it yet
    sync.run_refine(None)
    done = CourseCopy.objects(id="tagged").first()
    assert done is not None and not done.tags_pending
    assert label in {s["label"] for s in done.skills}


def test_a_replay_in_bulk_keeps_what_is_refined(
    sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _backlog(jobs_feed, learner_feed)
    sync.sync_once()
    sync.sync_once()
    sync.run_refine(None)
    _backlog(jobs_feed, learner_feed)  # the same items again, a bulk backlog of them
    sync.sync_once()
    assert not sync.refines
    assert not any(v.tags_pending for v in VacancyCopy.objects())
    assert not any(c.tags_pending for c in CourseCopy.objects())
    assert all(v.text.endswith(LONG[-30:]) for v in VacancyCopy.objects())


def test_a_short_declared_course_is_indexed_whole_in_the_first_pass(
    sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _backlog(jobs_feed, learner_feed)
    data = course(title="SQL basics", description="Queries and joins.", skills=[skill("sql")])
    learner_feed.emit("course.created", "short", data)
    sync.sync_once()
    row = CourseCopy.objects(id="short").first()
    assert row is not None and not row.tags_pending and "Queries and joins." in row.text
    assert "course:short" not in sync.refines and "course:c1" in sync.refines


@needs_esco
def test_the_first_pass_tags_what_the_vocabulary_names(
    sync: Sync, taxonomy: TaxonomySource, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    extractor = sync.tagger._extractor()
    assert extractor is not None
    # A tool name the reviewed vocabulary maps into the 300-skill ICT subset.
    tool = next(w for w in TOOLS if extractor.spot(f"Опыт работы: {w}."))
    uri = extractor.spot(f"Опыт работы: {tool}.")[0].uri
    text = f"Требования: уверенный {tool}, опыт от 3 лет. " + LONG
    _backlog(jobs_feed, learner_feed)
    jobs_feed.emit("vacancy.created", "ru", vacancy(title="Аналитик", description=text, skills=[]))
    learner_feed.emit("course.created", "ru", course(title="Курс", description=text))
    learner_feed.emit("learner.created", "ru", learner(cv_text=text, skills=[]))
    sync.sync_once()
    # Indexed at once in the first pass (no model call for the text), with the named tool.
    for model in (VacancyCopy, CourseCopy, LearnerCopy):
        row = model.objects(id="ru").first()
        assert row is not None and row.tags_pending, model
        assert [s["uri"] for s in row.skills] == [uri], (model, row.skills)
        assert tool.lower() in row.tags[0]["evidence"].lower()
    assert {"vacancy:ru", "course:ru", "learner:ru"} <= set(sync.refines)


def test_the_summary_says_every_change_is_in_while_refines_and_labels_remain() -> None:
    from services.matcher.sync.progress import indexing_summary

    def summary(lag: int, queued: int, stage: str) -> dict[str, Any]:
        report = {
            "stage": stage,
            "labels_done": 40_000,
            "labels_total": 130_425,
            "timings": {"feeds_started": 160.0},
            "sync": {
                "feeds": {"jobs": {"cursor": 2000, "lag": lag}, "learner": {"cursor": 5716}},
                "refine": {"queued": queued, "done": 181},
            },
        }
        return indexing_summary(report, worker={}, interactive={}, start={}, snapshots=None)

    reading = summary(lag=300, queued=4000, stage="preferred")
    assert not reading["caught_up"] and not reading["done"]
    assert reading["message"].startswith("the matcher is still indexing: 7716 of 8016 changes")
    refining = summary(lag=0, queued=4809, stage="preferred")
    assert refining["caught_up"] and not refining["done"] and not refining["refined"]
    assert refining["message"] == (
        "the matcher has every change; refining: first-pass items 181 done, 4809 to go, "
        "ESCO labels 40000 of 130425"
    )
    labels = summary(lag=0, queued=0, stage="preferred")
    assert labels["message"].endswith("refining: ESCO labels 40000 of 130425")
    full = summary(lag=0, queued=0, stage="full")
    assert full["done"] and full["refined"] and full["message"] == "the matcher is up to date"
