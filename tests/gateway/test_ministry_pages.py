"""The ministry dashboard as a person uses it, and demo hires recorded through the jobs service."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.app import create_app
from services.common.launch import suite
from services.common.launch.live import call
from tests.gateway.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Live,
    close_gateway,
    gateway_settings,
    start_services,
    stop_services,
)
from tests.gateway.test_pages import web_login
from tests.gateway.world import World, sign_in, wait_until

RAW_KEY = re.compile(r">[^<]*\b(?:ministry|vacancy|problem|error|admin|hint|field)\.[a-z_]+")
SHARED = Path(suite.ROOT).parent / "shared" / "data"
RUN = {
    "started_at": "2026-01-05T10:00:00Z", "duration_s": 60, "users": 50, "spawn_rate": 10,
    "requests": 4210, "failures": 3, "rps": 70.2, "p50_ms": 12.0, "p95_ms": 48.0, "p99_ms": 95.0,
}  # fmt: skip


@pytest.fixture
def ministry(gateway: Flask, world: World) -> FlaskClient:
    return web_login(gateway.test_client(), world["ministry"].email)


def test_reversed_dates_are_a_message_naming_the_fields(ministry: FlaskClient) -> None:
    resp = ministry.get("/ministry?lang=ru&from=2025-06-01&to=2025-01-01")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "«Зачислены с» (2025-06-01) позже, чем «по» (2025-01-01)" in html
    # The old answer was "422: the query is not valid"; a bare "422" may be part of a request id.
    assert "422:" not in html and "not valid" not in html
    assert 'value="2025-06-01"' in html  # what was typed stays in the field
    kk = ministry.get("/ministry?lang=kk&from=2025-06-01&to=2025-01-01").get_data(as_text=True)
    assert "«Қабылданған күннен» (2025-06-01)" in kk


def test_provider_filter_ignores_case(ministry: FlaskClient, world: World, gateway: Flask) -> None:
    provider = world.course["provider"]  # "Astana Hub"
    api = gateway.test_client()

    def funnel(name: str) -> dict[str, object]:
        resp = api.get("/api/v1/reports/funnel", query_string={"provider": name},
                       headers=world["ministry"].headers)  # fmt: skip
        assert resp.status_code == 200, resp.get_json()
        return dict(resp.get_json()["funnel"])

    exact = funnel(provider)
    assert exact["enrolled"] != 0  # the world's enrolment is on this provider's course
    assert funnel(provider.lower()) == exact == funnel(provider.upper())
    typed = ministry.get(f"/ministry?lang=en&provider={provider.lower()}").get_data(as_text=True)
    assert "No provider is called" not in typed
    assert f"<td>{provider}</td>" in typed  # the providers table names it as the catalogue does
    nobody = ministry.get("/ministry?lang=en&provider=no-such-school").get_data(as_text=True)
    assert "No provider is called “no-such-school”" in nobody


def test_dashboard_states_populations_fairness_by_region_and_load(ministry: FlaskClient) -> None:
    html = ministry.get("/ministry?lang=ru").get_data(as_text=True)
    assert not RAW_KEY.search(html), RAW_KEY.search(html)
    assert "Совокупность: люди, записавшиеся на курс" in html
    assert "Каждый провайдер считает людей" in html
    assert 'class="fairness-region"' in html and "по регионам" in html
    assert "make load" not in html
    # The skills gap says when its figures were computed (kept from the feeds' last change).
    assert re.search(r"data-as-of>Данные на 20\d\d-\d\d-\d\d \d\d:\d\d UTC, актуальны", html)


def test_the_load_history_shows_each_run_as_russian_writes_numbers(
    live: Live, tmp_path: Path
) -> None:
    # A gateway of its own: other tests (the API fuzz, the admin's load runs) record runs in the
    # shared one, and the dashboard shows only the newest ten.
    app = create_app(gateway_settings(tmp_path, live))
    try:
        client = app.test_client()
        admin = {"Authorization": f"Bearer {sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)}"}
        page = web_login(app.test_client(), ADMIN_EMAIL, ADMIN_PASSWORD)
        assert "Нагрузочных тестов ещё не было." in page.get("/ministry?lang=ru").get_data(
            as_text=True
        )
        posted = client.post("/api/v1/ministry/load-runs", json=RUN, headers=admin)
        assert posted.status_code == 201
        after = page.get("/ministry?lang=ru").get_data(as_text=True)
        # Numbers as Russian writes them (CLDR): a decimal comma, a no-break space between
        # thousands.
        assert "70,2 запросов/с" in after and "ошибок 3 из 4\xa0210" in after
    finally:
        close_gateway(app)


def test_a_recorded_run_with_extreme_figures_never_breaks_the_dashboard(
    live: Live, tmp_path: Path
) -> None:
    # The API fuzz once stored rps=1e308, and every dashboard view then answered 500. A gateway
    # of its own: an extreme run would squash the shared dashboard's load chart.
    app = create_app(gateway_settings(tmp_path, live))
    try:
        client = app.test_client()
        admin = {"Authorization": f"Bearer {sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)}"}
        huge = client.post("/api/v1/ministry/load-runs", json={**RUN, "rps": 1e308}, headers=admin)
        assert huge.status_code == 422 and "rps" in huge.get_data(as_text=True)
        edge = {**RUN, "rps": 10_000_000.0, "requests": 10**12, "p99_ms": 100_000_000.0}
        posted = client.post("/api/v1/ministry/load-runs", json=edge, headers=admin)
        assert posted.status_code == 201
        page = web_login(app.test_client(), ADMIN_EMAIL, ADMIN_PASSWORD).get("/ministry?lang=ru")
        assert page.status_code == 200
    finally:
        close_gateway(app)


def test_format_number_writes_any_float_even_past_decimals_precision() -> None:
    from gateway.i18n.web import format_number

    assert format_number(1e308, 1) == "1.0e+308"


def test_charts_wrap_long_labels_instead_of_clipping_them() -> None:
    from gateway.ministry.charts import Bar, bars, wrap_label

    assert wrap_label("Python (computer programming)") == ["Python (computer", "programming)"]
    label = "Python (computer programming) for data analysis in the public sector"
    lines = wrap_label(label)
    assert len(lines) == 2 and all(len(line) <= 26 for line in lines) and lines[1].endswith("…")
    svg = str(bars([Bar(label, 0.5, "50%")], title="t"))
    assert 'font-size="14"' in svg and svg.count("<tspan") == 2
    assert f"<title>{label}: 50%</title>" in svg  # the whole label on hover


# --- generated hires ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A learner and a jobs service of their own, seeded with real courses and vacancies."""
    if not (SHARED / "jobs").exists() or not (SHARED / "courses").exists():
        pytest.skip(f"no real data in {SHARED}")
    tmp = tmp_path_factory.mktemp("demo-suite")
    extra = {"QABILET_FOLLOW_INTERVAL": "0.2", "LEARNER_WORKERS": "1", "JOBS_WORKERS": "1"}
    names = ("learner", "jobs")
    running = start_services(tmp, names, extra)
    try:
        yield running
    finally:
        stop_services(running, names)


