"""Throwaway records for routes that change or delete data (made by admin just before)."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient

from tests.gateway.world import API, World, learner_profile, ok, vacancy_body, valid_bin


def unique(prefix: str) -> str:
    """Return a unique string for records that must not collide."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def aside_skills() -> list[dict[str, str]]:
    """Return a declared skill no world record has, for a throwaway course.

    Untagged, a course gets skills the matcher reads from its title; a 10-hour "Course-<id>"
    tagged with a world skill would then replace the world's course in the world learners' paths.
    """
    return [{"uri": f"http://example.org/skill/aside-{uuid.uuid4().hex}", "label": "Aside"}]


def admin_post(client: FlaskClient, world: World, path: str, body: Any, status: int = 201) -> Any:
    """Create a record as admin and return it."""
    return ok(client.post(API + path, headers=world["admin"].headers, json=body), status)


def fresh_learner(client: FlaskClient, world: World) -> dict[str, str]:
    profile = learner_profile("Temp Learner", [], consent=False)
    created = admin_post(client, world, "/learners", {**profile, "email": unique("t") + "@x.kz"})
    return {"L": created["id"]}


def fresh_skill(client: FlaskClient, world: World) -> dict[str, str]:
    uri = f"http://example.org/skill/{uuid.uuid4().hex}"
    lid = world["learner"].learner_id
    admin_post(client, world, f"/learners/{lid}/skills", {"uri": uri, "label": unique("skill")})
    return {"S": uri}


def fresh_course(client: FlaskClient, world: World) -> dict[str, str]:
    body = {
        "provider": "Astana Hub",
        "title": unique("Course"),
        "language": "ru",
        "hours": 10,
        "level": "beginner",
        "skills": aside_skills(),
    }
    return {"C": admin_post(client, world, "/courses", body)["id"]}


def fresh_enrolment(client: FlaskClient, world: World) -> dict[str, str]:
    course = fresh_course(client, world)["C"]
    body = {"learner_id": world["learner"].learner_id, "course_id": course}
    return {"N": admin_post(client, world, "/enrolments", body)["id"], "C": course}


def fresh_employer(client: FlaskClient, world: World) -> dict[str, str]:
    body = {
        "name": unique("Temp LLP"),
        "bin": valid_bin(uuid.uuid4().int % 10**11),
        "region": "astana",
        "sector": "IT",
    }
    return {"E": admin_post(client, world, "/employers", body)["id"]}


def fresh_vacancy(client: FlaskClient, world: World) -> dict[str, str]:
    # No skills: throwaway vacancies must not outrank the world's in recommendations.
    body = {
        **vacancy_body(unique("Analyst"), []),
        "employer_id": world["employer"].employer_id,
    }
    return {"V": admin_post(client, world, "/vacancies", body)["id"]}


def fresh_closed_vacancy(client: FlaskClient, world: World) -> dict[str, str]:
    ids = fresh_vacancy(client, world)
    admin_post(client, world, f"/vacancies/{ids['V']}/close", None, 200)
    return ids


def fresh_application(client: FlaskClient, world: World) -> dict[str, str]:
    vacancy = fresh_vacancy(client, world)["V"]
    body = {"learner_id": world["learner"].learner_id, "vacancy_id": vacancy}
    return {"A": admin_post(client, world, "/applications", body)["id"], "V": vacancy}


def fresh_account(client: FlaskClient, world: World) -> dict[str, str]:
    body = {"email": unique("acct") + "@x.kz", "password": "password-123", "role": "ministry"}
    return {"ACCT": admin_post(client, world, "/accounts", body)["id"]}
