"""Answers while the matcher catches up: quick first-visit reads, provisional answers, no 5xx.

The matcher follows the real jobs and learner apps (in-process, through HTTP test clients); the
feed is left behind (no ``sync_once`` after the new items), as during a first start.
"""

# The fixtures come from test_sync (imported below); their names are reused as parameters.
# ruff: noqa: F811

from __future__ import annotations

import os
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.matcher.esco.taxonomy import TaxonomySource, import_taxonomy
from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.ml.index import VectorIndex
from services.matcher.recommend.ranking import Blend, rank_rows
from services.matcher.recommend.state import Matcher
from services.matcher.settings import Settings
from services.matcher.sync.bridge import WorkerBridge
from services.matcher.sync.feeds import Sync
from services.matcher.sync.models import LearnerCopy
from services.matcher.sync.rebuild import rebuild_indexes
from tests.matcher.conftest import FlaskServiceClient, needs_esco
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


def _vacancy(jobs: FlaskClient, employer: str, title: str, skills: list[Any]) -> str:
    body = {"employer_id": employer, "title": title, "region": "astana", "skills": skills}
    return str(_post(jobs, "/vacancies", body)["id"])


def _employer(jobs: FlaskClient) -> str:
    body = {"name": "Kaspi", "bin": REAL_BIN, "region": "almaty-city", "sector": "fintech"}
    return str(_post(jobs, "/employers", body)["id"])


@pytest.fixture
def stuck(
    live: tuple[Flask, FlaskClient, FlaskClient], settings: Settings
) -> Iterator[tuple[Flask, FlaskClient, FlaskClient, Sync]]:
    """The matcher app answering through a real bridge whose worker is busy with its backlog.

    The worker's pipe is open but nobody reads it, as when the worker is deep in a backlog
    page: every interactive read outlives the request's budget.
    """
    app, jobs, learners = live
    sync: Sync = app.extensions["matcher_sync"]
    web = Matcher(
        settings,
        embedder=FakeEmbedder(),
        jobs_client=FlaskServiceClient(jobs),
        learner_client=FlaskServiceClient(learners),
        remote=WorkerBridge,
    )
    bridge = web.remote
    assert isinstance(bridge, WorkerBridge)
    read_end, write_end = os.pipe()
    bridge._out = Connection(write_end, readable=False)
    app.extensions["matcher"] = web
    try:
        yield app, jobs, learners, sync
    finally:
        bridge._out.close()
        os.close(read_end)


def test_a_learner_not_indexed_yet_gets_a_provisional_answer_not_a_503(
    stuck: tuple[Flask, FlaskClient, FlaskClient, Sync],
) -> None:
    app, jobs, learners, sync = stuck
    employer = _employer(jobs)
    fits = _vacancy(jobs, employer, "Python developer", [{**PY, "essential": True}])
    half = _vacancy(
        jobs, employer, "Data engineer", [{**PY, "essential": True}, {**SQL, "essential": True}]
    )
    _vacancy(jobs, employer, "Accountant", [{"label": "Bookkeeping", "essential": True}])
    sync.sync_once()
    rebuild_indexes(app.extensions["matcher"])  # the web process's indexes: the vacancies
    person = _learner(learners, skills=[PY])  # after the sync: the feed has not reached it

    resp = app.test_client().get(f"/learners/{person['id']}/recommendations/jobs")

    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["provisional"] is True
    assert "declared skills" in body["provisional_basis"]
    assert {"message", "events_done", "events_total"} <= set(body["indexing"])
    # Ranked by the declared skills alone, and the score says exactly that.
    assert body["weights"]["similarity"] == 0.0
    assert [i["vacancy_id"] for i in body["items"]] == [fits, half]  # no shared skill: left out
    assert [i["score"]["coverage"] for i in body["items"]] == [1.0, 0.5]
    assert all(i["score"]["total"] == i["score"]["coverage"] for i in body["items"])
    assert body["items"][1]["missing_skills"][0]["label"] == "SQL"


def test_a_vacancy_not_indexed_yet_lists_consenting_candidates_provisionally(
    stuck: tuple[Flask, FlaskClient, FlaskClient, Sync],
) -> None:
    app, jobs, learners, sync = stuck
    employer = _employer(jobs)
    fits = _learner(learners, skills=[PY, SQL])
    _learner(learners, skills=[PY], consent=False)
    _learner(learners, skills=[{"label": "Bookkeeping"}])
    sync.sync_once()
    rebuild_indexes(app.extensions["matcher"])
    vid = _vacancy(jobs, employer, "Data engineer", [{**PY, "essential": True}])

    resp = app.test_client().get(f"/vacancies/{vid}/candidates")

    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["provisional"] is True and body["trainable"] == []
    assert "trainable learners once it is indexed" in body["provisional_basis"]
    assert [c["learner_id"] for c in body["candidates"]] == [fits["id"]]  # consent holds
    assert body["candidates"][0]["matched_skills"][0]["label"] == "Python"
    gone = app.test_client().get("/vacancies/no-such-vacancy/candidates")
    assert gone.status_code == 404


