"""Invitations for the authorisation matrix: a vacancy the world's learner is a candidate of.

An invitation is sent once per learner and vacancy, so a vacancy is replaced only once the
world's learner has been invited to it (or the invitation declined), not for every caller.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.gateway.fresh import admin_post, unique
from tests.gateway.world import API, World, ok, vacancy_body, wait_until

_held: dict[str, dict[str, str]] = {}


def _candidate_vacancy(client: FlaskClient, world: World) -> str:
    body = {
        **vacancy_body(unique("Data engineer"), world.skills[:5]),
        "employer_id": world["employer"].employer_id,
    }
    vacancy_id: str = admin_post(client, world, "/vacancies", body)["id"]
    learner_id = world["learner"].learner_id

    def listed() -> bool:
        resp = client.get(
            f"{API}/vacancies/{vacancy_id}/candidates", headers=world["admin"].headers
        )
        found = resp.get_json().get("candidates", []) if resp.status_code == 200 else []
        return learner_id in {c["learner_id"] for c in found}

    wait_until(listed, timeout=60)
    return vacancy_id


def _invitations(client: FlaskClient, world: World, vacancy_id: str) -> list[dict[str, Any]]:
    query = {"vacancy_id": vacancy_id, "learner_id": world["learner"].learner_id}
    page = ok(client.get(f"{API}/invitations", headers=world["admin"].headers, query_string=query))
    items: list[dict[str, Any]] = page["items"]
    return items


def invitable(client: FlaskClient, world: World) -> dict[str, str]:
    """Return a vacancy of the world's employer the world's learner may still be invited to."""
    held = _held.get("invitable")
    if held is None or _invitations(client, world, held["V"]):
        held = _held["invitable"] = {"V": _candidate_vacancy(client, world)}
    return held


def invitation(client: FlaskClient, world: World, *, open_one: bool = False) -> dict[str, str]:
    """Return an invitation of the world's learner (still open, if asked), made by admin."""
    key = "open" if open_one else "any"
    held = _held.get(key)
    if held is not None and open_one:
        status = ok(client.get(f"{API}/invitations/{held['I']}", headers=world["admin"].headers))
        if status["status"] != "invited":
            held = None
    if held is None:
        vacancy_id = _candidate_vacancy(client, world)
        body = {
            "vacancy_id": vacancy_id,
            "learner_id": world["learner"].learner_id,
            "message": "We would like you to apply.",
        }
        sent = admin_post(client, world, "/invitations", body)
        held = _held[key] = {"I": sent["id"], "V": vacancy_id}
    return held


def open_invitation(client: FlaskClient, world: World) -> dict[str, str]:
    """Return an invitation of the world's learner nobody has answered yet."""
    return invitation(client, world, open_one=True)
