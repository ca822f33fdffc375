"""Fixtures of the learner service tests: a fresh app on a tmp data dir per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.common.db import close_db
from services.learner.app import create_app
from services.learner.settings import ALIAS, Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(env={}, data_dir=tmp_path, testing=True)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    yield app
    close_db(ALIAS)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
