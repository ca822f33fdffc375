"""A training provider's journey in headless Chromium: add, fix, retire a course; the report."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.gateway.test_browser import chromium, flash, log_in, shot  # noqa: F401
from tests.gateway.world import World

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def tab(chromium: Any, live_gateway: str) -> Iterator[Any]:  # noqa: F811
    """A tab of headless Chromium on the live gateway (a Kazakh-speaking provider)."""
    context = chromium.new_context(base_url=live_gateway, locale="kk-KZ")
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def test_provider_adds_fixes_and_retires_a_course_and_opens_its_report(
    tab: Any, world: World
) -> None:
    log_in(tab, world["provider2"].email)
    assert tab.url.endswith("/provider")
    tab.goto("/provider/courses/new?lang=kk")
    title = f"Python негіздері {uuid.uuid4().hex[:4]}"
    tab.fill("input[name=title]", title)
    tab.fill("textarea[name=description]", "Он екі сабақ.")
    tab.fill("input[name=hours]", "отыз")  # not a number: the form comes back as typed
    tab.fill("textarea[name=skills]", "Python\nSQL")
    tab.click("#course-form button[type=submit]")
    assert "Оқу сағаттары: сан болуы керек" in tab.locator(".flash.error").inner_text()
    assert tab.input_value("input[name=title]") == title
    shot(tab, "provider-kk-0-form-error")
    tab.fill("input[name=hours]", "30")
    tab.click("#course-form button[type=submit]")
    assert "Курс жарияланды." in flash(tab)
    row = tab.locator("tr.course-row", has_text=title)
    assert row.is_visible()
    shot(tab, "provider-kk-1-courses")
    row.locator("button.danger").click()
    assert "қабылдауы тоқтатылды" in flash(tab)
    assert "қабылдау тоқтатылды" in tab.locator("tr.course-row", has_text=title).inner_text()
    tab.goto("/provider/report?lang=ru")
    assert tab.locator("h1").inner_text().startswith("Отчёт о записях")
    assert tab.locator("#report-csv").get_attribute("href").startswith("/provider/report.csv")
    shot(tab, "provider-ru-2-report")
