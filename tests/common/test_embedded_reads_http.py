"""The routes whose by-id reads went to the primary-key path, over HTTP on the embedded store.

Each write is made by another thread (its own litemongo connection, as a request thread of the
service under load) and the read right after, in this thread, must already show it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient

from gateway.app import create_app as create_gateway
from services.common.db import close_db
from services.jobs.app import create_app as create_jobs
from services.jobs.settings import ALIAS as JOBS
from services.jobs.settings import Settings as JobsSettings
from services.learner.app import create_app as create_learner_app
from services.learner.settings import ALIAS as LEARNER
from services.learner.settings import Settings as LearnerSettings
from tests.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, close_gateway, gateway_settings
from tests.gateway.world import API, sign_in
from tests.jobs.helpers import REAL_BINS, created, employer_body, vacancy_body
from tests.learner.helpers import create_learner


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in another thread, wait for it and return its result."""
    result: list[Any] = []
    t = threading.Thread(target=lambda: result.append(fn()))
    t.start()
    t.join()
    assert result, "the other thread failed"
    return result[0]


@pytest.fixture
def learner_client(tmp_path: Path) -> Iterator[FlaskClient]:
    app = create_learner_app(LearnerSettings.from_env(env={}, data_dir=tmp_path, testing=True))
    yield app.test_client()
    close_db(LEARNER)


@pytest.fixture
def jobs_client(tmp_path: Path) -> Iterator[FlaskClient]:
    app = create_jobs(JobsSettings.from_env(env={}, data_dir=tmp_path / "store", testing=True))
    yield app.test_client()
    close_db(JOBS)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Flask]:
    app = create_gateway(gateway_settings(tmp_path / "gw", None))
    yield app
    close_gateway(app)


def test_learner_read_shows_another_threads_update_and_delete(learner_client: FlaskClient) -> None:
    client = learner_client
    learner = create_learner(client, name="Айгерим")
    path = f"/learners/{learner['id']}"
    assert client.get(path).get_json()["name"] == "Айгерим"

    patched = in_thread(
        lambda: client.patch(path, json={"name": "Айгерим С.", "cohort": "2026-spring"})
    )
    assert patched.status_code == 200
    body = client.get(path).get_json()
    assert (body["name"], body["cohort"]) == ("Айгерим С.", "2026-spring")
    assert body["languages"] == [{"code": "kk", "level": "native"}, {"code": "ru", "level": "C1"}]

    assert in_thread(lambda: client.delete(path)).status_code == 204
    gone = client.get(path)
    assert gone.status_code == 404 and gone.mimetype == "application/problem+json"
    assert client.get(f"/learners/{ObjectId()}").status_code == 404


def test_vacancy_post_and_reads_see_another_threads_writes(jobs_client: FlaskClient) -> None:
    client = jobs_client
    missing = client.post("/vacancies", json=vacancy_body(str(ObjectId())))
    assert missing.status_code == 422
    assert [e["field"] for e in missing.get_json()["errors"]] == ["employer_id"]

    employer = in_thread(
        lambda: created(client.post("/employers", json=employer_body(bin=REAL_BINS[0])))
    )
    assert client.get(f"/employers/{employer['id']}").get_json()["name"] == "Halyk Bank"
    vacancy = created(client.post("/vacancies", json=vacancy_body(employer["id"])))
    path = f"/vacancies/{vacancy['id']}"

    renamed = in_thread(lambda: client.patch(path, json={"title": "Data engineer"}))
    assert renamed.status_code == 200
    assert client.get(path).get_json()["title"] == "Data engineer"
    assert client.get(f"/vacancies/{ObjectId()}").status_code == 404


def test_me_sees_another_threads_sign_out(gateway: Flask) -> None:
    client = gateway.test_client()
    first = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    second = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    for token in (first, second):
        me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.get_json()["email"] == ADMIN_EMAIL

    out = in_thread(
        lambda: client.post(f"{API}/auth/logout", headers={"Authorization": f"Bearer {first}"})
    )
    assert out.status_code == 204
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
