"""The jobs service as a whole: health, OpenAPI, durability across restarts, live gunicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from services.common.db import close_db
from services.common.launch.live import call, live_suite
from services.jobs.app import create_app
from services.jobs.settings import ALIAS, Settings
from tests.jobs.helpers import REAL_BINS, employer_body, events, vacancy_body


def test_health_and_readiness(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "service": "jobs"}
    assert client.get("/readyz").get_json()["status"] == "ready"


def test_settings_default_to_the_jobs_port_and_database() -> None:
    settings = Settings.from_env(env={})
    assert (settings.port, settings.db_name, settings.service) == (8002, "qabilet_jobs", "jobs")


def test_openapi_documents_every_endpoint_and_the_state_machine(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    paths = spec["paths"]
    for path, method in [
        ("/employers", "post"),
        ("/employers/{employer_id}", "delete"),
        ("/vacancies", "get"),
        ("/vacancies/{vacancy_id}", "patch"),
        ("/vacancies/{vacancy_id}/close", "post"),
        ("/vacancies/{vacancy_id}/reopen", "post"),
        ("/applications", "post"),
        ("/applications/{application_id}/transition", "post"),
        ("/changes", "get"),
    ]:
        assert method in paths[path], (path, method)
    transition = paths["/applications/{application_id}/transition"]["post"]
    assert "offer -> hired | rejected" in transition["responses"]["409"]["description"]
    described = spec["components"]["schemas"]["TransitionRequest"]["description"]
    assert "applied -> interview | offer | rejected" in described
    params = {p["name"] for p in paths["/vacancies"]["get"]["parameters"]}
    assert {"employer_id", "region", "remote", "salary_min", "status", "q", "skill"} <= params


def test_data_survives_an_app_restart(settings: Settings) -> None:
    first = create_app(settings).test_client()
    airline = employer_body(name="Air Astana", bin=REAL_BINS[0], region="astana", sector="aviation")
    employer = first.post("/employers", json=airline).get_json()
    vacancy = first.post("/vacancies", json=vacancy_body(employer["id"], title="Pilot")).get_json()
    close_db(ALIAS)

    again = create_app(settings).test_client()
    assert again.get(f"/vacancies/{vacancy['id']}").get_json() == vacancy
    assert [e["type"] for e in events(again)] == ["employer.created", "vacancy.created"]
    # The feed's sequence continues where it stopped, and the BIN is still taken.
    again.post(f"/vacancies/{vacancy['id']}/close")
    assert events(again)[-1]["seq"] == 3
    dup = again.post("/employers", json={**airline, "name": "Copy"})
    assert dup.status_code == 409
    close_db(ALIAS)


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    """Serve services.jobs.wsgi:app under gunicorn with 2 workers; stop it by its pid."""
    with live_suite(tmp_path, ["jobs"], workers=2) as live:
        yield live.urls["jobs"]


@pytest.mark.slow
def test_wsgi_app_serves_under_gunicorn_gthread(gunicorn: str) -> None:
    status, employer = call(
        "POST", f"{gunicorn}/employers", employer_body(name="Kaspi", bin=REAL_BINS[1])
    )
    assert status == 201, employer
    for i in range(8):  # requests spread over both workers, which share one store
        status, vacancy = call(
            "POST", f"{gunicorn}/vacancies", vacancy_body(employer["id"], title=f"Analyst {i}")
        )
        assert status == 201, vacancy
    status, page = call("GET", f"{gunicorn}/vacancies?status=open&limit=100")
    assert status == 200 and page["total"] == 8
    status, feed = call("GET", f"{gunicorn}/changes?limit=100")
    assert [e["seq"] for e in feed["events"]] == list(range(1, 10))
