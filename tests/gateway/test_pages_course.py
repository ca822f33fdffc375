"""The learner's course page through the test client (ru / kk), against the live services."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.gateway.learner_pages import page_showing, text_of
from tests.gateway.test_pages import csrf_of, web_login
from tests.gateway.world import API, World, shown_name


def _chips(html: str, kind: str) -> str:
    found = re.search(rf'<ul class="chips {kind}">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def test_course_page_shows_provider_level_hours_and_what_is_new_to_this_learner(
    browser: FlaskClient, world: World
) -> None:
    course = world.course
    web_login(browser, world["learner"].email)  # holds skills 0-3 and is enrolled on the course
    html = browser.get(f"/learner/courses/{course['id']}?lang=ru").get_data(as_text=True)
    text = text_of(html)
    assert course["title"] in text and "Astana Hub" in text
    assert "Уровень:" in text and "36 ч" in text
    have, miss = (
        shown_name(browser, world.skills[3], "ru"),
        shown_name(browser, world.skills[4], "ru"),
    )
    assert have in _chips(html, "ok")
    assert miss in _chips(html, "gap")
    assert have not in _chips(html, "gap")
    assert "Вы записаны на этот курс: записан." in text
    assert 'action="/learner/enrol"' not in html  # already on it: no second enrolment button


def test_a_learner_not_on_the_course_can_enrol_from_its_page(
    browser: FlaskClient, world: World
) -> None:
    course = world.course
    web_login(browser, world["learner2"].email)
    url = f"/learner/courses/{course['id']}?lang=kk"
    html = browser.get(url).get_data(as_text=True)
    assert "Курс нені үйретеді" in html and 'action="/learner/enrol"' in html
    resp = browser.post(
        "/learner/enrol",
        data={"csrf_token": csrf_of(html), "course_id": course["id"], "next": url},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url)
    again = text_of(browser.get(url).get_data(as_text=True))
    assert "Сіз осы курсқа жазылдыңыз" in again
    # Leave the world as it was for the other tests.
    learner = world["learner2"]
    mine = browser.get(
        f"{API}/enrolments?learner_id={learner.learner_id}&limit=100", headers=learner.headers
    ).get_json()
    for e in mine["items"]:
        if e["course_id"] == course["id"] and e["status"] == "enrolled":
            browser.post(f"{API}/enrolments/{e['id']}/drop", headers=learner.headers)


def test_course_lists_and_paths_link_to_the_course_page(browser: FlaskClient, world: World) -> None:
    web_login(browser, world["learner3"].email)
    url = f"/learner/path?vacancy_id={world.vacancy['id']}&lang=ru"
    page_showing(browser, url, f'href="/learner/courses/{world.course["id"]}"')


def test_an_unknown_course_is_a_page_in_the_page_language(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner"].email)
    resp = browser.get("/learner/courses/0123456789abcdef01234567?lang=ru")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert "Не найдено" in resp.get_data(as_text=True)
