"""Fixtures of the jobs tests: an app on a fresh store per test, factories posting test data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.common.db import close_db
from services.jobs.app import create_app
from services.jobs.settings import ALIAS, Settings
from tests.jobs.helpers import (
    REAL_BINS,
    Json,
    application_body,
    created,
    employer_body,
    vacancy_body,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(env={}, data_dir=tmp_path / "store", testing=True)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    yield app
    close_db(ALIAS)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_employer(client: FlaskClient) -> Callable[..., Json]:
    bins = iter(REAL_BINS)

    def make(**fields: Any) -> Json:
        body = employer_body(**fields)
        body.setdefault("bin", next(bins))
        return created(client.post("/employers", json=body))

    return make


@pytest.fixture
def employer(make_employer: Callable[..., Json]) -> Json:
    return make_employer()


@pytest.fixture
def make_vacancy(client: FlaskClient, employer: Json) -> Callable[..., Json]:
    def make(**fields: Any) -> Json:
        return created(client.post("/vacancies", json=vacancy_body(employer["id"], **fields)))

    return make


@pytest.fixture
def vacancy(make_vacancy: Callable[..., Json]) -> Json:
    return make_vacancy(salary_min=400_000, salary_max=700_000)


@pytest.fixture
def make_application(client: FlaskClient, vacancy: Json) -> Callable[..., Json]:
    def make(learner_id: str = "learner-1", vacancy_id: str | None = None, **fields: Any) -> Json:
        body = application_body(vacancy_id or vacancy["id"], learner_id, **fields)
        return created(client.post("/applications", json=body))

    return make
