"""In headless Chromium: an invitation in Kazakh (invite, see, decline), a CSV upload in Russian."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.gateway.test_browser import chromium, log_in, shot  # noqa: F401
from tests.gateway.test_pages_invitations import _candidate_vacancy
from tests.gateway.world import API, World, learner_profile, make_provider, ok

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def tabs(chromium: Any, live_gateway: str) -> Iterator[Any]:  # noqa: F811
    """Open tabs, each in its own browser context (its own cookies), closed at the end."""
    contexts: list[Any] = []

    def open_tab(locale: str) -> Any:
        context = chromium.new_context(base_url=live_gateway, locale=locale)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def test_employer_invites_in_kazakh_and_the_learner_declines(
    tabs: Any, gateway: Flask, world: World
) -> None:
    learner, vacancy = _candidate_vacancy(gateway.test_client(), world)
    employer = tabs("kk-KZ")
    log_in(employer, world["employer"].email)
    employer.goto(f"/employer/vacancies/{vacancy['id']}?lang=kk")
    card = employer.locator(f"[data-invite-learner='{learner.learner_id}']")
    assert "1 000" in card.locator(".length-hint").inner_text()
    card.locator("textarea[name=message]").fill("Сәлеметсіз бе! Өтінім беріңіз.")
    shot(employer, "invitations-kk-1-invite")
    card.locator("button[type=submit]").click()
    assert "Шақыру жіберілді." in employer.locator(".flash.ok").inner_text()
    row = employer.locator(f"#invitations tr.invitation[data-learner='{learner.learner_id}']")
    assert "шақырылды" in row.inner_text()
    shot(employer, "invitations-kk-2-sent")

    tab = tabs("kk-KZ")
    log_in(tab, learner.email)
    tab.goto("/learner?lang=kk")
    tab.click("nav.main-nav >> text=Шақырулар")
    mine = tab.locator("tr.invitation", has_text=vacancy["title"])
    assert "DataSoft LLP" in mine.inner_text() and "Өтінім беріңіз" in mine.inner_text()
    shot(tab, "invitations-kk-3-learner")
    mine.locator("button.decline").click()
    assert "Шақырудан бас тарттыңыз." in tab.locator(".flash.ok").inner_text()
    assert "бас тартылды" in tab.locator("tr.invitation", has_text=vacancy["title"]).inner_text()
    shot(tab, "invitations-kk-4-declined")

    employer.reload()
    row = employer.locator(f"#invitations tr.invitation[data-learner='{learner.learner_id}']")
    assert "бас тартылды" in row.inner_text()
    shot(employer, "invitations-kk-5-employer-sees-declined")


def test_provider_uploads_a_csv_in_russian_and_reads_the_report(
    tabs: Any, gateway: Flask, world: World
) -> None:
    client = gateway.test_client()
    digits = str(uuid.uuid4().int)[:8]
    provider = make_provider(client, world["admin"], f"{digits}@up.kz", f"Білім {digits}")
    course = ok(
        client.post(
            f"{API}/courses",
            headers=provider.headers,
            json={"title": "Анализ данных", "language": "ru", "hours": 20, "level": "beginner"},
        ),
        201,
    )
    email = f"{digits}@upload.kz"
    profile = {**learner_profile("Слушатель", [], consent=True), "email": email}
    ok(client.post(f"{API}/learners", headers=world["admin"].headers, json=profile), 201)
    text = (
        "learner_email,course_id,action,date,grade\n"
        f"{email},{course['id']},enrol,2025-09-01,\n"
        f"{email},{course['id']},complete,2025-12-01,150\n"
    )
    tab = tabs("ru-RU")
    log_in(tab, provider.email)
    tab.goto("/provider?lang=ru")
    tab.click("#upload-link")
    assert tab.locator("h1").inner_text() == "Загрузка записей (CSV)"
    shot(tab, "provider-upload-ru-1-form")
    files = {"name": "rows.csv", "mimeType": "text/csv", "buffer": text.encode()}
    tab.set_input_files("input[name=file]", files)
    tab.click("#upload-form button[type=submit]")
    report = tab.locator("#upload-report")
    assert report.locator("[data-total=applied]").inner_text() == "1"
    assert report.locator("[data-total=rejected]").inner_text() == "1"
    bad = report.locator("tr.upload-row.error")
    assert "число от 0 до 100" in bad.inner_text() and "Оценка" in bad.inner_text()
    shot(tab, "provider-upload-ru-2-report")
    png = {
        "name": "photo.png",
        "mimeType": "image/png",
        "buffer": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
    }
    tab.set_input_files("input[name=file]", png)
    tab.click("#upload-form button[type=submit]")
    assert "Это не файл CSV" in tab.locator(".flash.error").inner_text()
    assert tab.locator("#upload-form").is_visible()
    shot(tab, "provider-upload-ru-3-not-csv")
