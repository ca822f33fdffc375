"""The learner's whole journey in headless Chromium (ru and kk), with screenshots."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.gateway.test_browser import chromium, log_in, shot  # noqa: F401  (fixture)
from tests.gateway.world import API, World, learner_profile, register, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(chromium: Any, live_gateway: str) -> Iterator[Any]:  # noqa: F811
    context = chromium.new_context(base_url=live_gateway, locale="ru-RU")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()


def learner_in(gateway: Flask, world: World, region: str) -> str:
    """Register a learner in ``region`` and wait until the matcher knows them; return the email."""
    client = gateway.test_client()
    profile = {**learner_profile("Айгуль Сейтказы", world.skills[:3], consent=True)}
    profile["region"] = region
    actor = register(client, "learner", f"b-{uuid.uuid4().hex[:8]}@example.kz", profile)
    wait_until(
        lambda: (
            client.get(
                f"{API}/learners/{actor.learner_id}/recommendations/jobs", headers=actor.headers
            ).status_code
            == 200
        ),
        timeout=60,
    )
    return actor.email


def test_learner_finds_a_job_reads_it_plans_courses_and_applies_in_russian(
    page: Any, world: World, gateway: Flask
) -> None:
    vacancy = world.vacancy
    log_in(page, learner_in(gateway, world, "turkistan"))
    page.goto("/learner/jobs?lang=ru")
    assert "пока нет открытых вакансий" in page.locator(".nothing-local").inner_text()
    shot(page, "learner-ru-1-jobs-nothing-local")
    page.locator(f"article.job[data-vacancy='{vacancy['id']}'] h2 a").click()
    assert page.locator("h1").inner_text() == vacancy["title"]
    assert "DataSoft LLP" in page.locator(".vacancy-meta").inner_text()
    assert "Вам не хватает" in page.locator(".card.match").inner_text()
    shot(page, "learner-ru-2-vacancy")
    page.click("text=Курсы к этой вакансии")
    assert world.course["title"] in page.locator("article.course").first.inner_text()
    shot(page, "learner-ru-3-courses-for-vacancy")
    page.goto(f"/learner/vacancies/{vacancy['id']}")
    page.fill("textarea[name=cover_letter]", "Хочу работать у вас.")
    page.click("#apply button[type=submit]")
    assert "Отклик отправлен" in page.locator(".flash:not([data-indexing])").first.inner_text()
    assert "Вы откликнулись" in page.locator(".applied").inner_text()
    page.goto("/learner/activity")
    row = page.locator("tr.application").first.inner_text()
    assert "DataSoft LLP" in row and re.search(r"\d{1,2} \S+ \d{4}", row)  # a Russian date
    shot(page, "learner-ru-4-activity")


def test_learner_chooses_a_goal_and_follows_its_path_in_kazakh(
    page: Any, world: World, gateway: Flask
) -> None:
    log_in(page, learner_in(gateway, world, "astana"))
    page.goto("/learner/goals?lang=kk")
    occupation = gateway.test_client().get(f"{API}/occupations?limit=1&lang=kk").get_json()
    occupation = occupation["items"][0]
    page.fill("input[name=q]", occupation["label_en"])
    page.click("form.occupation-search button")
    # Searched by its ESCO name, listed by its Kazakh one (the page's language).
    assert occupation["label"] in page.locator("ul.occupations").inner_text()
    shot(page, "learner-kk-1-goal-search")
    page.locator("li.occupation").first.locator("button", has_text="Мақсаттарға қосу").click()
    assert "Мақсат қосылды" in page.locator(".flash:not([data-indexing])").first.inner_text()
    page.locator("li.goal a", has_text="Қайта даярлау жолы").first.click()
    assert page.locator("h1").inner_text() == "Қайта даярлау жолы"
    shot(page, "learner-kk-2-path-to-goal")
    page.goto(f"/learner/path?vacancy_id={world.vacancy['id']}")
    first = page.locator(".total-hours").inner_text()
    page.reload()
    assert page.locator(".total-hours").inner_text() == first
    assert "бос орын" in page.locator(".reach").inner_text()
    shot(page, "learner-kk-3-path-to-vacancy")
    page.goto("/learner/courses")
    # With a goal chosen, the recommendations come from that goal's gap.
    lead = page.locator("p.lead").inner_text()
    assert "Мақсаттарыңызға жетпейтін" in lead and occupation["label"] in lead
    shot(page, "learner-kk-4-courses")


def test_learner_edits_the_profile_and_a_too_long_cv_is_kept_in_russian(
    page: Any, world: World, gateway: Flask
) -> None:
    log_in(page, learner_in(gateway, world, "astana"))
    page.goto("/learner?lang=ru")
    page.select_option("select[name=region]", "almaty")
    page.select_option("select[name=lang_code_2]", "en")
    page.select_option("select[name=lang_level_2]", "B2")
    page.click("#edit button[type=submit]")
    assert "Профиль сохранён" in page.locator(".flash:not([data-indexing])").first.inner_text()
    assert "Алматинская область" in page.locator("p.meta").first.inner_text()
    page.fill("input[name=skill_q]", world.skills[6]["label"][:10])
    page.click("form.skill-search button")
    page.locator("li.found-skill").first.locator("button").click()
    assert "Навык добавлен" in page.locator(".flash:not([data-indexing])").first.inner_text()
    shot(page, "learner-ru-5-profile-edited")
    cv = "Опыт работы с Python и SQL. " * 2500
    page.fill("textarea[name=cv_text]", cv)
    page.click("#edit button[type=submit]")
    assert "Ничего не сохранено" in page.locator(".flash.error").inner_text()
    assert len(page.locator("textarea[name=cv_text]").input_value()) >= len(cv.strip())
    shot(page, "learner-ru-6-cv-too-long")


def test_learner_filters_jobs_by_employment_type_in_kazakh(
    page: Any, world: World, gateway: Flask
) -> None:
    client = gateway.test_client()
    employer = world["employer"]
    body = {
        "title": "Жартылай күндік талдаушы",
        "description": "Деректерді талдау, жартылай жұмыс күні.",
        "region": "astana",
        "employment_type": "part",
        "skills": [{"uri": s["uri"], "label": s["label"], "essential": True}
                   for s in world.skills[:3]],
    }  # fmt: skip
    part = client.post(f"{API}/vacancies", headers=employer.headers, json=body).get_json()
    try:
        log_in(page, learner_in(gateway, world, "astana"))

        def shown() -> bool:
            page.goto("/learner/jobs?lang=kk")
            page.select_option("select[name=employment_type]", "part")
            page.click("form.filters button[type=submit]")
            return page.locator(f"article.job[data-vacancy='{part['id']}']").count() == 1

        wait_until(shown, timeout=60)
        assert page.locator(f"article.job[data-vacancy='{world.vacancy['id']}']").count() == 0
        assert "Сүзгіге" in page.locator(".considered").inner_text()
        shot(page, "learner-kk-5-jobs-part-time")
        page.goto(f"/learner/courses/{world.course['id']}?lang=kk")
        assert page.locator("h1").inner_text() == world.course["title"]
        assert "Курс нені үйретеді" in page.locator(".course-skills").inner_text()
        shot(page, "learner-kk-6-course")
    finally:
        client.post(f"{API}/vacancies/{part['id']}/close", headers=employer.headers)
