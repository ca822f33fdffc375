"""A small world built through the gateway: one or two accounts of every role, with data."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

from services.jobs.employers.bin import check_digit

API = "/api/v1"
PASSWORD = "correct-horse-1"


@dataclass
class Actor:
    """A signed-in account."""

    role: str
    email: str
    token: str
    account_id: str
    learner_id: str | None = None
    employer_id: str | None = None
    name: str = ""

    @property
    def headers(self) -> dict[str, str]:
        """Return the Authorization header of this actor."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """Everything the authorisation tests point at."""

    actors: dict[str, Actor]
    skills: list[dict[str, str]]
    vacancy: dict[str, Any]
    vacancy2: dict[str, Any]
    course: dict[str, Any]
    application: dict[str, Any]
    enrolment: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Actor:
        return self.actors[name]


def ok(resp: Any, status: int = 200) -> Any:
    """Return the JSON of a response, failing loudly on an unexpected status."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:800])
    return resp.get_json()


def sign_in(client: FlaskClient, email: str, password: str) -> str:
    """Return an access token for the account."""
    body = ok(client.post(f"{API}/auth/token", json={"email": email, "password": password}))
    return str(body["access_token"])


def register(client: FlaskClient, role: str, email: str, profile: dict[str, Any]) -> Actor:
    """Self-register an account with its profile and return it signed in."""
    body = ok(
        client.post(
            f"{API}/auth/register",
            json={"role": role, "email": email, "password": PASSWORD, "profile": profile},
        ),
        201,
    )
    account = body["account"]
    return Actor(
        role=role,
        email=email,
        token=body["access_token"],
        account_id=account["id"],
        learner_id=account["learner_id"],
        employer_id=account["employer_id"],
        name=str(profile.get("name", "")),
    )


def learner_profile(name: str, skills: list[dict[str, str]], *, consent: bool) -> dict[str, Any]:
    """Return a learner profile with the given ESCO skills."""
    return {
        "name": name,
        "region": "astana",
        "programme": "ai-sana",
        "consent": consent,
        "languages": [{"code": "kk", "level": "native"}, {"code": "ru", "level": "C1"}],
        "skills": [{"uri": s["uri"], "label": s["label"], "level": 3} for s in skills],
        "cv_text": "I build data pipelines in Python and SQL.",
    }


def employer_profile(name: str, bin_: str) -> dict[str, Any]:
    """Return an employer profile."""
    return {"name": name, "bin": bin_, "region": "astana", "sector": "IT"}


def vacancy_body(title: str, skills: list[dict[str, str]]) -> dict[str, Any]:
    """Return a vacancy asking for the given skills (all essential)."""
    return {
        "title": title,
        "description": "We analyse data and build software for public services.",
        "region": "astana",
        "salary_min": 450_000,
        "salary_max": 700_000,
        "skills": [{"uri": s["uri"], "label": s["label"], "essential": True} for s in skills],
    }


def shown_name(client: FlaskClient, skill: dict[str, str], lang: str) -> str:
    """Return the name a kk/ru page shows for a skill: the vocabulary's, else its ESCO label."""
    if lang == "en":
        return skill["label"]
    names = ok(client.get(f"{API}/labels", query_string={"lang": lang}))["labels"]
    return str(names.get(skill["uri"], skill["label"]))


def valid_bin(seed: int) -> str:
    """Return a BIN with a valid check digit built from ``seed`` (the jobs service's rule)."""
    first = f"{seed:011d}"[-11:]
    digit = check_digit(first)
    return first + str(digit) if digit is not None else valid_bin(seed + 1)


def wait_until(probe: Any, timeout: float = 30.0, explain: Any = None) -> Any:
    """Poll ``probe()`` until it returns something truthy; return that.

    ``explain()``, when given, says at the timeout what was seen instead (for the failure message).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"condition not reached in time: {explain() if explain else ''}")


def make_provider(client: FlaskClient, admin: Actor, email: str, name: str) -> Actor:
    """Create a training provider's account (admin) and return it signed in."""
    account = ok(
        client.post(
            f"{API}/accounts",
            headers=admin.headers,
            json={"email": email, "password": PASSWORD, "role": "provider", "provider": name},
        ),
        201,
    )
    token = sign_in(client, email, PASSWORD)
    return Actor("provider", email, token, account["id"], name=name)


