"""Applications over HTTP: creation rules, the hiring state machine, races and hires on the feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from tests.jobs.helpers import LEGAL, Json, application_body, events, field_names, latest, move

STATUSES = ["applied", "interview", "offer", "hired", "rejected"]
TARGETS = ["interview", "offer", "hired", "rejected"]
PATH_TO = {
    "applied": [],
    "interview": ["interview"],
    "offer": ["interview", "offer"],
    "hired": ["offer", "hired"],
    "rejected": ["rejected"],
}


def test_apply_announces_the_application(
    client: FlaskClient, make_application: Callable[..., Json], vacancy: Json
) -> None:
    made = make_application(cover_letter="Окончила AI-Sana, пишу на Python.")
    assert made["status"] == "applied" and made["allowed_transitions"] == [
        "interview",
        "offer",
        "rejected",
    ]
    assert made["employer_id"] == vacancy["employer_id"]
    assert [h["to_status"] for h in made["history"]] == ["applied"]
    assert client.get(f"/applications/{made['id']}").get_json() == made
    last = events(client)[-1]
    assert last["type"] == "application.created"
    assert last["data"] == {
        "id": made["id"],
        "learner_id": "learner-1",
        "vacancy_id": vacancy["id"],
        "employer_id": vacancy["employer_id"],
        "status": "applied",
    }


def test_applying_twice_is_409(
    client: FlaskClient, make_application: Callable[..., Json], vacancy: Json
) -> None:
    make_application()
    resp = client.post("/applications", json=application_body(vacancy["id"]))
    assert resp.status_code == 409 and field_names(resp) == ["vacancy_id"]
    assert client.get("/applications").get_json()["total"] == 1


def test_applying_to_a_closed_vacancy_is_409(client: FlaskClient, vacancy: Json) -> None:
    client.post(f"/vacancies/{vacancy['id']}/close")
    resp = client.post("/applications", json=application_body(vacancy["id"], "l1"))
    assert resp.status_code == 409 and field_names(resp) == ["vacancy_id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"learner_id": "l1", "vacancy_id": "6b03850e833240043945a1f2"}, "vacancy_id"),
        ({"learner_id": "l1", "vacancy_id": {"$gt": ""}}, "vacancy_id"),
        ({"learner_id": {"$gt": ""}, "vacancy_id": None}, "learner_id"),
        ({"learner_id": "$where", "vacancy_id": None}, "learner_id"),
        ({"learner_id": "", "vacancy_id": None}, "learner_id"),
        ({"learner_id": 7, "vacancy_id": None}, "learner_id"),
        ({"learner_id": "l1", "vacancy_id": None, "status": "hired"}, "status"),
        ({"vacancy_id": None}, "learner_id"),
    ],
)
def test_invalid_application_is_422_naming_the_field(
    client: FlaskClient, vacancy: Json, body: Json, field: str
) -> None:
    body = {k: (vacancy["id"] if k == "vacancy_id" and v is None else v) for k, v in body.items()}
    before = latest(client)
    resp = client.post("/applications", json=body)
    assert resp.status_code == 422 and field in field_names(resp)
    assert latest(client) == before


@pytest.mark.parametrize(
    "path",
    [
        ["interview"],
        ["offer"],
        ["rejected"],
        ["interview", "offer"],
        ["interview", "rejected"],
        ["offer", "hired"],
        ["offer", "rejected"],
        ["interview", "offer", "hired"],
        ["interview", "offer", "rejected"],
    ],
)
def test_every_legal_path_is_recorded(
    client: FlaskClient, make_application: Callable[..., Json], path: list[str]
) -> None:
    made = make_application()
    before = latest(client)
    for to in path:
        resp = move(client, made["id"], to, note=f"to {to}")
        assert resp.status_code == 200, resp.get_json()
    final = client.get(f"/applications/{made['id']}").get_json()
    assert final["status"] == path[-1]
    steps = [(h["from_status"], h["to_status"]) for h in final["history"]]
    assert steps == [(None, "applied"), *zip(["applied", *path[:-1]], path, strict=True)]
    assert [h["note"] for h in final["history"][1:]] == [f"to {to}" for to in path]
    times = [datetime.fromisoformat(h["at"]) for h in final["history"]]
    assert times == sorted(times)
    updates = [e for e in events(client, before) if e["type"] == "application.updated"]
    assert [e["data"]["status"] for e in updates] == path


@pytest.mark.parametrize(
    ("current", "to"),
    [(s, t) for s in STATUSES for t in TARGETS if (s, t) not in LEGAL],
)
def test_every_illegal_transition_is_409_naming_the_status(
    client: FlaskClient, make_application: Callable[..., Json], current: str, to: str
) -> None:
    made = make_application()
    for step in PATH_TO[current]:
        assert move(client, made["id"], step).status_code == 200
    before = client.get(f"/applications/{made['id']}").get_json()
    seq = latest(client)
    resp = move(client, made["id"], to)
    assert resp.status_code == 409 and resp.mimetype == "application/problem+json"
    problem = resp.get_json()
    assert problem["current_status"] == current and current in problem["detail"]
    assert field_names(resp) == ["to"]
    assert client.get(f"/applications/{made['id']}").get_json() == before
    assert latest(client) == seq


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "applied"}, "to"),
        ({"to": "withdrawn"}, "to"),
        ({"to": {"$gt": ""}}, "to"),
        ({"to": "interview", "salary": 500_000}, "salary"),
        ({"to": "hired", "salary": -1}, "salary"),
        ({"to": "hired", "salary": "500000"}, "salary"),
        ({"to": "interview", "status": "hired"}, "status"),
    ],
)
def test_invalid_transition_body_is_422(
    client: FlaskClient, make_application: Callable[..., Json], body: Json, field: str
) -> None:
    made = make_application()
    resp = client.post(f"/applications/{made['id']}/transition", json=body)
    assert resp.status_code == 422 and field_names(resp) == [field]
    assert client.get(f"/applications/{made['id']}").get_json()["status"] == "applied"


def test_a_hire_appears_on_the_feed_with_the_contract_fields(
    client: FlaskClient, make_application: Callable[..., Json], vacancy: Json, employer: Json
) -> None:
    made = make_application(learner_id="6650f1c2a9b3e4d5c6b7a891")
    move(client, made["id"], "offer")
    before = latest(client)
    hired = move(client, made["id"], "hired").get_json()
    assert hired["salary"] == 400_000  # the vacancy's salary_min
    assert hired["hired_at"] is not None and hired["allowed_transitions"] == []
    new = events(client, before)
    assert [e["type"] for e in new] == [
        "application.updated",
        "application.hired",
        "vacancy.closed",
    ]
    assert new[1]["data"] == {
        "application_id": made["id"],
        "learner_id": "6650f1c2a9b3e4d5c6b7a891",
        "vacancy_id": vacancy["id"],
        "employer_id": employer["id"],
        "employer_name": employer["name"],
        "vacancy_title": vacancy["title"],
        "region": vacancy["region"],
        "salary": 400_000,
        "hired_at": hired["hired_at"],
    }
    assert datetime.fromisoformat(new[1]["data"]["hired_at"]).tzinfo is not None


def test_a_hire_records_the_agreed_salary(
    client: FlaskClient, make_application: Callable[..., Json]
) -> None:
    made = make_application()
    move(client, made["id"], "offer")
    hired = move(client, made["id"], "hired", salary=650_000).get_json()
    assert hired["salary"] == 650_000
    assert events(client)[-2]["data"]["salary"] == 650_000


def test_a_hire_without_any_salary_on_the_vacancy_records_null(
    client: FlaskClient, make_vacancy: Callable[..., Json], make_application: Callable[..., Json]
) -> None:
    unpaid = make_vacancy(title="Volunteer mentor", employment_type="volunteer")
    made = make_application(vacancy_id=unpaid["id"])
    move(client, made["id"], "offer")
    assert move(client, made["id"], "hired").get_json()["salary"] is None


def test_hires_close_the_vacancy_when_every_position_is_filled(
    client: FlaskClient, make_vacancy: Callable[..., Json], make_application: Callable[..., Json]
) -> None:
    two = make_vacancy(title="Call-centre operator", positions=2, salary_min=250_000)
    first, second = (make_application(f"l{i}", vacancy_id=two["id"]) for i in range(2))
    for application in (first, second):
        move(client, application["id"], "offer")
    move(client, first["id"], "hired")
    after_one = client.get(f"/vacancies/{two['id']}").get_json()
    assert after_one["status"] == "open" and after_one["hired_count"] == 1
    move(client, second["id"], "hired")
    after_two = client.get(f"/vacancies/{two['id']}").get_json()
    assert after_two["status"] == "closed" and after_two["hired_count"] == 2
    still_open = client.get("/vacancies?status=open").get_json()["items"]
    assert two["id"] not in [v["id"] for v in still_open]
    assert client.post(f"/vacancies/{two['id']}/reopen").status_code == 409


def test_list_by_vacancy_learner_and_status(
    client: FlaskClient, make_vacancy: Callable[..., Json], make_application: Callable[..., Json]
) -> None:
    other = make_vacancy(title="Tester")
    a = make_application("aigerim")
    make_application("aigerim", vacancy_id=other["id"])
    make_application("dauren")
    move(client, a["id"], "interview")
    assert client.get("/applications?learner_id=aigerim").get_json()["total"] == 2
    assert client.get(f"/applications?vacancy_id={other['id']}").get_json()["total"] == 1
    only = client.get("/applications?status=interview").get_json()
    assert only["total"] == 1 and only["items"][0]["id"] == a["id"]
    assert client.get("/applications?status=applied&limit=1").get_json()["total"] == 2
    bad = client.get("/applications?learner_id=%7B%22%24gt%22%3A%22%22%7D")
    assert bad.status_code == 422 and field_names(bad) == ["query.learner_id"]


def test_unknown_application_is_404(client: FlaskClient) -> None:
    assert client.get("/applications/6b03850e833240043945a1f2").status_code == 404
    assert move(client, "6b03850e833240043945a1f2", "interview").status_code == 404
