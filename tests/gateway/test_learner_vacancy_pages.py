"""The learner's jobs list and vacancy page through the Flask test client (kk / ru / en)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.gateway.learner_pages import new_learner, text_of
from tests.gateway.test_pages import web_login
from tests.gateway.world import (
    API,
    World,
    ok,
    shown_name,
    vacancy_body,
    wait_until,
)

# --- vacancy page ----------------------------------------------------------------------------


def test_vacancy_page_shows_description_employer_salary_skills_and_my_match(
    browser: FlaskClient, world: World
) -> None:
    vacancy = world.vacancy
    web_login(browser, world["learner3"].email)
    resp = browser.get(f"/learner/vacancies/{vacancy['id']}?lang=ru")
    html = resp.get_data(as_text=True)
    text = text_of(html)
    assert resp.status_code == 200
    assert vacancy["description"] in text
    assert "DataSoft LLP" in text  # the employer's name, not its id
    assert "450 000 ₸ – 700 000 ₸" in text
    assert "Обязательные навыки" in text and "Вам не хватает" in text
    match = html.split('class="card match"')[1].split("</section>")[0]
    have, miss = match.split("Вам не хватает")
    assert shown_name(browser, world.skills[0], "ru") in have
    assert shown_name(browser, world.skills[4], "ru") in miss
    # An apply button, or (when an earlier journey applied already) when and how it went.
    assert "Откликнуться" in text or re.search(
        r"Вы откликнулись \d{1,2} [а-я]+\.? \d{4}",
        text,  # the date as Russian writes it
    )


def test_vacancy_without_a_salary_says_so_instead_of_a_blank(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    body = {**vacancy_body("Junior tester", world.skills[:2]), "salary_min": None}
    body["salary_max"] = None
    client = gateway.test_client()
    created = ok(client.post(f"{API}/vacancies", headers=world["employer"].headers, json=body), 201)
    web_login(browser, world["learner3"].email)
    for lang, words in (("ru", "зарплата не указана"), ("kk", "жалақы көрсетілмеген")):
        page = browser.get(f"/learner/vacancies/{created['id']}?lang={lang}")
        assert words in text_of(page.get_data(as_text=True))


def test_vacancy_page_compares_the_languages_asked_with_the_learners_levels(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    # learner3 has Kazakh (native) and Russian (C1) on the profile, and no English.
    body = vacancy_body("Analyst, three languages", world.skills[:2])
    body["languages"] = [
        {"code": "kk", "level": "B2"},
        {"code": "ru", "level": "C2"},
        {"code": "en", "level": "B1"},
    ]
    client = gateway.test_client()
    created = ok(client.post(f"{API}/vacancies", headers=world["employer"].headers, json=body), 201)
    try:
        web_login(browser, world["learner3"].email)
        html = browser.get(f"/learner/vacancies/{created['id']}?lang=ru").get_data(as_text=True)
        found = re.findall(r'<li class="(ok|gap)" data-language="(\w+)">', html)
        rows = {code: verdict for verdict, code in found}
        assert rows == {"kk": "ok", "ru": "gap", "en": "gap"}
        text = text_of(html)
        assert "Казахский — B2 выше среднего: у вас родной (соответствует)" in text
        assert "Русский — C2 в совершенстве: у вас C1 продвинутый (ниже требуемого)" in text
        assert "Английский — B1 средний: нет в вашем профиле (ниже требуемого)" in text

        # The jobs list says the same on the vacancy's card (the matcher packs the levels).
        def card() -> str:
            page = browser.get("/learner/jobs?lang=ru&region=all").get_data(as_text=True)
            parts = page.split(f'data-vacancy="{created["id"]}"')
            return parts[1].split("</article>")[0] if len(parts) > 1 else ""

        shown = wait_until(card, timeout=60)
        unmet = re.findall(r'<p class="language-unmet gap" data-language="(\w+)">', shown)
        assert unmet == ["ru", "en"]
        assert "Язык: Английский, требуется B1 средний" in text_of(shown)
    finally:
        client.post(f"{API}/vacancies/{created['id']}/close", headers=world["employer"].headers)


def test_unknown_vacancy_is_a_page_in_the_pages_language(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    resp = browser.get("/learner/vacancies/ffffffffffffffffffffffff?lang=ru")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert '"detail":' not in resp.get_data(as_text=True)


# --- jobs ------------------------------------------------------------------------------------


def test_jobs_link_to_the_vacancy_page_and_name_the_employer(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    html = browser.get("/learner/jobs?lang=en").get_data(as_text=True)
    assert f'href="/learner/vacancies/{world.vacancy["id"]}"' in html
    card = html.split(f'data-vacancy="{world.vacancy["id"]}"')[1].split("</article>")[0]
    assert "DataSoft LLP" in card


def test_learner_far_from_every_vacancy_is_told_and_shown_other_regions(
    browser: FlaskClient, world: World
) -> None:
    learner = new_learner(browser, world, region="turkistan")
    web_login(browser, learner.email)
    text = text_of(browser.get("/learner/jobs?lang=ru").get_data(as_text=True))
    assert "В регионе «Туркестанская область» пока нет открытых вакансий" in text
    assert world.vacancy["title"] in text
    chosen = text_of(browser.get("/learner/jobs?region=all&lang=ru").get_data(as_text=True))
    assert "пока нет открытых вакансий" not in chosen and world.vacancy["title"] in chosen


def test_jobs_in_the_home_region_are_preselected(browser: FlaskClient, world: World) -> None:
    web_login(browser, world["learner3"].email)
    html = browser.get("/learner/jobs?lang=en").get_data(as_text=True)
    assert '<option value="astana" selected>' in html
    assert "no open vacancies in" not in html