def _run(live: Live, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=suite.ROOT, env=suite.service_env(live.env),
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_demo_hires_go_through_the_jobs_service_and_reach_the_reports(small_suite: Live) -> None:
    learner, jobs = small_suite.urls["learner"], small_suite.urls["jobs"]
    _run(small_suite, "services.learner.courses.importers", "courses", "--data-dir",
         str(SHARED / "courses"), "--limit", "150")  # fmt: skip
    _run(small_suite, "services.jobs.vacancies.importers", "vacancies", "--data-dir",
         str(SHARED / "jobs"), "--limit", "300", "--no-progress")  # fmt: skip
    out = _run(small_suite, "services.learner.demo", "--learners", "150", "--seed", "4", "--hires")
    print(out)  # the demo's own summary: learners, enrolments, applications, hires
    assert "hired" in out, out
    status, hired = call("GET", f"{jobs}/applications?status=hired&limit=200")
    assert status == 200 and hired["total"] >= 5, out
    for application in hired["items"]:
        assert [h["to_status"] for h in application["history"]] == [
            "applied", "interview", "offer", "hired"]  # fmt: skip
        assert "generated by the demo seed" in (application["cover_letter"] or "")
        assert application["salary"] and application["salary"] > 0
    # The learner service learns of each hire from the jobs feed, as it would of a real one.
    total = hired["total"]

    def recorded() -> bool:
        s, funnel = call("GET", f"{learner}/reports/funnel")
        placed = funnel["funnel"]["hired_180d"] if s == 200 else 0
        return isinstance(placed, int) and placed >= min(total, 5)

    wait_until(recorded, timeout=60)
    _s, funnel = call("GET", f"{learner}/reports/funnel")
    assert funnel["funnel"]["median_days_to_hire"] is not None
    assert funnel["funnel"]["median_starting_salary"] is not None
    again = _run(small_suite, "services.learner.demo", "--hires-only")
    assert "already recorded" in again
