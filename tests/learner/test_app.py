"""The service as deployed: settings, health, OpenAPI, the jobs follower, reference data."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.common.db import close_db
from services.common.identity import generate_keys, signer_for
from services.common.reference import (
    LANGUAGE_LEVELS,
    LANGUAGES,
    PROGRAMMES,
    REGION_BY_SLUG,
    REGION_SLUGS,
    REGIONS,
    LanguageCode,
    LanguageLevel,
    Programme,
    RegionSlug,
    level_rank,
)
from services.common.settings import SettingsError
from services.learner.app import create_app
from services.learner.settings import ALIAS, Settings


def test_settings_defaults_and_errors() -> None:
    settings = Settings.from_env(env={})
    assert (settings.port, settings.service, settings.jobs_url) == (
        8001,
        "learner",
        "http://127.0.0.1:8002",
    )
    with pytest.raises(SettingsError) as err:
        Settings.from_env(env={"QABILET_JOBS_URL": "jobs:8002", "QABILET_FOLLOW_JOBS": "maybe"})
    assert "QABILET_FOLLOW_JOBS" in str(err.value)
    with pytest.raises(SettingsError, match="QABILET_JOBS_URL"):
        Settings.from_env(env={"QABILET_JOBS_URL": "jobs:8002"})


def test_health_readiness_and_openapi(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json()["service"] == "learner"
    assert client.get("/readyz").get_json()["status"] == "ready"
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in [
        "/learners",
        "/learners/{learner_id}",
        "/learners/{learner_id}/skills/{uri}/reject",
        "/learners/{learner_id}/extracted-skills",
        "/learners/{learner_id}/outcomes",
        "/courses/{course_id}",
        "/enrolments/{enrolment_id}/complete",
        "/changes",
    ]:
        assert path in paths, path
    assert set(paths["/learners/{learner_id}"]) == {"get", "patch", "delete"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_follower_runs_outside_tests_and_reports_an_unreachable_jobs_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Keep the JSON log setup of a real start away from pytest's own log capture.
    monkeypatch.setattr("services.common.app.configure_logging", lambda *args: None)
    generate_keys(tmp_path / "keys")
    settings = Settings.from_env(
        env={},
        data_dir=tmp_path,
        keys_dir=tmp_path / "keys",
        testing=False,
        jobs_url=f"http://127.0.0.1:{_closed_port()}",
        follow_interval=0.05,
    )
    app = create_app(settings)
    follower = app.extensions["jobs_follower"]
    try:
        deadline = time.monotonic() + 10
        while follower.last_error is None and time.monotonic() < deadline:
            time.sleep(0.05)
        gateway = signer_for(settings, "gateway").headers("learner")
        status = app.test_client().get("/sync/status", headers=gateway).get_json()["jobs"]
        assert status["running"] is True and status["cursor"] == 0
        assert "did not answer" in (status["last_error"] or "")
        # The service itself stays up while the producer is down.
        assert app.test_client().get("/learners", headers=gateway).status_code == 200
    finally:
        follower.stop()
        close_db(ALIAS)


def test_no_follower_in_tests(client: FlaskClient) -> None:
    assert client.get("/sync/status").get_json()["jobs"]["running"] is False


def test_reference_types_list_exactly_the_data() -> None:
    assert set(RegionSlug.__args__) == set(REGION_SLUGS)  # type: ignore[attr-defined]
    assert set(LanguageCode.__args__) == set(LANGUAGES)  # type: ignore[attr-defined]
    assert tuple(LanguageLevel.__args__) == LANGUAGE_LEVELS  # type: ignore[attr-defined]
    assert set(Programme.__args__) == set(PROGRAMMES)  # type: ignore[attr-defined]


def test_regions_are_the_17_oblasts_and_3_cities() -> None:
    assert len(REGIONS) == 20 and len(REGION_BY_SLUG) == 20
    kinds = [r.kind for r in REGIONS]
    assert kinds.count("oblast") == 17 and kinds.count("city") == 3
    assert {"astana", "almaty-city", "shymkent", "abai", "jetisu", "ulytau"} <= set(REGION_SLUGS)
    # Kazakhstan had about 20 million people at the start of 2024.
    assert 19_500_000 < sum(r.population for r in REGIONS) < 20_500_000
    assert REGION_BY_SLUG["east-kazakhstan"].name_kk == "Шығыс Қазақстан облысы"
    assert level_rank("native") > level_rank("C2") > level_rank("A1")


def test_the_ministry_reports_are_served_and_documented(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/reports/funnel").status_code == 200
    assert "/reports/funnel" in client.get("/openapi.json").get_json()["paths"]
