"""Invitations in the jobs service: sent once to an open vacancy, declined, met by applying."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.jobs.helpers import Json, created, events, field_names


def _invite(client: FlaskClient, vacancy: Json, learner_id: str = "learner-1", **extra: object):
    body = {"learner_id": learner_id, "vacancy_id": vacancy["id"], **extra}
    return client.post("/invitations", json=body)


def test_an_invitation_names_the_vacancy_and_employer(
    client: FlaskClient, vacancy: Json, employer: Json
) -> None:
    sent = created(_invite(client, vacancy, message="Your SQL fits our team."))
    assert sent["status"] == "invited"
    assert sent["employer_id"] == employer["id"]
    assert sent["vacancy_title"] == vacancy["title"]
    assert sent["employer_name"] == employer["name"]
    assert sent["message"] == "Your SQL fits our team."
    assert client.get(f"/invitations/{sent['id']}").get_json() == sent
    listed = client.get("/invitations", query_string={"learner_id": "learner-1"}).get_json()
    assert [i["id"] for i in listed["items"]] == [sent["id"]]
    on_vacancy = client.get("/invitations", query_string={"vacancy_id": vacancy["id"]}).get_json()
    assert on_vacancy["total"] == 1
    kinds = [e["type"] for e in events(client) if e["type"].startswith("invitation.")]
    assert kinds == ["invitation.created"]
    assert "message" not in events(client)[-1]["data"]  # the feed carries only the state


def test_one_invitation_per_learner_and_vacancy(client: FlaskClient, vacancy: Json) -> None:
    created(_invite(client, vacancy))
    again = _invite(client, vacancy)
    assert again.status_code == 409
    assert field_names(again) == ["learner_id"]


def test_message_is_length_limited(client: FlaskClient, vacancy: Json) -> None:
    resp = _invite(client, vacancy, message="x" * 1001)
    assert resp.status_code == 422
    assert field_names(resp) == ["message"]
    assert created(_invite(client, vacancy, message="x" * 1000))["message"] == "x" * 1000


def test_closed_unknown_and_foreign_vacancies_are_refused(
    client: FlaskClient, vacancy: Json, make_employer: Callable[..., Json]
) -> None:
    client.post(f"/vacancies/{vacancy['id']}/close")
    closed = _invite(client, vacancy)
    assert closed.status_code == 409 and field_names(closed) == ["vacancy_id"]
    unknown = _invite(client, {"id": "0" * 24})
    assert unknown.status_code == 422 and field_names(unknown) == ["vacancy_id"]
    other = make_employer(name="Kaspi")
    foreign = _invite(client, vacancy, employer_id=other["id"])
    assert foreign.status_code == 403


def test_an_applicant_is_not_invited(
    client: FlaskClient, vacancy: Json, make_application: Callable[..., Json]
) -> None:
    make_application("learner-2")
    resp = _invite(client, vacancy, "learner-2")
    assert resp.status_code == 409 and field_names(resp) == ["learner_id"]


def test_decline_once(client: FlaskClient, vacancy: Json) -> None:
    sent = created(_invite(client, vacancy))
    declined = client.post(f"/invitations/{sent['id']}/decline")
    assert declined.status_code == 200
    assert declined.get_json()["status"] == "declined"
    assert declined.get_json()["responded_at"] is not None
    again = client.post(f"/invitations/{sent['id']}/decline")
    assert again.status_code == 409
    assert again.get_json()["current_status"] == "declined"
    assert _invite(client, vacancy).status_code == 409  # a declined invitation is not resent


def test_applying_meets_the_invitation(
    client: FlaskClient, vacancy: Json, make_application: Callable[..., Json]
) -> None:
    sent = created(_invite(client, vacancy, "learner-3"))
    make_application("learner-3")
    assert client.get(f"/invitations/{sent['id']}").get_json()["status"] == "applied"
    assert client.post(f"/invitations/{sent['id']}/decline").status_code == 409
    listed = client.get("/invitations", query_string={"status": "invited"}).get_json()
    assert listed["total"] == 0
