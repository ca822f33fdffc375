"""Fixtures of the ministry reports: services on fresh tmp stores, a hand-built cohort."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.learner.app import create_app as create_learner
from services.learner.settings import Settings as LearnerSettings

from .cohort import Cohort, build_cohort


@pytest.fixture
def learner_app(tmp_path: Path) -> Iterator[Flask]:
    settings = LearnerSettings.from_env(
        env={}, data_dir=tmp_path / "data", testing=True, follow_jobs=False
    )
    yield create_learner(settings)


@pytest.fixture
def learner(learner_app: Flask) -> FlaskClient:
    return learner_app.test_client()


@pytest.fixture
def cohort(learner: FlaskClient) -> Cohort:
    return build_cohort(learner)


@pytest.fixture
def matcher_app(tmp_path: Path) -> Iterator[Flask]:
    """The matcher on a fresh store with the fake embedder and hand-fed feeds."""
    from services.common.db import close_db
    from services.matcher.app import create_app as create_matcher
    from services.matcher.db import ALIAS
    from services.matcher.ml.embedding import FakeEmbedder
    from services.matcher.settings import Settings as MatcherSettings
    from tests.matcher.conftest import EventSource

    settings = MatcherSettings.from_env(
        env={}, data_dir=tmp_path / "matcher", testing=True, embedder="fake"
    )
    app = create_matcher(
        settings,
        embedder=FakeEmbedder(),
        learner_client=EventSource(),
        jobs_client=EventSource(),
    )
    yield app
    close_db(ALIAS)


@pytest.fixture
def matcher(matcher_app: Flask) -> FlaskClient:
    return matcher_app.test_client()


class FlaskTransport:
    """The gateway's transport over in-process test clients of the services."""

    def __init__(self, clients: dict[str, FlaskClient]) -> None:
        self.clients = clients

    def send(self, service: str, method: str, target: str, body: bytes | None, headers: Any) -> Any:
        from gateway.transport import Upstream, UpstreamError

        client = self.clients.get(service)
        if client is None:
            raise UpstreamError(service, "not running", timeout=False, retry_after=5)
        resp = client.open(target, method=method, data=body, headers=dict(headers))
        return Upstream(status=resp.status_code, headers=dict(resp.headers), body=resp.data)


ADMIN = ("admin@ministry.test", "admin-password-1")


@pytest.fixture
def gateway(tmp_path: Path, learner: FlaskClient, matcher: FlaskClient) -> FlaskClient:
    """The gateway in front of the in-process learner service and matcher."""
    from gateway.app import create_app as create_gateway
    from gateway.settings import Settings as GatewaySettings

    settings = GatewaySettings.from_env(
        env={},
        data_dir=tmp_path / "gateway",
        testing=True,
        jwt_secret="ministry-test-secret-" + "x" * 32,
        admin_email=ADMIN[0],
        admin_password=ADMIN[1],
        password_method="pbkdf2:sha256:1000",
    )
    transport = FlaskTransport({"learner": learner, "matcher": matcher})
    return create_gateway(settings, transport=transport).test_client()
