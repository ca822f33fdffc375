"""The web pages through the Flask test client: languages, CSRF, sessions, each role's pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.ministry.charts import group_label
from gateway.pages import employer as employer_pages
from gateway.pages import learner as learner_pages
from gateway.pages import learner_courses, learner_jobs, web
from gateway.transport import Upstream
from tests.gateway.learner_pages import page_showing
from tests.gateway.world import API, PASSWORD, World, ok

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def web_login(client: FlaskClient, email: str, password: str = PASSWORD) -> FlaskClient:
    """Sign in through the login form."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client


@pytest.mark.parametrize(("lang", "text"), [("kk", "Кіру"), ("ru", "Вход"), ("en", "Sign in")])
def test_pages_speak_three_languages(browser: FlaskClient, lang: str, text: str) -> None:
    first = browser.get(f"/login?lang={lang}")
    assert f"<h1>{text}</h1>" in first.get_data(as_text=True)
    assert f'lang="{lang}"' in first.get_data(as_text=True)
    again = browser.get("/login")  # the choice is remembered in a cookie
    assert f'lang="{lang}"' in again.get_data(as_text=True)


def test_language_switch_goes_back_to_the_page(browser: FlaskClient) -> None:
    resp = browser.get("/lang/kk?next=/register")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/register")
    assert "Тіркелу" in browser.get("/register").get_data(as_text=True)
    off_site = browser.get("/lang/ru?next=https://evil.example/")
    assert off_site.headers["Location"] == "/"


def test_form_post_without_its_csrf_token_is_refused(browser: FlaskClient, world: World) -> None:
    browser.get("/login")
    resp = browser.post("/login", data={"email": world["learner"].email, "password": PASSWORD})
    assert resp.status_code == 403
    assert "qabilet_session" not in resp.headers.get("Set-Cookie", "")


