"""Job filters by employment type and taxonomy search in the page's language (test client)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.gateway.learner_pages import new_learner, text_of
from tests.gateway.test_pages import web_login
from tests.gateway.world import API, World, ok, vacancy_body, wait_until


def _cards(html: str) -> list[str]:
    return re.findall(r'<article class="card job" data-vacancy="([0-9a-f]+)"', html)


def test_jobs_filter_by_employment_type_across_every_match(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    client = gateway.test_client()
    employer = world["employer"]
    skills = world.skills[:3]
    posted: dict[str, Any] = {}
    try:
        for kind in ("part", "internship"):
            body = {**vacancy_body(f"Аналитик ({kind})", skills), "employment_type": kind}
            posted[kind] = ok(
                client.post(f"{API}/vacancies", headers=employer.headers, json=body), 201
            )
        learner = new_learner(client, world)
        web_login(browser, learner.email)

        def listed(kind: str) -> list[str]:
            html = browser.get(f"/learner/jobs?lang=ru&employment_type={kind}&region=all")
            cards = _cards(html.get_data(as_text=True))
            return cards if posted[kind]["id"] in cards else []

        part = wait_until(lambda: listed("part"), timeout=60)
        assert posted["internship"]["id"] not in part
        assert world.vacancy["id"] not in part  # the world's vacancy is full-time
        html = browser.get("/learner/jobs?lang=ru&employment_type=part&region=all")
        text = text_of(html.get_data(as_text=True))
        # The matcher filters on the type itself: the count is of that type's open vacancies.
        assert "Фильтрам соответству" in text and "Тип занятости проверен" not in text
        card = html.get_data(as_text=True).split(f'data-vacancy="{posted["part"]["id"]}"')[1]
        assert '<span class="employment">' in card.split("</article>")[0]
        assert '<option value="part" selected>' in html.get_data(as_text=True)
        assert posted["part"]["id"] not in wait_until(lambda: listed("internship"), timeout=30)
        every = _cards(browser.get("/learner/jobs?lang=ru&region=all").get_data(as_text=True))
        assert {posted["part"]["id"], posted["internship"]["id"]} <= set(every)
    finally:
        for vacancy in posted.values():
            client.post(f"{API}/vacancies/{vacancy['id']}/close", headers=employer.headers)


def test_an_unknown_employment_type_is_ignored_not_an_error(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner"].email)
    resp = browser.get("/learner/jobs?lang=kk&employment_type=<script>")
    assert resp.status_code == 200
    assert "<script>" not in resp.get_data(as_text=True).split("<main", 1)[-1]


def _translated_skill(client: FlaskClient, lang: str) -> tuple[str, dict[str, Any]]:
    """Return a search word and a skill it finds that has a label in ``lang``."""
    for word in ("python", "data", "manage", "sql", "teach", "sell", "account"):
        found = ok(client.get(f"{API}/skills", query_string={"q": word, "lang": lang, "limit": 10}))
        for item in found["items"]:
            if item["label_lang"] == lang and item["label"] != item["label_en"]:
                return word, item
    raise AssertionError(f"no skill with a {lang} label among the search words")


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_learner_skill_search_shows_labels_in_the_page_language(
    browser: FlaskClient, world: World, lang: str
) -> None:
    word, skill = _translated_skill(browser, lang)
    web_login(browser, world["learner2"].email)
    html = browser.get(f"/learner?lang={lang}&skill_q={word}").get_data(as_text=True)
    found = html.split('class="found skills-found"', 1)[-1].split("</ul>", 1)[0]
    assert skill["label"] in found, (skill, found[:500])


def test_employer_skill_search_shows_labels_in_the_page_language(
    browser: FlaskClient, world: World
) -> None:
    word, skill = _translated_skill(browser, "ru")
    web_login(browser, world["employer"].email)
    page = browser.get("/employer/vacancies/new?lang=ru").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert token
    form = {
        "csrf_token": token.group(1),
        "title": "Аналитик",
        "description": "Анализ данных",
        "region": "astana",
        "employment_type": "full",
        "action": "search",
        "skill_q": word,
    }
    resp = browser.post("/employer/vacancies/new?lang=ru", data=form)
    assert resp.status_code == 200
    results = resp.get_data(as_text=True).split('id="skill-search"', 1)[-1]
    assert f"{skill['uri']}|{skill['label']}" in results
