"""The learner's goals, course recommendations and retraining path pages (kk / ru / en)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.gateway.learner_pages import new_learner, text_of
from tests.gateway.test_pages import csrf_of, web_login
from tests.gateway.world import (
    API,
    World,
    ok,
    vacancy_body,
    wait_until,
)

# --- goals, courses, path --------------------------------------------------------------------


def test_an_occupation_is_found_by_name_chosen_as_a_goal_and_its_path_opens(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    occupation = ok(gateway.test_client().get(f"{API}/occupations", query_string={"limit": 1}))
    occ = occupation["items"][0]
    learner = new_learner(browser, world)
    web_login(browser, learner.email)
    page = browser.get(f"/learner/goals?q={occ['label']}&lang=kk").get_data(as_text=True)
    assert occ["label"] in page and "Мақсаттарға қосу" in page
    resp = browser.post(
        "/learner/goals",
        data={"csrf_token": csrf_of(page), "uri": occ["uri"], "label": occ["label"]},
    )
    assert resp.status_code == 302
    stored = ok(browser.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    assert [o["uri"] for o in stored["desired_occupations"]] == [occ["uri"]]
    path = browser.get(f"/learner/path?occupation_uri={occ['uri']}&lang=kk")
    assert path.status_code == 200 and occ["label"] in path.get_data(as_text=True)


def test_path_without_a_target_leads_to_the_occupation_picker(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    resp = browser.get("/learner/path")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/learner/goals")


def test_courses_without_a_target_come_from_the_gaps_of_the_best_jobs(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    html = browser.get("/learner/courses?lang=ru").get_data(as_text=True)
    text = text_of(html)
    assert world.course["title"] in text
    assert "Подобраны по навыкам, которых вам не хватает" in text
    # Each course names the jobs it helps for: the world's vacancy, or the copies with the same
    # skills that the invitation tests post under the same title plus a unique suffix.
    helps = re.findall(r'<p class="reason">Помогает для: ([^<]*)</p>', html)
    title = world.vacancy["title"]
    named = [t for line in helps for t in line.split(", ")]
    assert any(t == title or t.startswith(f"{title}-") for t in named), helps
    assert "36 часов" in text


def test_courses_page_names_the_languages_read_and_those_below_b1(
    browser: FlaskClient, world: World
) -> None:
    langs = [{"code": "kk", "level": "native"}, {"code": "en", "level": "A2"}]
    actor = new_learner(browser, world, languages=langs)
    web_login(browser, actor.email)
    html = browser.get("/learner/courses?lang=ru").get_data(as_text=True)
    text = text_of(html)
    assert "Курсы на языках, которые вы читаете: Казахский." in text
    assert "Не учтены (в профиле ниже B1): Английский" in text
    toggle = re.search(r'<p class="languages" id="reading-rule">.*?<a href="([^"]+)"', html, re.S)
    assert toggle is not None and "any_language=1" in toggle.group(1)
    every = text_of(browser.get(toggle.group(1).replace("&amp;", "&")).get_data(as_text=True))
    assert "Курсы на всех языках" in every and "Только курсы на моих языках" in every


def test_path_is_the_same_between_visits_and_speaks_the_pages_language(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    url = f"/learner/path?vacancy_id={world.vacancy['id']}&lang=ru"
    first, second = (text_of(browser.get(url).get_data(as_text=True)) for _ in range(2))
    hours = re.findall(r"всего (\d+) ч", first)
    assert hours and hours == re.findall(r"всего (\d+) ч", second)
    assert "Вакансия доступна, если у вас есть не менее 80%" in first
    assert "an open vacancy is within reach" not in first
    assert re.search(r"Что если: откро\w+ ещё \d+ ваканси\w+", first)


def test_path_shows_a_prerequisite_first_and_why_it_is_there(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    client = gateway.test_client()
    admin, skill = world["admin"].headers, world.skills[7]
    course = {"provider": "Astana Hub", "language": "ru", "level": "beginner", "hours": 1}
    basics = ok(
        client.post(f"{API}/courses", headers=admin, json={**course, "title": "Облако: основы"}),
        201,
    )
    advanced = {
        **course,
        "title": "Облако: продвинутый курс",
        "level": "advanced",
        "prerequisites": [basics["id"]],
        "skills": [{"uri": skill["uri"], "label": skill["label"]}],
    }
    ok(client.post(f"{API}/courses", headers=admin, json=advanced), 201)
    body = vacancy_body("Cloud operator", [skill])
    vacancy = ok(client.post(f"{API}/vacancies", headers=world["employer"].headers, json=body), 201)
    web_login(browser, world["learner3"].email)
    url = f"/learner/path?vacancy_id={vacancy['id']}&lang=ru"

    def planned() -> str:
        html = browser.get(url).get_data(as_text=True)
        return html if "Облако: продвинутый курс" in html else ""

    html = wait_until(planned, timeout=60)
    text = text_of(html)
    assert text.index("Облако: основы") < text.index("Облако: продвинутый курс")
    assert "Нужен перед курсом: Облако: продвинутый курс" in text
    assert "После курса: Облако: основы" in text
    assert "всего 2 ч" in text
