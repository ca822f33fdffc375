"""Finding 8: provenance (source, external_id, external_url, published_at) is the server's.

An employer could post a vacancy as an hh.kz import, backdated. Now the jobs API refuses those
fields from every caller (422 naming the field, nothing stored), through the live gateway and
straight to the service; importers, which call the service layer, still set them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.common.db import close_db
from services.jobs.app import create_app
from services.jobs.settings import ALIAS, Settings
from services.jobs.vacancies import service as vacancies
from services.jobs.vacancies.schemas import VacancyImport
from tests.gateway.world import World, valid_bin
from tests.security.lone_gateway import API, Client

POSING = [
    ("source", "hh.kz"),
    ("external_id", "131040079"),
    ("external_url", "https://hh.kz/vacancy/131040079"),
    ("published_at", "2020-01-01T09:00:00Z"),
]


def field_names(body: Any) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


@pytest.mark.slow
@pytest.mark.parametrize("who", ["employer", "admin"])
@pytest.mark.parametrize(("field", "value"), POSING)
def test_posting_a_vacancy_with_provenance_through_the_gateway_is_422_and_stores_nothing(
    live_gateway: str, world: World, who: str, field: str, value: str
) -> None:
    gw = Client(live_gateway)
    title = f"Driver-{uuid.uuid4().hex[:8]}"
    body = {"title": title, "region": "astana", field: value}
    if who == "admin":
        body["employer_id"] = str(world["employer"].employer_id)
    resp = gw.request("POST", f"{API}/vacancies", token=world[who].token, body=body)
    assert resp.status == 422 and field_names(resp.body) == [field], resp.body
    found = gw.request("GET", f"{API}/vacancies?q={title}", token=world["admin"].token)
    assert found.status == 200 and found.body["total"] == 0


@pytest.mark.slow
@pytest.mark.parametrize(("field", "value"), POSING)
def test_patching_provenance_through_the_gateway_is_422_and_changes_nothing(
    live_gateway: str, world: World, field: str, value: str
) -> None:
    gw = Client(live_gateway)
    path = f"{API}/vacancies/{world.vacancy['id']}"
    before = gw.request("GET", path, token=world["admin"].token).body
    resp = gw.request("PATCH", path, token=world["employer"].token, body={field: value})
    assert resp.status == 422 and field_names(resp.body) == [field], resp.body
    assert gw.request("GET", path, token=world["admin"].token).body == before


@pytest.fixture
def jobs(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(Settings.from_env(env={}, data_dir=tmp_path / "jobs", testing=True))
    yield app
    close_db(ALIAS)


@pytest.fixture
def employer_id(jobs: Flask) -> str:
    body = {"name": "Kaspi", "bin": valid_bin(40_123_456), "region": "almaty-city", "sector": "IT"}
    resp = jobs.test_client().post("/employers", json=body)
    assert resp.status_code == 201, resp.get_json()
    return str(resp.get_json()["id"])


def open_vacancies(client: FlaskClient) -> int:
    return int(client.get("/vacancies").get_json()["total"])


@pytest.mark.parametrize(("field", "value"), POSING)
def test_the_jobs_service_refuses_provenance_from_api_callers(
    jobs: Flask, employer_id: str, field: str, value: str
) -> None:
    client = jobs.test_client()
    body = {"employer_id": employer_id, "title": "Driver", "region": "astana"}
    posted = client.post("/vacancies", json={**body, field: value})
    assert posted.status_code == 422 and field_names(posted.get_json()) == [field]
    assert open_vacancies(client) == 0
    made = client.post("/vacancies", json=body).get_json()
    assert (made["source"], made["external_id"], made["external_url"]) == ("employer", None, None)
    patched = client.patch(f"/vacancies/{made['id']}", json={field: value})
    assert patched.status_code == 422 and field_names(patched.get_json()) == [field]
    assert client.get(f"/vacancies/{made['id']}").get_json() == made


def test_importers_still_set_provenance_through_the_service_layer(
    jobs: Flask, employer_id: str
) -> None:
    data = VacancyImport.model_validate(
        {
            "employer_id": employer_id,
            "title": "Водитель",
            "region": "astana",
            **dict(POSING),
        }
    )
    made = vacancies.read(vacancies.create(data=data))
    stored = jobs.test_client().get(f"/vacancies/{made['id']}").get_json()
    assert (stored["source"], stored["external_id"]) == ("hh.kz", "131040079")
    assert stored["external_url"] == "https://hh.kz/vacancy/131040079"
    assert stored["published_at"] == "2020-01-01T09:00:00Z"
