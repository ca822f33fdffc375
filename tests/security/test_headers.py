"""Finding 9: answers carrying personal data are never cached and never type-sniffed (live)."""

from __future__ import annotations

import re

import pytest
import requests

from tests.gateway.world import PASSWORD, World

pytestmark = pytest.mark.slow

API = "/api/v1"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')

# (caller, path): answers about people, successes and refusals alike.
PERSONAL_API = [
    ("learner", "/me"),
    ("learner", "/learners/{L}"),
    ("employer", "/learners/{L}"),
    ("admin", "/learners"),
    ("learner", "/applications"),
    ("employer", "/applications/{A}"),
    ("employer", "/vacancies/{V}/candidates"),
    ("learner", "/me/access-log"),
    ("admin", "/access-log"),
    ("admin", "/access-log?format=csv"),
    ("admin", "/accounts"),
    ("learner2", "/learners/{L}"),  # 403
    ("ministry", "/applications"),  # 403
    (None, "/learners/{L}"),  # 401
]
EVERY_ANSWER = ["/healthz", "/readyz", "/openapi.json", "/docs", "/static/style.css", "/login"]


def fill(path: str, world: World) -> str:
    ids = {
        "{L}": world["learner"].learner_id or "",
        "{A}": world.application["id"],
        "{V}": world.vacancy["id"],
    }
    for key, value in ids.items():
        path = path.replace(key, value)
    return path


def assert_not_kept(resp: requests.Response) -> None:
    assert resp.headers.get("Cache-Control") == "no-store", dict(resp.headers)
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", dict(resp.headers)


@pytest.mark.parametrize(("who", "path"), PERSONAL_API, ids=[f"{w}:{p}" for w, p in PERSONAL_API])
def test_api_answers_about_people_are_not_stored_or_sniffed(
    live_gateway: str, world: World, who: str | None, path: str
) -> None:
    headers = world[who].headers if who else {}
    resp = requests.get(live_gateway + API + fill(path, world), headers=headers, timeout=30)
    assert resp.status_code in (200, 401, 403), resp.text[:300]
    assert_not_kept(resp)


def test_a_token_answer_is_not_stored(live_gateway: str, world: World) -> None:
    body = {"email": world["learner"].email, "password": PASSWORD}
    resp = requests.post(f"{live_gateway}{API}/auth/token", json=body, timeout=30)
    assert resp.status_code == 200
    assert_not_kept(resp)
    wrong = requests.post(
        f"{live_gateway}{API}/auth/token", json={**body, "password": "wrong-one"}, timeout=30
    )
    assert wrong.status_code == 401
    assert_not_kept(wrong)


@pytest.mark.parametrize("path", [*EVERY_ANSWER, "/no-such-page", f"{API}/no-such-route"])
def test_every_gateway_answer_says_nosniff(live_gateway: str, path: str) -> None:
    resp = requests.get(live_gateway + path, timeout=30)
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", (path, dict(resp.headers))


def test_pages_with_personal_data_are_not_stored(live_gateway: str, world: World) -> None:
    for role, pages in [
        ("learner", ["/learner", "/learner/activity", "/learner/access-log"]),
        ("employer", [f"/employer/vacancies/{world.vacancy['id']}"]),
    ]:
        session = requests.Session()
        token = CSRF.search(session.get(f"{live_gateway}/login", timeout=30).text)
        assert token is not None
        form = {"email": world[role].email, "password": PASSWORD, "csrf_token": token.group(1)}
        assert session.post(f"{live_gateway}/login", data=form, timeout=30).status_code == 200
        for page in pages:
            resp = session.get(live_gateway + page, timeout=30)
            assert resp.status_code == 200, (page, resp.text[:300])
            assert_not_kept(resp)
            assert resp.headers.get("X-Frame-Options") == "DENY"
