"""The learner's profile and activity pages through the Flask test client, on the live services."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from flask.testing import FlaskClient

from tests.gateway.learner_pages import new_learner, text_of
from tests.gateway.test_pages import csrf_of, web_login
from tests.gateway.world import (
    API,
    World,
    learner_profile,
    ok,
    register,
)

# --- profile ---------------------------------------------------------------------------------


def test_skills_show_in_the_pages_language_where_the_vocabulary_names_them(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    client = gateway.test_client()
    names = {
        lang: ok(client.get(f"{API}/labels", query_string={"lang": lang}))["labels"]
        for lang in ("ru", "kk")
    }
    listed = ok(client.get(f"{API}/skills", query_string={"limit": 100}))["items"]
    # A skill of the suite's ESCO that the vocabulary names in both languages.
    skill = next(s for s in listed if s["uri"] in names["ru"] and s["uri"] in names["kk"])
    chosen = {"uri": skill["uri"], "label": skill["label"]}
    profile = learner_profile("Гульнар Ахметова", [chosen], consent=True)
    actor = register(client, "learner", f"l-{uuid.uuid4().hex[:8]}@example.kz", profile)
    web_login(browser, actor.email)
    for lang in ("ru", "kk"):
        html = browser.get(f"/learner?lang={lang}").get_data(as_text=True)
        assert f"<strong>{names[lang][skill['uri']]}</strong>" in html, lang
    english = browser.get("/learner?lang=en").get_data(as_text=True)
    assert f"<strong>{skill['label']}</strong>" in english


def test_region_programme_and_languages_can_be_edited(browser: FlaskClient, world: World) -> None:
    learner = new_learner(browser, world)
    web_login(browser, learner.email)
    token = csrf_of(browser.get("/learner").get_data(as_text=True))
    form = {
        "csrf_token": token,
        "region": "almaty",
        "programme": "tomorrow-school",
        "lang_code_0": "kk",
        "lang_level_0": "native",
        "lang_code_1": "en",
        "lang_level_1": "B2",
        "cv_text": "Python, SQL.",
        "consent": "on",
    }
    assert browser.post("/learner/profile", data=form).status_code == 302
    stored = ok(browser.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    assert (stored["region"], stored["programme"]) == ("almaty", "tomorrow-school")
    assert stored["languages"] == [
        {"code": "kk", "level": "native"},
        {"code": "en", "level": "B2"},
    ]
    html = browser.get("/learner?lang=ru").get_data(as_text=True)
    meta = text_of(html.split('<p class="meta">')[1].split("</p>")[0])
    assert "Алматинская область" in meta and "Английский (B2 выше среднего)" in meta


def test_too_long_cv_shows_the_form_again_in_russian_with_the_text_kept(
    browser: FlaskClient, world: World
) -> None:
    learner = new_learner(browser, world)
    web_login(browser, learner.email)
    token = csrf_of(browser.get("/learner?lang=ru").get_data(as_text=True))
    cv = "Опыт работы с Python и SQL. " * 2500  # ~69,000 characters
    resp = browser.post(
        "/learner/profile",
        data={"csrf_token": token, "region": "astana", "programme": "ai-sana", "cv_text": cv},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and resp.mimetype == "text/html"
    assert "Ничего не сохранено" in html and "не длиннее 20000 символов" in html
    assert cv.strip() in html  # what was typed is still in the textarea
    assert "String should have" not in html and '"detail":' not in html


def test_a_missed_skill_is_found_by_name_and_added(browser: FlaskClient, world: World) -> None:
    learner = new_learner(browser, world)
    skill = world.skills[6]
    web_login(browser, learner.email)
    found = browser.get(f"/learner?skill_q={skill['label'][:12]}&lang=en").get_data(as_text=True)
    assert skill["label"] in found.split('class="found skills-found"')[1]
    resp = browser.post(
        "/learner/skills/add",
        data={"csrf_token": csrf_of(found), "uri": skill["uri"], "label": skill["label"]},
    )
    assert resp.status_code == 302
    stored = ok(browser.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    assert any(s["uri"] == skill["uri"] and s["source"] == "self" for s in stored["skills"])


def test_a_rejected_skill_can_be_restored(browser: FlaskClient, world: World) -> None:
    learner = new_learner(browser, world)
    skill = world.skills[0]
    web_login(browser, learner.email)
    page = browser.get("/learner?lang=en").get_data(as_text=True)
    browser.post(
        "/learner/skills/reject",
        data={"csrf_token": csrf_of(page), "uri": skill["uri"], "label": skill["label"]},
    )
    rejected = browser.get("/learner?lang=en").get_data(as_text=True)
    assert "Skills I rejected" in rejected and "Undo" in rejected
    browser.post(
        "/learner/skills/add",
        data={
            "csrf_token": csrf_of(rejected),
            "uri": skill["uri"],
            "label": skill["label"],
            "undo": "1",
        },
    )
    stored = ok(browser.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    assert skill["uri"] not in stored["rejected_skills"]
    assert any(s["uri"] == skill["uri"] for s in stored["skills"])


# --- activity --------------------------------------------------------------------------------


def test_activity_rows_show_employer_dates_and_status(browser: FlaskClient, world: World) -> None:
    web_login(browser, world["learner"].email)
    html = browser.get("/learner/activity?lang=ru").get_data(as_text=True)
    row = html.split(f'data-application="{world.application["id"]}"')[1].split("</tr>")[0]
    assert "DataSoft LLP" in row and world.vacancy["title"] in row
    assert re.search(r"\d{4}-\d{2}-\d{2}", row) and "status-" in row
