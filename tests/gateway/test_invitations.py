"""Invitations through the gateway: consenting candidates only, the learner's list, the log."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.gateway.fresh import fresh_learner
from tests.gateway.fresh_invitations import _candidate_vacancy
from tests.gateway.world import API, World, ok, wait_until


def _invite(client: FlaskClient, world: World, vacancy_id: str, learner_id: str, **extra: Any):
    body = {"vacancy_id": vacancy_id, "learner_id": learner_id, **extra}
    return client.post(f"{API}/invitations", headers=world["employer"].headers, json=body)


def test_employer_invites_a_candidate_and_the_learner_sees_and_declines(
    client: FlaskClient, world: World
) -> None:
    vacancy_id = _candidate_vacancy(client, world)
    learner = world["learner"]
    sent = ok(_invite(client, world, vacancy_id, learner.learner_id, message="Please apply."), 201)
    assert sent["employer_id"] == world["employer"].employer_id
    assert sent["status"] == "invited"
    mine = ok(client.get(f"{API}/invitations", headers=learner.headers))["items"]
    got = next(i for i in mine if i["id"] == sent["id"])
    assert (got["vacancy_title"], got["employer_name"], got["message"]) == (
        sent["vacancy_title"],
        "DataSoft LLP",
        "Please apply.",
    )
    # The employer sees it on that vacancy; the other employer sees none of it.
    on_vacancy = ok(
        client.get(
            f"{API}/invitations",
            headers=world["employer"].headers,
            query_string={"vacancy_id": vacancy_id},
        )
    )["items"]
    assert [i["id"] for i in on_vacancy] == [sent["id"]]
    theirs = ok(client.get(f"{API}/invitations", headers=world["employer2"].headers))["items"]
    assert sent["id"] not in {i["id"] for i in theirs}
    # The employer's sending and reading are in the learner's access log.
    log = ok(client.get(f"{API}/me/access-log", headers=learner.headers))["items"]
    kinds = [e for e in log if e["kind"] == "invitation" and e["vacancy_id"] == vacancy_id]
    assert len(kinds) >= 2 and {e["reader"]["role"] for e in kinds} == {"employer"}
    assert kinds[0]["fields"] == ["learner_id", "status"]
    # The learner declines; the employer sees it, and it cannot be sent again.
    declined = ok(client.post(f"{API}/invitations/{sent['id']}/decline", headers=learner.headers))
    assert declined["status"] == "declined"
    again = _invite(client, world, vacancy_id, learner.learner_id)
    assert again.status_code == 409


def test_only_candidates_of_ones_own_vacancy_are_invited(client: FlaskClient, world: World) -> None:
    vacancy_id = _candidate_vacancy(client, world)
    # A learner who does not consent is never on the list, nor is an unknown id.
    hidden = fresh_learner(client, world)["L"]
    for learner_id in (hidden, "0" * 24):
        resp = _invite(client, world, vacancy_id, learner_id)
        assert resp.status_code == 422, resp.get_json()
        assert [e["field"] for e in resp.get_json()["errors"]] == ["learner_id"]
    # Another employer's vacancy, or a forged employer_id: 403.
    foreign = client.post(
        f"{API}/invitations",
        headers=world["employer2"].headers,
        json={"vacancy_id": vacancy_id, "learner_id": world["learner"].learner_id},
    )
    assert foreign.status_code == 403
    forged = _invite(
        client,
        world,
        vacancy_id,
        world["learner"].learner_id,
        employer_id=world["employer2"].employer_id,
    )
    assert forged.status_code == 403
    long = _invite(client, world, vacancy_id, world["learner"].learner_id, message="x" * 1001)
    assert long.status_code == 422
    # A learner may not decline someone else's invitation.
    sent = ok(_invite(client, world, vacancy_id, world["learner"].learner_id), 201)
    other = client.post(
        f"{API}/invitations/{sent['id']}/decline", headers=world["learner2"].headers
    )
    assert other.status_code == 403


def test_consent_is_checked_when_sending_and_when_reading(
    client: FlaskClient, world: World
) -> None:
    learner3 = world["learner3"]
    vacancy_id = _candidate_vacancy(client, world)

    def listed() -> bool:
        resp = client.get(
            f"{API}/vacancies/{vacancy_id}/candidates", headers=world["admin"].headers
        )
        return learner3.learner_id in {c["learner_id"] for c in resp.get_json()["candidates"]}

    wait_until(listed, timeout=60)
    sent = ok(_invite(client, world, vacancy_id, learner3.learner_id), 201)
    path = f"{API}/learners/{learner3.learner_id}"
    try:
        ok(client.patch(path, headers=learner3.headers, json={"consent": False}))
        # Withdrawn: gone from both lists and from a read by id, at once.
        mine = ok(client.get(f"{API}/invitations", headers=learner3.headers))
        assert sent["id"] not in {i["id"] for i in mine["items"]}
        employers = ok(
            client.get(
                f"{API}/invitations",
                headers=world["employer"].headers,
                query_string={"vacancy_id": vacancy_id},
            )
        )
        assert sent["id"] not in {i["id"] for i in employers["items"]}
        one = client.get(f"{API}/invitations/{sent['id']}", headers=world["employer"].headers)
        assert one.status_code == 404
        # And no new invitation, even before the matcher's copy catches up.
        fresh = _candidate_vacancy(client, world)
        refused = _invite(client, world, fresh, learner3.learner_id)
        assert refused.status_code == 422
    finally:
        ok(client.patch(path, headers=learner3.headers, json={"consent": True}))
    back = ok(client.get(f"{API}/invitations/{sent['id']}", headers=learner3.headers))
    assert back["id"] == sent["id"]
