"""Employer, ministry, admin and error-page journeys in headless Chromium (kk and ru pages)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.gateway.test_browser import chromium, flash, log_in, shot  # noqa: F401
from tests.gateway.world import PASSWORD, World, valid_bin

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def tab(chromium: Any, live_gateway: str) -> Iterator[Any]:  # noqa: F811
    """A tab of headless Chromium on the live gateway."""
    context = chromium.new_context(base_url=live_gateway, locale="ru-RU")
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def fits_width(tab: Any) -> bool:
    """Say whether the tab has no horizontal scroll (nothing overflows the viewport)."""
    return bool(
        tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    )


def test_employer_fixes_a_bin_error_posts_with_an_added_skill_and_edits(
    tab: Any,
    world: World,
) -> None:
    tab.goto("/register?role=employer&lang=ru")
    good = valid_bin(uuid.uuid4().int % 10**11)
    tab.fill("input[name=email]", f"hr-{uuid.uuid4().hex[:8]}@example.kz")
    tab.fill("input[name=password]", PASSWORD)
    tab.fill("input[name=name]", "ТОО «Дала Дата»")
    tab.fill("input[name=bin]", good[:11] + str((int(good[11]) + 1) % 10))
    tab.fill("input[name=sector]", "ИТ")
    tab.click("form.stack button[type=submit]")
    assert "БИН: контрольная цифра не совпадает" in tab.locator(".flash.error").inner_text()
    shot(tab, "employer-ru-0-bin-error")

    log_in(tab, world["employer"].email)
    tab.goto("/employer/vacancies/new?lang=ru")
    tab.fill("input[name=title]", "Инженер данных")
    tab.fill("textarea[name=description]", "Строим конвейеры данных на Python и SQL в облаке.")
    tab.click("button[value=preview]")
    wanted = world.skills[7]
    # The ru page names the skill as the vocabulary does in Russian, where it has a name.
    names = tab.request.get("/api/v1/labels?lang=ru").json()["labels"]
    shown = names.get(wanted["uri"], wanted["label"])
    tab.fill("input[name=skill_q]", wanted["label"])
    tab.click("button[value=search]")
    found = tab.locator(f"#skill-search input[name=skill][value^='{wanted['uri']}|']")
    found.check()
    shot(tab, "employer-ru-1-preview-with-search")
    tab.click("button[value=save]")
    assert "Вакансия опубликована" in flash(tab)
    assert shown in tab.locator(".essential-skills").inner_text()
    meta = tab.locator(".vacancy-meta").inner_text()
    assert "зарплата не указана" in meta and "· ·" not in meta
    shot(tab, "employer-ru-2-vacancy")
    tab.goto(tab.url + "/edit?lang=kk")
    assert tab.locator("h1").inner_text() == "Бос орынды өзгерту"
    tab.fill("input[name=salary_min]", "400000")
    shot(tab, "employer-kk-3-edit")
    tab.click("button[value=save]")
    assert "Бос орын жаңартылды" in flash(tab)
    assert "400 000 ₸" in tab.locator(".vacancy-meta").inner_text()
    tab.click(
        "button:has-text('Бос орынды жабу')"
    )  # closed again: learners' lists stay the world's
    assert "жабық" in tab.locator(".vacancy-meta").inner_text()


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_ministry_dashboard_reads_well_at_1280_and_on_a_phone(
    tab: Any,
    world: World,
    lang: str,
) -> None:
    log_in(tab, world["ministry"].email)
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto(f"/ministry?lang={lang}&from=2026-06-01&to=2026-01-01")
    assert tab.locator(".filter-note").count() == 1
    assert "make load" not in tab.content()
    assert fits_width(tab)
    shot(tab, f"ministry-{lang}-1-dashboard-1280")
    tab.set_viewport_size(PHONE)
    tab.goto(f"/ministry?lang={lang}")
    assert fits_width(tab), "a table or chart overflows the phone's width"
    shot(tab, f"ministry-{lang}-2-dashboard-phone")


def test_admin_creates_a_ministry_account_from_the_page(
    tab: Any,
    world: World,
) -> None:
    log_in(tab, ADMIN_EMAIL, ADMIN_PASSWORD)
    tab.goto("/admin/accounts/new?lang=kk")
    email = f"analyst-{uuid.uuid4().hex[:8]}@gov.example.kz"
    tab.select_option("select[name=role]", "ministry")
    tab.fill("input[name=email]", email)
    tab.fill("input[name=password]", "short")
    shot(tab, "admin-kk-1-new-account")
    tab.fill("input[name=password]", "analyst-pass-1")
    tab.click("#new-account button[type=submit]")
    assert "Есептік жазба ашылды" in flash(tab)
    assert tab.locator(f"tr.account-row[data-email='{email}']").count() == 1
    shot(tab, "admin-kk-2-accounts")


def test_error_pages_speak_the_page_language_and_keep_a_long_cv(
    tab: Any,
    world: World,
) -> None:
    missing = tab.goto("/no/such/tab?lang=ru")
    assert missing is not None and missing.status == 404
    assert tab.locator("h1").inner_text() == "Не найдено"
    shot(tab, "errors-ru-1-not-found")
    tab.goto("/register?role=learner&lang=kk")
    cv = "Деректерді талдау, SQL және Python бойынша тәжірибем бар. " * 1200
    tab.fill("input[name=email]", f"l-{uuid.uuid4().hex[:8]}@example.kz")
    tab.fill("input[name=password]", PASSWORD)
    tab.fill("input[name=name]", "Айгерим Садықова")
    tab.fill("textarea[name=cv_text]", cv)
    tab.click("form.stack button[type=submit]")
    assert tab.locator("h1").inner_text() == "Есептік жазба ашу"
    assert tab.input_value("textarea[name=cv_text]") == cv
    assert "ең көбі 20 000" in tab.locator(".flash.error").inner_text()
    shot(tab, "errors-kk-2-too-large-cv")


def test_admin_starts_a_bounded_load_run_and_watches_it_reach_the_history(
    tab: Any,
    world: World,
) -> None:
    log_in(tab, ADMIN_EMAIL, ADMIN_PASSWORD)
    tab.goto("/admin/load?lang=ru")
    before = tab.locator("tr.load-row").count()
    tab.fill("input[name=users]", "60")
    tab.fill("input[name=seconds]", "5")
    tab.evaluate("document.querySelector('#load-form').noValidate = true")
    tab.click("#load-form button[type=submit]")
    assert "Пользователей: укажите число от 1 до 50." in tab.locator(".flash.error").inner_text()
    assert "Подтвердите запуск галочкой." in tab.locator(".flash.error").inner_text()
    tab.fill("input[name=users]", "2")
    tab.check("input[name=confirm]")
    tab.click("#load-form button[type=submit]")
    assert "Прогон запущен: 2 польз., 5 с." in flash(tab)
    assert "Идёт прогон" in tab.locator(".load-state").inner_text()
    shot(tab, "admin-ru-3-load-running")
    # The page polls and reloads itself when the run ends; the run creates its accounts first.
    tab.wait_for_selector("#load-run[data-running='false']", timeout=300_000)
    state = tab.locator(".load-state").inner_text()
    assert "Прогон завершён" in state, (state, tab.locator(".load-log").inner_text()[-2000:])
    assert tab.locator("tr.load-row").count() == min(before + 1, 10)
    assert tab.locator("tr.load-row").first.locator("td").nth(1).inner_text() == "2"
    shot(tab, "admin-ru-4-load-done")
