"""Vacancies over HTTP: CRUD, every validation path, filters, close/reopen and the feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.common.errors import Conflict
from services.jobs.vacancies import service as vacancies
from services.jobs.vacancies.schemas import VacancyImport
from tests.jobs.helpers import Json, application_body, events, field_names, latest, vacancy_body

SKILL_PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SKILL_SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"


def test_create_returns_the_full_vacancy_and_announces_it(
    client: FlaskClient, employer: Json
) -> None:
    body = {
        "employer_id": employer["id"],
        "title": "Data engineer",
        "description": "Pipelines for the labour ministry.",
        "requirements": "SQL, Python",
        "skills": [
            {"uri": SKILL_PYTHON, "label": "Python", "essential": True},
            {"label": "Airflow", "essential": False},
        ],
        "region": "astana",
        "remote": True,
        "salary_min": 600_000,
        "salary_max": 900_000,
        "salary_gross": True,
        "employment_type": "full",
        "schedule": "flexible",
        "experience": "1-3",
        "languages": [{"code": "ru", "level": "C1"}, {"code": "kk"}],
        "professional_role": "Программист, разработчик",
    }
    resp = client.post("/vacancies", json=body)
    assert resp.status_code == 201, resp.get_json()
    made = resp.get_json()
    for key in ("title", "region", "remote", "salary_min", "salary_max", "schedule"):
        assert made[key] == body[key]
    assert made["status"] == "open" and made["closed_at"] is None
    assert made["source"] == "employer" and made["positions"] == 1
    assert made["skills"][1] == {
        "uri": None,
        "label": "Airflow",
        "essential": False,
        "level": None,
        "source": "self",
        "evidence": None,
        "confidence": None,
    }
    assert made["languages"] == [{"code": "ru", "level": "C1"}, {"code": "kk", "level": None}]
    assert made["external_id"] is None and made["external_url"] is None
    published, created = (datetime.fromisoformat(made[k]) for k in ("published_at", "created_at"))
    assert abs(published - created) < timedelta(seconds=5)  # published when posted
    assert client.get(f"/vacancies/{made['id']}").get_json() == made
    (event,) = [e for e in events(client) if e["type"].startswith("vacancy.")]
    assert event == {**event, "type": "vacancy.created", "id": made["id"], "data": made}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"salary_min": 900_000, "salary_max": 500_000}, "salary_min"),
        ({"salary_min": -1}, "salary_min"),
        ({"salary_max": 1.5}, "salary_max"),
        ({"salary_min": "500000"}, "salary_min"),
        ({"region": "moscow"}, "region"),
        ({"region": {"$gt": ""}}, "region"),
        ({"title": {"$gt": ""}}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"employer_id": {"$ne": None}}, "employer_id"),
        ({"employer_id": "6b03850e833240043945a1f2"}, "employer_id"),
        ({"employment_type": "gig"}, "employment_type"),
        ({"remote": "yes"}, "remote"),
        ({"languages": [{"code": "de"}]}, "languages.0.code"),
        ({"languages": [{"code": "kk", "level": "fluent"}]}, "languages.0.level"),
        ({"languages": [{"code": "kk"}, {"code": "kk"}]}, "languages"),
        ({"skills": [{"uri": SKILL_PYTHON}]}, "skills.0.label"),
        ({"skills": [{"label": "Python", "essential": "yes"}]}, "skills.0.essential"),
        ({"positions": 0}, "positions"),
        ({"status": "closed"}, "status"),
        ({"hired_count": 5}, "hired_count"),
        ({"published_at": "yesterday"}, "published_at"),
    ],
)
def test_invalid_vacancy_is_422_naming_the_field(
    client: FlaskClient, employer: Json, change: Json, field: str
) -> None:
    body = {**vacancy_body(employer["id"], title="QA engineer"), **change}
    before = latest(client)
    resp = client.post("/vacancies", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert field in field_names(resp)
    assert client.get("/vacancies").get_json()["total"] == 0
    assert latest(client) == before


def test_a_missing_required_field_is_named(client: FlaskClient) -> None:
    resp = client.post("/vacancies", json={"title": "QA engineer"})
    assert resp.status_code == 422
    assert {"employer_id", "region"} <= set(field_names(resp))


def test_a_one_megabyte_body_is_413(client: FlaskClient, employer: Json) -> None:
    big = b'{"employer_id": "%s", "title": "x", "region": "astana", "description": "' % (
        employer["id"].encode()
    )
    resp = client.post(
        "/vacancies", data=big + b"a" * 1_000_000 + b'"}', content_type="application/json"
    )
    assert resp.status_code == 413 and resp.mimetype == "application/problem+json"
    assert client.get("/vacancies").get_json()["total"] == 0


def test_malformed_json_is_400_and_other_media_types_415(client: FlaskClient) -> None:
    bad = client.post("/vacancies", data=b'{"title": ', content_type="application/json")
    assert bad.status_code == 400 and field_names(bad) == ["body"]
    form = client.post("/vacancies", data={"title": "x"})
    assert form.status_code == 415
    array = client.post("/vacancies", json=[{"title": "x"}])
    assert array.status_code == 422 and field_names(array) == ["body"]


def test_patch_changes_only_what_is_sent_and_announces_it(
    client: FlaskClient, vacancy: Json
) -> None:
    resp = client.patch(f"/vacancies/{vacancy['id']}", json={"title": "Senior Python developer"})
    assert resp.status_code == 200
    patched = resp.get_json()
    assert patched["title"] == "Senior Python developer"
    unchanged = {k: v for k, v in vacancy.items() if k not in ("title", "updated_at")}
    assert {k: patched[k] for k in unchanged} == unchanged
    last = events(client)[-1]
    assert last["type"] == "vacancy.updated" and last["data"] == patched


def test_patch_may_clear_nullable_fields_but_not_required_ones(
    client: FlaskClient, vacancy: Json
) -> None:
    cleared = client.patch(f"/vacancies/{vacancy['id']}", json={"salary_max": None}).get_json()
    assert cleared["salary_max"] is None and cleared["salary_min"] == 400_000
    resp = client.patch(f"/vacancies/{vacancy['id']}", json={"title": None, "remote": None})
    assert resp.status_code == 422 and set(field_names(resp)) == {"title", "remote"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"salary_min": 800_000}, "salary_min"),  # above the stored salary_max of 700,000
        ({"salary_max": 100_000}, "salary_max"),
        ({"employer_id": "6b03850e833240043945a1f2"}, "employer_id"),
        ({"description": {"$gt": ""}}, "description"),
        ({"salary_min": 1, "salary_max": 0}, "salary_min"),
    ],
)
def test_invalid_patch_is_422_and_changes_nothing(
    client: FlaskClient, vacancy: Json, change: Json, field: str
) -> None:
    before = latest(client)
    resp = client.patch(f"/vacancies/{vacancy['id']}", json=change)
    assert resp.status_code == 422 and field in field_names(resp)
    assert client.get(f"/vacancies/{vacancy['id']}").get_json() == vacancy
    assert latest(client) == before


def test_close_announces_and_hides_from_open_lists(client: FlaskClient, vacancy: Json) -> None:
    assert client.get("/vacancies?status=open").get_json()["total"] == 1
    resp = client.post(f"/vacancies/{vacancy['id']}/close")
    assert resp.status_code == 200
    closed = resp.get_json()
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    last = events(client)[-1]
    assert last["type"] == "vacancy.closed" and last["data"] == closed
    assert client.get("/vacancies?status=open").get_json()["total"] == 0
    assert client.get("/vacancies?status=closed").get_json()["items"][0]["id"] == vacancy["id"]


def test_closing_twice_is_409_and_reopen_opens_again(client: FlaskClient, vacancy: Json) -> None:
    client.post(f"/vacancies/{vacancy['id']}/close")
    again = client.post(f"/vacancies/{vacancy['id']}/close")
    assert again.status_code == 409 and again.get_json()["current_status"] == "closed"
    reopened = client.post(f"/vacancies/{vacancy['id']}/reopen")
    assert reopened.status_code == 200
    assert reopened.get_json()["status"] == "open" and reopened.get_json()["closed_at"] is None
    assert client.post(f"/vacancies/{vacancy['id']}/reopen").status_code == 409
    assert [e["type"] for e in events(client)][-2:] == ["vacancy.closed", "vacancy.updated"]


def test_delete_announces_and_removes(client: FlaskClient, vacancy: Json) -> None:
    assert client.delete(f"/vacancies/{vacancy['id']}").status_code == 204
    assert client.get(f"/vacancies/{vacancy['id']}").status_code == 404
    last = events(client)[-1]
    assert last["type"] == "vacancy.deleted" and last["id"] == vacancy["id"]


def test_deleting_a_vacancy_with_applications_is_409(client: FlaskClient, vacancy: Json) -> None:
    client.post("/applications", json=application_body(vacancy["id"], "l1"))
    resp = client.delete(f"/vacancies/{vacancy['id']}")
    assert resp.status_code == 409 and resp.get_json()["applications"] == 1


def imported(employer: Json, **fields: Any) -> Json:
    """Create a vacancy as an importer does (through the service layer, with provenance)."""
    data = VacancyImport.model_validate(vacancy_body(employer["id"], **fields))
    return vacancies.read(vacancies.create(data=data))


def test_external_id_is_unique_per_source(client: FlaskClient, employer: Json) -> None:
    first = imported(employer, title="Driver", source="hh.kz", external_id="131040079")
    assert (first["source"], first["external_id"]) == ("hh.kz", "131040079")
    with pytest.raises(Conflict) as dup:
        imported(employer, title="Driver", source="hh.kz", external_id="131040079")
    assert [e["field"] for e in dup.value.errors] == ["external_id"]
    other = imported(employer, title="Driver", external_id="131040079")
    assert other["source"] == "employer"
    assert client.get("/vacancies").get_json()["total"] == 2


@pytest.fixture
def catalogue(
    client: FlaskClient, employer: Json, make_employer: Callable[..., Json]
) -> list[Json]:
    other = make_employer(name="Kaspi", region="almaty-city")
    # Imported, because only importers set published_at (the sort tests need set dates).
    return [
        imported(
            employer,
            title="Python developer (Django)",
            salary_min=500_000,
            salary_max=800_000,
            languages=[{"code": "ru"}],
            skills=[{"uri": SKILL_PYTHON, "label": "Python"}],
            published_at="2026-03-01T10:00:00Z",
        ),
        imported(
            employer,
            title="C++ engineer",
            description="Low-latency trading engine.",
            region="almaty-city",
            remote=True,
            salary_min=1_200_000,
            languages=[{"code": "en", "level": "B2"}, {"code": "ru"}],
            skills=[{"uri": SKILL_SQL, "label": "SQL"}],
            employment_type="project",
            published_at="2026-03-02T10:00:00Z",
        ),
        imported(
            employer,
            title="Бухгалтер",
            description="Учёт (1С) и отчётность.",
            salary_max=350_000,
            languages=[{"code": "kk"}],
            employment_type="part",
            published_at="2026-03-03T10:00:00Z",
        ),
        imported(
            other,
            title="Data analyst",
            description="SQL and Python for credit scoring.",
            region="almaty-city",
            skills=[{"uri": SKILL_SQL, "label": "SQL"}, {"uri": SKILL_PYTHON, "label": "Python"}],
            published_at="2026-03-04T10:00:00Z",
        ),
    ]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["Data analyst", "Бухгалтер", "C++ engineer", "Python developer (Django)"]),
        ("region=astana", ["Бухгалтер", "Python developer (Django)"]),
        ("region=astana,almaty-city&remote=true", ["C++ engineer"]),
        ("remote=false&region=almaty-city", ["Data analyst"]),
        ("salary_min=600000", ["C++ engineer", "Python developer (Django)"]),
        ("salary_min=350000", ["Бухгалтер", "C++ engineer", "Python developer (Django)"]),
        ("salary_min=1300000", []),
        ("language=kk", ["Бухгалтер"]),
        ("language=en&language=kk", ["Бухгалтер", "C++ engineer"]),
        ("employment_type=part,project", ["Бухгалтер", "C++ engineer"]),
        (f"skill={SKILL_SQL}", ["Data analyst", "C++ engineer"]),
        (f"skill={SKILL_PYTHON}&region=astana", ["Python developer (Django)"]),
        ("q=python", ["Data analyst", "Python developer (Django)"]),
        ("q=C%2B%2B", ["C++ engineer"]),
        ("q=(Django)", ["Python developer (Django)"]),
        ("q=учёт", ["Бухгалтер"]),
        ("q=.*", []),
        ("q=%7B%22%24gt%22%3A%20%22%22%7D", []),
        ("status=closed", []),
        (
            "sort=-salary_max&salary_min=1",
            ["Python developer (Django)", "Бухгалтер", "C++ engineer"],
        ),
        ("sort=published_at&limit=2", ["Python developer (Django)", "C++ engineer"]),
    ],
)
def test_list_filters(
    client: FlaskClient, catalogue: list[Json], query: str, titles: list[str]
) -> None:
    resp = client.get(f"/vacancies?{query}")
    assert resp.status_code == 200, resp.get_json()
    page = resp.get_json()
    assert [v["title"] for v in page["items"]] == titles
    if "limit" not in query:
        assert page["total"] == len(titles)


def test_filter_by_employer_and_pagination_total(
    client: FlaskClient, catalogue: list[Json], employer: Json
) -> None:
    page = client.get(f"/vacancies?employer_id={employer['id']}&limit=2&offset=1").get_json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 1
    assert [v["title"] for v in page["items"]] == ["C++ engineer", "Python developer (Django)"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region[$gt]=", "query.region[$gt]"),
        ("region=mars", "query.region.0"),
        ("employer_id=%7B%22%24ne%22%3Anull%7D", "query.employer_id"),
        ("salary_min=%7B%22%24gt%22%3A0%7D", "query.salary_min"),
        ("salary_min=-5", "query.salary_min"),
        ("remote=maybe", "query.remote"),
        ("status=archived", "query.status.0"),
        ("language=de", "query.language.0"),
        ("limit=0", "query.limit"),
        ("limit=201", "query.limit"),
        ("sort=title", "query.sort"),
    ],
)
def test_invalid_filters_are_422_naming_the_parameter(
    client: FlaskClient, catalogue: list[Json], query: str, field: str
) -> None:
    resp = client.get(f"/vacancies?{query}")
    assert resp.status_code == 422
    assert field in field_names(resp)


@pytest.mark.parametrize("vacancy_id", ["6b03850e833240043945a1f2", "not-an-id"])
def test_unknown_vacancy_is_404_everywhere(client: FlaskClient, vacancy_id: str) -> None:
    for method, path in [
        ("GET", ""),
        ("DELETE", ""),
        ("POST", "/close"),
        ("POST", "/reopen"),
    ]:
        resp = client.open(f"/vacancies/{vacancy_id}{path}", method=method)
        assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    resp = client.patch(f"/vacancies/{vacancy_id}", json={"title": "x"})
    assert resp.status_code == 404