@needs_esco
def test_a_first_visit_is_indexed_without_tagging_then_tagged_by_the_deferred_pass(
    live: tuple[Flask, FlaskClient, FlaskClient], esco_subset: TaxonomySource
) -> None:
    app, jobs, learners = live
    import_taxonomy(esco_subset)
    sync: Sync = app.extensions["matcher_sync"]
    found = next(s for s in esco_subset.skills if len(s["label"].split()) >= 2)
    employer = _employer(jobs)
    wanted = {"uri": found["_id"], "label": found["label"], "essential": True}
    vid = _vacancy(jobs, employer, "Analyst", [wanted])
    sync.sync_once()
    person = _learner(learners, cv_text=f"Five years at a bank. I {found['label']} daily.")
    client = app.test_client()
    url = f"/learners/{person['id']}/recommendations/jobs"

    assert sync.priority("learner", person["id"], quick=True) == "indexed"
    copy = LearnerCopy.objects.get(id=person["id"])
    assert copy.tags_pending and copy.tags == [] and sync.write_backs == 0
    early = client.get(url).get_json()
    assert early["provisional"] is True and "still being extracted" in early["provisional_basis"]
    assert early["items"][0]["vacancy_id"] == vid
    assert early["items"][0]["matched_skills"] == []  # the CV is not read yet: said, not hidden

    assert sync.run_deferred(None) == 1
    later = client.get(url).get_json()
    assert later["provisional"] is False and later["indexing"] is None
    assert [s["uri"] for s in later["items"][0]["matched_skills"]] == [found["_id"]]
    assert sync.write_backs == 1
    assert not LearnerCopy.objects.get(id=person["id"]).tags_pending
    sync.sync_once()  # the backlog's older learner events are skipped: the tags stay
    assert client.get(url).get_json()["items"][0]["matched_skills"]


def test_rows_added_during_a_request_are_left_out_not_a_500(settings: Settings) -> None:
    index = VectorIndex("learners", {"consent": bool})
    for i in range(2):
        index.upsert(f"l{i}", np.eye(4, dtype=np.float32)[i], consent=True)
    mask, coverage = index.alive[: index.n].copy(), np.array([1.0, 0.5], np.float32)
    index.upsert("l2", np.eye(4, dtype=np.float32)[2], consent=True)  # a feed write meanwhile

    rows, _ = rank_rows(index, np.eye(4, dtype=np.float32)[0], coverage, mask, 5, Blend(0.4, 2, 0))

    assert rows.tolist() == [0, 1]


def test_a_path_to_a_vacancy_not_indexed_yet_is_planned_from_its_record(
    stuck: tuple[Flask, FlaskClient, FlaskClient, Sync],
) -> None:
    app, jobs, learners, sync = stuck
    employer = _employer(jobs)
    person = _learner(learners, skills=[PY])
    sync.sync_once()
    rebuild_indexes(app.extensions["matcher"])
    # Posted after the sync: the matcher has not read it (the load test's 500s came from here).
    vid = _vacancy(
        jobs, employer, "Data engineer", [{**PY, "essential": True}, {**SQL, "essential": True}]
    )
    client = app.test_client()

    for path in ("retraining-path", "recommendations/courses"):
        resp = client.get(f"/learners/{person['id']}/{path}?vacancy_id={vid}")
        assert resp.status_code == 200, (path, resp.get_json())
        body = resp.get_json()
        assert body["provisional"] is True and "vacancy's record" in body["provisional_basis"]
        assert body["target"] == {"kind": "vacancy", "id": vid, "label": "Data engineer"}
        assert [s["label"] for s in body["missing_skills"]] == ["SQL"]
    gone = client.get(f"/learners/{person['id']}/retraining-path?vacancy_id=no-such-vacancy")
    assert gone.status_code == 404


def test_a_path_for_a_learner_not_indexed_yet_uses_the_declared_skills(
    stuck: tuple[Flask, FlaskClient, FlaskClient, Sync],
) -> None:
    app, jobs, learners, sync = stuck
    employer = _employer(jobs)
    vid = _vacancy(
        jobs, employer, "Data engineer", [{**PY, "essential": True}, {**SQL, "essential": True}]
    )
    sync.sync_once()
    rebuild_indexes(app.extensions["matcher"])
    person = _learner(learners, skills=[SQL])  # after the sync

    resp = app.test_client().get(f"/learners/{person['id']}/retraining-path?vacancy_id={vid}")

    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["provisional"] is True and "learner's record" in body["provisional_basis"]
    assert [s["label"] for s in body["missing_skills"]] == ["Python"]
