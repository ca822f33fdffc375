"""Every public route x every role (and a second user of the same role), through the gateway.

Each row names the route, a body, and the status each caller must get. Routes that change or
delete data act on a fresh record owned by the world's learner or employer, made just before.
Wherever a call succeeds for a caller who may not see a person, the answer must not carry that
person's name or email.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.gateway.matrix import OUTSIDERS, ROLES, ROWS, Row
from tests.gateway.world import API, World, ok


@pytest.fixture(scope="module")
def ids(world: World, gateway: Flask) -> dict[str, str]:
    """Return the world's ids by placeholder."""
    client = gateway.test_client()
    occupations = ok(client.get(f"{API}/occupations", query_string={"limit": 1}))["items"]
    return {
        "L": world["learner"].learner_id or "",
        "E": world["employer"].employer_id or "",
        "V": world.vacancy["id"],
        "C": world.course["id"],
        "N": world.enrolment["id"],
        "A": world.application["id"],
        "S0": world.skills[0]["uri"],
        "O": occupations[0]["uri"],
        "ACCT_L": world["learner"].account_id,
    }


def fill(path: str, values: dict[str, str]) -> str:
    """Put ids into a path template (percent-encoding them, ESCO URIs included)."""
    for key, value in sorted(values.items(), key=lambda kv: -len(kv[0])):
        path = path.replace("{" + key + "}", quote(value, safe=":/"))
    return path


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_route_answers_each_caller_as_designed(
    row: Row, role: str, world: World, client: FlaskClient, ids: dict[str, str]
) -> None:
    expected = row.expect[role]
    values = dict(ids)
    if row.fresh is not None:
        values.update(row.fresh(client, world))
    headers = world[role].headers if role != "anonymous" else {}
    body = row.body(world, values) if row.body else None
    resp = client.open(API + fill(row.path, values), method=row.method, headers=headers, json=body)
    text = resp.get_data(as_text=True)
    assert resp.status_code == expected, f"{role} {row.method} {row.path}: {text[:400]}"
    if resp.status_code >= 400:
        assert resp.mimetype == "application/problem+json"
        assert resp.get_json()["status"] == expected
    if role in OUTSIDERS:
        person = world["learner"]
        assert person.email not in text and person.name not in text, text[:400]


@pytest.mark.parametrize("role", ["learner2", "employer2", "provider2"])
def test_scoped_lists_hold_only_the_callers_records(
    role: str, world: World, client: FlaskClient
) -> None:
    for path in ("/applications", "/enrolments"):
        resp = client.get(API + path, headers=world[role].headers)
        if resp.status_code == 403:
            continue
        items = ok(resp)["items"]
        assert world.application["id"] not in {i["id"] for i in items}
        assert world.enrolment["id"] not in {i["id"] for i in items}


def test_the_learner_sees_their_own_application_and_the_employer_its_applicant(
    world: World, client: FlaskClient
) -> None:
    mine = ok(client.get(f"{API}/applications", headers=world["learner"].headers))["items"]
    assert world.application["id"] in {i["id"] for i in mine}
    theirs = ok(client.get(f"{API}/applications", headers=world["employer"].headers))["items"]
    assert {i["employer_id"] for i in theirs} == {world["employer"].employer_id}
    assert world.application["id"] in {i["id"] for i in theirs}


def test_a_learner_cannot_act_for_another_learner(world: World, client: FlaskClient) -> None:
    body = {"learner_id": world["learner"].learner_id, "vacancy_id": world.vacancy2["id"]}
    resp = client.post(f"{API}/applications", headers=world["learner2"].headers, json=body)
    assert resp.status_code == 403
    mine = ok(client.get(f"{API}/applications", headers=world["learner"].headers))["items"]
    assert world.vacancy2["id"] not in {i["vacancy_id"] for i in mine}


def test_an_employer_cannot_move_its_vacancy_to_another_employer(
    world: World, client: FlaskClient
) -> None:
    resp = client.patch(
        f"{API}/vacancies/{world.vacancy['id']}",
        headers=world["employer"].headers,
        json={"employer_id": world["employer2"].employer_id},
    )
    assert resp.status_code == 403
    vacancy = ok(
        client.get(f"{API}/vacancies/{world.vacancy['id']}", headers=world["admin"].headers)
    )
    assert vacancy["employer_id"] == world["employer"].employer_id


def test_candidates_never_show_who_has_not_applied(world: World, client: FlaskClient) -> None:
    data = ok(
        client.get(
            f"{API}/vacancies/{world.vacancy['id']}/candidates",
            headers=world["employer"].headers,
        )
    )
    listed = {c["learner_id"] for c in data["candidates"]} | {
        c["learner_id"] for c in data["trainable"]
    }
    outsider = world["learner3"]
    assert outsider.learner_id in listed  # consenting, a fit, but never applied
    text = str(data)
    assert outsider.email not in text and outsider.name not in text
