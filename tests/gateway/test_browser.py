"""Each role's main journey in headless Chromium against the gateway under gunicorn."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.world import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(
        "headless Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_gateway: str) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_gateway, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/login?lang=en")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def flash(page: Any) -> str:
    return str(page.locator(".flash:not([data-indexing])").first.inner_text())


def test_learner_sees_jobs_opens_path_enrols_and_applies(page: Any, world: World) -> None:
    learner, vacancy = world["learner3"], world.vacancy
    log_in(page, learner.email)
    assert page.locator("h1").inner_text() == learner.name
    shot(page, "learner-1-profile")
    page.click("text=Jobs for me")
    card = page.locator(f"article.job[data-vacancy='{vacancy['id']}']")
    assert vacancy["title"] in card.inner_text()
    assert world.skills[4]["label"] in card.locator(".chips.gap").inner_text()
    shot(page, "learner-2-jobs")
    card.locator("text=Retraining path").click()
    assert page.locator("h1").inner_text() == "Retraining path"
    step = page.locator("li.step").first
    assert world.course["title"] in step.inner_text()
    assert re.search(r"36 h", step.inner_text())
    shot(page, "learner-3-retraining-path")
    step.locator("button", has_text="Enrol").click()
    assert "enrolled" in flash(page)
    page.goto("/learner/jobs")
    page.locator(f"article.job[data-vacancy='{vacancy['id']}'] button", has_text="Apply").click()
    assert "Application sent" in flash(page)
    rows = page.locator("tr.application").all_inner_texts()
    assert any(vacancy["title"] in row and "applied" in row for row in rows)
    assert any(
        world.course["title"] in row for row in page.locator("tr.enrolment").all_inner_texts()
    )
    shot(page, "learner-4-activity")


def test_employer_posts_with_preview_sees_candidates_and_moves_an_application(
    page: Any, world: World
) -> None:
    employer = world["employer"]
    log_in(page, employer.email)
    page.click("text=Post a vacancy")
    page.fill("input[name=title]", "Machine learning engineer")
    page.fill("textarea[name=description]", "We need machine learning and cloud data storage.")
    page.click("button[value=preview]")
    preview = page.locator("#skill-preview")
    assert preview.locator("input[name=skill]").count() >= 1
    shot(page, "employer-1-skill-preview")
    page.click("button[value=save]")
    assert "Vacancy posted" in flash(page)
    assert page.locator("h1").inner_text() == "Machine learning engineer"
    shot(page, "employer-2-vacancy")
    page.goto(f"/employer/vacancies/{world.vacancy['id']}?lang=en")
    candidates = page.locator("article.candidate")
    assert candidates.count() >= 1
    assert "Required skills they have" in candidates.first.inner_text()
    shot(page, "employer-3-candidates")
    row = page.locator(f"tr.application[data-application='{world.application['id']}']")
    row.locator("button", has_text="interview").click()
    assert "interview" in flash(page)
    row = page.locator(f"tr.application[data-application='{world.application['id']}']")
    assert "interview" in row.locator(".badge").inner_text()
    shot(page, "employer-4-pipeline")


def test_ministry_opens_the_dashboard(page: Any, world: World) -> None:
    log_in(page, world["ministry"].email)
    assert page.url.endswith("/ministry")
    assert page.locator("h1").first.is_visible()
    assert world["learner"].email not in page.content()
    shot(page, "ministry-1-dashboard")