def test_login_sets_an_httponly_lax_cookie_and_logout_ends_it(
    browser: FlaskClient, world: World
) -> None:
    token = csrf_of(browser.get("/login").get_data(as_text=True))
    resp = browser.post(
        "/login", data={"email": world["learner"].email, "password": PASSWORD, "csrf_token": token}
    )
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if "qabilet_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert resp.headers["Location"] == "/learner"
    page = browser.get("/learner").get_data(as_text=True)
    assert world["learner"].name in page
    # the session's CSRF token is tied to the signed-in session, not the anonymous one
    assert csrf_of(page) != token
    assert browser.post("/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert browser.get("/learner").status_code == 302


def test_wrong_password_shows_the_form_again(browser: FlaskClient, world: World) -> None:
    token = csrf_of(browser.get("/login?lang=en").get_data(as_text=True))
    resp = browser.post(
        "/login",
        data={"email": world["learner"].email, "password": "nope-nope", "csrf_token": token},
    )
    assert resp.status_code == 401 and "Wrong email or password" in resp.get_data(as_text=True)


def test_pages_guard_their_role(browser: FlaskClient, world: World) -> None:
    assert browser.get("/learner").headers["Location"].startswith("/login")
    web_login(browser, world["learner"].email)
    assert browser.get("/employer").status_code == 403
    assert browser.get("/ministry").status_code == 403
    assert browser.get("/admin").status_code == 403


def test_learner_sees_skills_jobs_and_path(browser: FlaskClient, world: World) -> None:
    web_login(browser, world["learner"].email)
    profile = browser.get("/learner?lang=en").get_data(as_text=True)
    assert world.skills[0]["label"] in profile and "Reject" in profile
    jobs = browser.get("/learner/jobs").get_data(as_text=True)
    assert world.vacancy["title"] in jobs
    assert "Skills you have" in jobs and "Skills to learn" in jobs
    assert world.skills[4]["label"] in jobs  # the world learner lacks it
    url = f"/learner/path?vacancy_id={world.vacancy['id']}"
    path = page_showing(browser, url, world.course["title"])
    assert "36 h" in path
    assert "What if" in path


def test_learner_rejects_a_skill_and_it_leaves_the_profile(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    learner = world["learner"]
    uri, label = "http://example.org/skill/page-reject", "Knitting"
    ok(
        gateway.test_client().post(
            f"{API}/learners/{learner.learner_id}/skills",
            headers=learner.headers,
            json={"uri": uri, "label": label},
        ),
        201,
    )
    web_login(browser, learner.email)
    page = browser.get("/learner").get_data(as_text=True)
    assert label in page
    resp = browser.post(
        "/learner/skills/reject", data={"uri": uri, "label": label, "csrf_token": csrf_of(page)}
    )
    assert resp.status_code == 302
    after = browser.get("/learner").get_data(as_text=True)
    assert f"<strong>{label}</strong>" not in after


def test_employer_previews_skills_then_posts_a_vacancy(browser: FlaskClient, world: World) -> None:
    web_login(browser, world["employer"].email)
    form = browser.get("/employer/vacancies/new?lang=en").get_data(as_text=True)
    fields = {
        "title": "ML engineer",
        "description": "Machine learning and cloud data storage.",
        "requirements": "",
        "region": "astana",
        "employment_type": "full",
        "salary_min": "500000",
        "csrf_token": csrf_of(form),
    }
    preview = browser.post("/employer/vacancies/new", data={**fields, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Skills found in the text" in html
    chosen = re.findall(r'name="skill" value="([^"]+)"', html)
    assert chosen, html[:500]
    saved = browser.post(
        "/employer/vacancies/new", data={**fields, "action": "save", "skill": chosen[:2]}
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    page = browser.get(saved.headers["Location"]).get_data(as_text=True)
    assert "ML engineer" in page
    assert chosen[0].split("|", 1)[1] in page


def test_employer_moves_an_application_on_its_vacancy(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    employer = world["employer"]
    vacancy = ok(
        gateway.test_client().post(
            f"{API}/vacancies",
            headers=employer.headers,
            json={"title": "Support engineer", "region": "astana"},
        ),
        201,
    )
    application = ok(
        gateway.test_client().post(
            f"{API}/applications",
            headers=world["learner3"].headers,
            json={"vacancy_id": vacancy["id"]},
        ),
        201,
    )
    web_login(browser, employer.email)
    page = browser.get(f"/employer/vacancies/{vacancy['id']}?lang=en").get_data(as_text=True)
    assert world["learner3"].name in page  # an applicant's name is shown to that employer
    resp = browser.post(
        f"/employer/applications/{application['id']}/transition",
        data={"to": "interview", "vacancy_id": vacancy["id"], "csrf_token": csrf_of(page)},
    )
    assert resp.status_code == 302
    moved = ok(
        gateway.test_client().get(
            f"{API}/applications/{application['id']}", headers=employer.headers
        )
    )
    assert moved["status"] == "interview"


def test_other_employer_cannot_open_the_vacancy_page(browser: FlaskClient, world: World) -> None:
    web_login(browser, world["employer2"].email)
    assert browser.get(f"/employer/vacancies/{world.vacancy['id']}").status_code == 403


def test_ministry_dashboard_opens(browser: FlaskClient, world: World) -> None:
    web_login(browser, world["ministry"].email)
    resp = browser.get("/ministry")
    assert resp.status_code == 200
    assert world["learner"].email not in resp.get_data(as_text=True)


def answer_for(path_part: str, status: int, body: object) -> Callable[..., Upstream]:
    """Return a stand-in for the pages' `api` that answers ``body`` for one path, else calls it."""
    real = web.api

    def fake(method: str, path: str, **kwargs: object) -> Upstream:
        if path_part in path:
            return Upstream(status=status, body=json.dumps(body).encode())
        return real(method, path, **kwargs)  # type: ignore[arg-type]

    return fake


NOT_YET = {"status": 404, "detail": "the matcher knows no learner 0 (yet)"}


def test_new_learner_is_told_recommendations_are_coming_in_their_language(
    browser: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(learner_jobs, "api", answer_for("/recommendations/jobs", 404, NOT_YET))
    web_login(browser, world["learner"].email)
    resp = browser.get("/learner/jobs?lang=kk")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Профиліңіз талдануда" in html and "knows no learner" not in html


def test_path_to_a_vacancy_the_matcher_has_not_read_yet_says_so(
    browser: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(learner_courses, "api", answer_for("/retraining-path", 404, NOT_YET))
    web_login(browser, world["learner"].email)
    resp = browser.get(f"/learner/path?vacancy_id={world.vacancy['id']}&lang=ru")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and world.vacancy["title"] in html
    assert "Путь ещё не готов" in html and "knows no" not in html
    missing = browser.get("/learner/path?vacancy_id=ffffffffffffffffffffffff&lang=ru")
    assert missing.status_code == 404  # a vacancy that does not exist is still "not found"


def test_profile_with_a_cv_but_no_skills_yet_says_they_are_coming(
    browser: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner = world["learner"]
    profile = {"name": "Aruzhan", "email": learner.email, "region": "astana", "skills": []}
    answers = {"cv_text": "Мен Python және SQL білемін.", "programme": "other"}
    monkeypatch.setattr(
        learner_pages, "api_data", lambda method, path, **kw: {**profile, **answers}
    )
    web_login(browser, learner.email)
    html = browser.get("/learner?lang=en").get_data(as_text=True)
    assert "appear here about a minute after you save it" in html
    assert "add a CV text below" not in html and "Other programme" in html
    answers.pop("cv_text")
    assert "add a CV text below" in browser.get("/learner?lang=en").get_data(as_text=True)


def test_employer_sees_candidates_as_the_employer_not_as_the_learner(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["employer"].email)
    html = browser.get(f"/employer/vacancies/{world.vacancy['id']}?lang=en").get_data(as_text=True)
    assert 'class="card candidate"' in html, html[:2000]
    assert "Required skills they have" in html and "Required skills they lack" in html
    assert "Skills you have" not in html and "Skills to learn" not in html


def test_just_posted_vacancy_says_candidates_are_coming(
    browser: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_yet = {"status": 404, "detail": "the matcher knows no vacancy 0 (yet)"}
    monkeypatch.setattr(employer_pages, "api", answer_for("/candidates", 404, not_yet))
    web_login(browser, world["employer"].email)
    html = browser.get(f"/employer/vacancies/{world.vacancy['id']}?lang=ru").get_data(as_text=True)
    assert "Кандидаты подбираются" in html
    assert "knows no vacancy" not in html and "Кандидатов пока нет" not in html


def test_preview_ticks_only_confident_skills(
    browser: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    extracted = {
        "model": "test",
        "items": [
            {"uri": "u:sql", "label": "SQL", "confidence": 0.81, "evidence": "SQL"},
            {"uri": "u:da", "label": "data analytics", "confidence": 0.32, "evidence": "данных"},
            {"uri": "u:pe", "label": "model power electronics", "confidence": 0.17},
        ],
    }
    monkeypatch.setattr(employer_pages, "api", answer_for("/skills/extract", 200, extracted))
    web_login(browser, world["employer"].email)
    form = browser.get("/employer/vacancies/new?lang=ru").get_data(as_text=True)
    html = browser.post(
        "/employer/vacancies/new",
        data={"title": "Аналитик данных", "action": "preview", "csrf_token": csrf_of(form)},
    ).get_data(as_text=True)
    ticked = set(re.findall(r'name="skill" value="([^"|]*)\|[^"]*" checked', html))
    essential = set(re.findall(r'name="essential\|([^"]*)" checked', html))
    assert ticked == {"u:sql", "u:da"}  # the weak guess is listed but not ticked
    assert essential == {"u:sql"}
    assert "model power electronics" in html


def test_ministry_dashboard_names_regions_and_programmes(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["ministry"].email)
    html = browser.get("/ministry?lang=ru").get_data(as_text=True)
    assert "<td>Астана</td>" in html and "<td>astana</td>" not in html
    assert "<td>AI-Sana</td>" in html and "<td>ai-sana</td>" not in html
    assert group_label("region", "almaty-city", "kk") == "Алматы қаласы"
    assert group_label("programme", "other", "en") == "Other programme"
    assert group_label("language", "kk", "en") == "Kazakh"  # languages by name, too