def build_world(client: FlaskClient, live: Any) -> World:
    """Create the accounts and records every authorisation test uses."""
    from tests.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

    admin_token = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    me = ok(client.get(f"{API}/me", headers={"Authorization": f"Bearer {admin_token}"}))
    admin = Actor("admin", ADMIN_EMAIL, admin_token, me["account_id"])
    skills = ok(client.get(f"{API}/skills", query_string={"limit": 8}))["items"]
    assert len(skills) >= 8, skills
    skills = [{"uri": s["uri"], "label": s["label"]} for s in skills]

    learner = register(
        client,
        "learner",
        "aigerim@example.kz",
        learner_profile("Aigerim Sadykova", skills[:4], consent=True),
    )
    learner2 = register(
        client,
        "learner",
        "daniyar@example.kz",
        learner_profile("Daniyar Omarov", skills[5:6], consent=True),
    )
    learner3 = register(
        client,
        "learner",
        "saule@example.kz",
        learner_profile("Saule Nurlanova", skills[:3], consent=True),
    )
    employer = register(
        client, "employer", "hr@datasoft.kz", employer_profile("DataSoft LLP", valid_bin(7401234))
    )
    employer2 = register(
        client, "employer", "hr@steppe.kz", employer_profile("Steppe Cloud", valid_bin(8405678))
    )
    ok(
        client.post(
            f"{API}/accounts",
            headers=admin.headers,
            json={"email": "analyst@enbek.gov.kz", "password": PASSWORD, "role": "ministry"},
        ),
        201,
    )
    ministry_token = sign_in(client, "analyst@enbek.gov.kz", PASSWORD)
    ministry_me = ok(client.get(f"{API}/me", headers={"Authorization": f"Bearer {ministry_token}"}))
    ministry = Actor("ministry", "analyst@enbek.gov.kz", ministry_token, ministry_me["account_id"])

    vacancy = ok(
        client.post(
            f"{API}/vacancies",
            headers=employer.headers,
            json=vacancy_body("Data engineer", skills[:5]),
        ),
        201,
    )
    vacancy2 = ok(
        client.post(
            f"{API}/vacancies",
            headers=employer2.headers,
            json=vacancy_body("Cloud engineer", skills[4:8]),
        ),
        201,
    )
    course = ok(
        client.post(
            f"{API}/courses",
            headers=admin.headers,
            json={
                "provider": "Astana Hub",
                "title": "Data engineering basics",
                "language": "ru",
                "hours": 36,
                "level": "beginner",
                "skills": [{"uri": s["uri"], "label": s["label"]} for s in skills[3:6]],
            },
        ),
        201,
    )
    application = ok(
        client.post(
            f"{API}/applications",
            headers=learner.headers,
            json={"vacancy_id": vacancy["id"], "cover_letter": "I would like to join."},
        ),
        201,
    )
    enrolment = ok(
        client.post(f"{API}/enrolments", headers=learner.headers, json={"course_id": course["id"]}),
        201,
    )
    # Training providers: the world's course is Astana Hub's; AI-Sana owns none of the world's.
    provider = make_provider(client, admin, "courses@astanahub.kz", "Astana Hub")
    provider2 = make_provider(client, admin, "courses@ai-sana.kz", "AI-Sana")
    actors = {
        "admin": admin,
        "learner": learner,
        "learner2": learner2,
        "learner3": learner3,
        "employer": employer,
        "employer2": employer2,
        "ministry": ministry,
        "provider": provider,
        "provider2": provider2,
    }
    world = World(actors, skills, vacancy, vacancy2, course, application, enrolment)
    wait_for_matcher(client, world)
    return world


def wait_for_matcher(client: FlaskClient, world: World) -> None:
    """Wait until the matcher has followed the feeds far enough to rank the world's records."""

    def ready() -> bool:
        resp = client.get(
            f"{API}/vacancies/{world.vacancy['id']}/candidates",
            headers=world["admin"].headers,
        )
        if resp.status_code != 200:
            return False
        ids = {c["learner_id"] for c in resp.get_json().get("candidates", [])}
        return {world["learner"].learner_id, world["learner3"].learner_id} <= ids

    wait_until(ready, timeout=60)
