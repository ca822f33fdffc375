"""The personal-data access log, through the live gateway under gunicorn (2 workers).

Each test builds its own learners, employer and vacancy, so the entries it counts are its own.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.gateway.world import (
    PASSWORD,
    World,
    employer_profile,
    learner_profile,
    valid_bin,
    wait_until,
)

pytestmark = pytest.mark.slow

API = "/api/v1"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Person:
    """An account on the live gateway."""

    token: str
    account_id: str
    email: str
    name: str
    learner_id: str | None = None
    employer_id: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Scene:
    """A learner who applied to a vacancy, a second learner, the employer and the admin."""

    base: str
    learner: Person
    other: Person
    employer: Person
    admin: Person
    vacancy: dict[str, Any]

    def get(self, who: Person | None, path: str, **params: Any) -> requests.Response:
        headers = who.headers if who is not None else {}
        return requests.get(self.base + path, headers=headers, params=params, timeout=30)

    def log_of(self, who: Person) -> dict[str, Any]:
        resp = self.get(who, f"{API}/me/access-log", limit=200)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())


def ok(resp: requests.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:600])
    return resp.json()


def register(base: str, role: str, profile: dict[str, Any]) -> Person:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.kz"
    body = {"role": role, "email": email, "password": PASSWORD, "profile": profile}
    data = ok(requests.post(f"{base}{API}/auth/register", json=body, timeout=30), 201)
    account = data["account"]
    return Person(
        data["access_token"],
        account["id"],
        email,
        str(profile["name"]),
        account["learner_id"],
        account["employer_id"],
    )


@pytest.fixture
def scene(live_gateway: str, world: World) -> Scene:
    tag = uuid.uuid4().hex[:6]
    skills = world.skills[:3]
    learner = register(
        live_gateway, "learner", learner_profile(f"Aruzhan {tag}", skills, consent=True)
    )
    other = register(live_gateway, "learner", learner_profile(f"Timur {tag}", skills, consent=True))
    company = employer_profile(f"Qazaq Data {tag}", valid_bin(uuid.uuid4().int % 10**11))
    employer = register(live_gateway, "employer", company)
    token = ok(
        requests.post(
            f"{live_gateway}{API}/auth/token",
            json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
            timeout=30,
        )
    )
    admin = Person(token["access_token"], token["account_id"], ADMIN_EMAIL, "admin")
    vacancy_body = {
        "title": f"Аналитик данных {tag}",
        "description": "Анализ данных для государственных услуг.",
        "region": "astana",
        "skills": [{"uri": s["uri"], "label": s["label"], "essential": True} for s in skills],
    }
    vacancy = ok(
        requests.post(
            f"{live_gateway}{API}/vacancies",
            headers=employer.headers,
            json=vacancy_body,
            timeout=30,
        ),
        201,
    )
    ok(
        requests.post(
            f"{live_gateway}{API}/applications",
            headers=learner.headers,
            json={"vacancy_id": vacancy["id"], "cover_letter": "Хочу работать у вас."},
            timeout=30,
        ),
        201,
    )
    return Scene(live_gateway, learner, other, employer, admin, vacancy)


def web_session(base: str, email: str) -> requests.Session:
    """Sign in through the login form; the session holds the cookie."""
    session = requests.Session()
    html = session.get(f"{base}/login", timeout=30).text
    token = CSRF.search(html)
    assert token is not None
    form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    resp = session.post(f"{base}/login", data=form, allow_redirects=False, timeout=30)
    assert resp.status_code == 302, resp.text[:300]
    return session


def test_an_employer_opening_an_applicant_makes_exactly_one_entry_naming_the_vacancy(
    scene: Scene,
) -> None:
    profile = ok(scene.get(scene.employer, f"{API}/learners/{scene.learner.learner_id}"))
    assert profile["email"] == scene.learner.email  # the applicant is shown in full

    log = scene.log_of(scene.learner)
    assert log["total"] == 1, log
    entry = log["items"][0]
    assert entry["kind"] == "profile"
    assert entry["reader"] == {
        "role": "employer",
        "employer_id": scene.employer.employer_id,
        "employer_name": scene.employer.name,
        "provider_name": None,
    }
    assert entry["vacancy_id"] == scene.vacancy["id"]
    assert entry["vacancy_title"] == scene.vacancy["title"]
    assert {"name", "email", "cv_text", "skills"} <= set(entry["fields"])
    assert entry["route"] == f"GET {API}/learners/{scene.learner.learner_id}"


def test_the_learner_sees_the_read_on_their_page_in_russian_and_kazakh(scene: Scene) -> None:
    ok(scene.get(scene.employer, f"{API}/learners/{scene.learner.learner_id}"))
    browser = web_session(scene.base, scene.learner.email)
    home = browser.get(f"{scene.base}/learner?lang=ru", timeout=30).text
    assert 'href="/learner/access-log"' in home and "Кто видел мои данные" in home
    for lang, heading, kind, vacancy in [
        ("ru", "Кто видел мои данные", "открыл ваш профиль", "вакансия «{}»"),
        ("kk", "Деректерімді кім көрді", "профиліңізді ашты", "«{}» бос орны"),
    ]:
        resp = browser.get(f"{scene.base}/learner/access-log?lang={lang}", timeout=30)
        assert resp.status_code == 200
        html = resp.text
        assert f"<h1>{heading}</h1>" in html
        assert html.count('class="access-entry"') == 1
        assert scene.employer.name in html and kind in html
        assert vacancy.format(scene.vacancy["title"]) in html
    # Reading one's own log (page and API) is not itself a read by someone else.
    assert scene.log_of(scene.learner)["total"] == 1


def test_another_learner_cannot_read_the_log(scene: Scene) -> None:
    ok(scene.get(scene.employer, f"{API}/learners/{scene.learner.learner_id}"))
    theirs = scene.log_of(scene.other)
    assert theirs["total"] == 0 and theirs["items"] == []
    export = scene.get(scene.other, f"{API}/access-log", learner_id=scene.learner.learner_id)
    assert export.status_code == 403
    assert scene.employer.name not in export.text
    assert scene.get(scene.employer, f"{API}/me/access-log").status_code == 403
    assert scene.get(None, f"{API}/me/access-log").status_code == 401
    assert scene.get(None, f"{API}/access-log").status_code == 401


def test_the_admin_exports_the_log_as_csv_and_the_export_is_logged(scene: Scene) -> None:
    ok(scene.get(scene.employer, f"{API}/learners/{scene.learner.learner_id}"))
    resp = scene.get(
        scene.admin, f"{API}/access-log", learner_id=scene.learner.learner_id, format="csv"
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert len(rows) == 1 and resp.headers["X-Total-Count"] == "1"
    row = rows[0]
    assert row["learner_id"] == scene.learner.learner_id and row["kind"] == "profile"
    assert row["reader_account_id"] == scene.employer.account_id
    assert row["reader_role"] == "employer" and row["vacancy_id"] == scene.vacancy["id"]
    assert "email" in row["disclosed"].split(";")

    log = scene.log_of(scene.learner)
    assert [e["kind"] for e in log["items"]] == ["access-log", "profile"]
    assert log["items"][0]["reader"]["role"] == "admin"
    assert log["items"][0]["fields"] == ["access_log"]


def test_the_export_filters_by_time_and_refuses_a_reversed_range(scene: Scene) -> None:
    ok(scene.get(scene.employer, f"{API}/learners/{scene.learner.learner_id}"))
    lid = scene.learner.learner_id
    future = ok(
        scene.get(scene.admin, f"{API}/access-log", learner_id=lid, **{"from": "2999-01-01"})
    )
    assert future["total"] == 0 and future["items"] == []
    past = ok(scene.get(scene.admin, f"{API}/access-log", learner_id=lid, **{"from": "2000-01-01"}))
    assert past["total"] >= 1
    assert past["items"][-1]["reader_account_id"] == scene.employer.account_id
    reversed_range = scene.get(
        scene.admin, f"{API}/access-log", **{"from": "2030-01-01", "to": "2020-01-01"}
    )
    assert reversed_range.status_code == 422
    assert reversed_range.headers["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in reversed_range.json()["errors"]] == ["from"]


def test_reads_by_the_learner_themselves_are_not_logged(scene: Scene) -> None:
    me = scene.learner
    ok(scene.get(me, f"{API}/learners/{me.learner_id}"))
    ok(scene.get(me, f"{API}/applications"))
    ok(scene.get(me, f"{API}/enrolments"))
    browser = web_session(scene.base, me.email)
    for page in ("/learner", "/learner/activity", "/learner/access-log"):
        assert browser.get(scene.base + page, timeout=30).status_code == 200
    assert scene.log_of(me)["total"] == 0
    admin_view = ok(scene.get(scene.admin, f"{API}/access-log", learner_id=me.learner_id))
    assert admin_view["total"] == 0


def test_an_admin_reading_a_learner_is_logged(scene: Scene) -> None:
    ok(scene.get(scene.admin, f"{API}/learners/{scene.learner.learner_id}"))
    ok(scene.get(scene.admin, f"{API}/learners/{scene.learner.learner_id}/outcomes"))
    entries = scene.log_of(scene.learner)["items"]
    assert [(e["kind"], e["reader"]["role"]) for e in entries] == [
        ("record", "admin"),
        ("profile", "admin"),
    ]
    assert entries[0]["fields"] == ["outcomes"]
    assert entries[0]["route"].endswith("/outcomes")


def test_the_employers_vacancy_page_logs_each_applicant_it_shows(scene: Scene) -> None:
    browser = web_session(scene.base, scene.employer.email)
    page = browser.get(f"{scene.base}/employer/vacancies/{scene.vacancy['id']}", timeout=30)
    assert page.status_code == 200 and scene.learner.name in page.text
    exported = ok(scene.get(scene.admin, f"{API}/access-log", learner_id=scene.learner.learner_id))[
        "items"
    ]
    profile = [e for e in exported if e["kind"] == "profile"]
    assert len(profile) == 1
    assert profile[0]["page"] == f"/employer/vacancies/{scene.vacancy['id']}"
    assert profile[0]["vacancy_id"] == scene.vacancy["id"]
    # every entry of one page view carries that request's id
    assert len({e["request_id"] for e in exported if e["kind"] != "access-log"}) == 1
    # The other learner never applied: at most listed as a candidate, never by name or email.
    for entry in scene.log_of(scene.other)["items"]:
        assert entry["kind"] == "candidate"
        assert not {"name", "email", "cv_text"} & set(entry["fields"])


def test_a_candidate_list_is_one_entry_per_candidate_with_only_what_was_shown(
    scene: Scene,
) -> None:
    path = f"{API}/vacancies/{scene.vacancy['id']}/candidates"

    def listed() -> set[str]:
        data = ok(scene.get(scene.employer, path, limit=100))
        return {c["learner_id"] for c in data["candidates"] + data["trainable"]}

    wanted = {scene.learner.learner_id, scene.other.learner_id}
    wait_until(lambda: wanted <= listed(), timeout=60)
    before = {p.learner_id: scene.log_of(p)["total"] for p in (scene.learner, scene.other)}
    shown = ok(scene.get(scene.employer, path, limit=100))
    rid_of = {}
    for person in (scene.learner, scene.other):
        items = scene.log_of(person)["items"]
        assert len(items) == before[person.learner_id] + 1
        newest = items[0]
        assert newest["kind"] == "candidate" and newest["vacancy_id"] == scene.vacancy["id"]
        assert newest["reader"]["employer_name"] == scene.employer.name
        rid_of[person.learner_id] = newest["id"]
    other = next(
        e for e in scene.log_of(scene.other)["items"] if e["id"] == rid_of[scene.other.learner_id]
    )
    # The other learner never applied: their name and email were not shown, nor are they logged.
    assert "name" not in other["fields"] and "email" not in other["fields"]
    assert scene.other.email not in str(shown)
    exported = ok(scene.get(scene.admin, f"{API}/access-log", limit=50))["items"]
    ours = [e for e in exported if e["id"] in set(rid_of.values())]
    assert len(ours) == 2 and len({e["request_id"] for e in ours}) == 1


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(scene: Scene) -> None:
    name = f'=HYPERLINK("http://x.example/";"{uuid.uuid4().hex[:6]}")'
    company = employer_profile(name, valid_bin(uuid.uuid4().int % 10**11))
    employer = register(scene.base, "employer", company)
    body = {"title": "Оператор", "description": "Работа с данными.", "region": "astana"}
    vacancy = ok(
        requests.post(
            f"{scene.base}{API}/vacancies", headers=employer.headers, json=body, timeout=30
        ),
        201,
    )
    application = {"vacancy_id": vacancy["id"]}
    ok(
        requests.post(
            f"{scene.base}{API}/applications",
            headers=scene.learner.headers,
            json=application,
            timeout=30,
        ),
        201,
    )
    ok(scene.get(employer, f"{API}/learners/{scene.learner.learner_id}"))
    resp = scene.get(
        scene.admin, f"{API}/access-log", learner_id=scene.learner.learner_id, format="csv"
    )
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert [r["reader_employer_name"] for r in rows] == ["'" + name]
