"""The ministry dashboard and the load-run history, through the gateway."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask.testing import FlaskClient

from .cohort import Cohort
from .conftest import ADMIN

RUN = {
    "run_id": "t1",
    "started_at": "2026-01-05T10:00:00Z",
    "duration_s": 60,
    "users": 50,
    "spawn_rate": 10,
    "target": "http://127.0.0.1:8000",
    "requests": 4210,
    "failures": 0,
    "rps": 70.2,
    "p50_ms": 12.0,
    "p95_ms": 48.0,
    "p99_ms": 95.0,
    "endpoints": [
        {"method": "GET", "name": "/api/v1/courses", "requests": 400, "failures": 0,
         "rps": 6.7, "p50_ms": 9.0, "p95_ms": 30.0, "p99_ms": 41.0},
    ],
}  # fmt: skip


def _token(gateway: FlaskClient, email: str, password: str) -> str:
    resp = gateway.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert resp.status_code == 200, resp.get_json()
    return str(resp.get_json()["access_token"])


def _ministry(gateway: FlaskClient, admin: str) -> str:
    body = {"email": "analyst@ministry.test", "password": "analyst-pass-1", "role": "ministry"}
    resp = gateway.post("/api/v1/accounts", json=body, headers={"Authorization": f"Bearer {admin}"})
    assert resp.status_code == 201, resp.get_json()
    return _token(gateway, "analyst@ministry.test", "analyst-pass-1")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_load_runs_are_recorded_by_admin_and_listed_for_the_ministry(gateway) -> None:
    admin = _token(gateway, *ADMIN)
    ministry = _ministry(gateway, admin)
    assert gateway.post("/api/v1/ministry/load-runs", json=RUN).status_code == 401
    assert (
        gateway.post("/api/v1/ministry/load-runs", json=RUN, headers=_bearer(ministry)).status_code
        == 403
    )
    bad = gateway.post(
        "/api/v1/ministry/load-runs", json={**RUN, "requests": "many"}, headers=_bearer(admin)
    )
    assert bad.status_code == 422
    made = gateway.post("/api/v1/ministry/load-runs", json=RUN, headers=_bearer(admin))
    assert made.status_code == 201
    later = {**RUN, "run_id": "t2", "started_at": "2026-02-01T10:00:00Z", "rps": 80.5}
    gateway.post("/api/v1/ministry/load-runs", json=later, headers=_bearer(admin))
    page = gateway.get("/api/v1/ministry/load-runs", headers=_bearer(ministry)).get_json()
    assert page["total"] == 2
    assert [r["run_id"] for r in page["items"]] == ["t2", "t1"]
    assert page["items"][1]["p95_ms"] == 48.0
    assert page["items"][1]["endpoints"][0]["name"] == "/api/v1/courses"


def _page(gateway: FlaskClient, token: str, query: str = "") -> str:
    gateway.set_cookie("qabilet_session", token)
    resp = gateway.get("/ministry" + query)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    return resp.get_data(as_text=True)


def _feed_matcher(matcher: FlaskClient) -> None:
    from tests.matcher.factories import learner, skill, vacancy

    app: Any = matcher.application
    m = app.extensions["matcher"]
    for i in range(6):
        body = vacancy(title="Data analyst", skills=[skill("python", essential=True)])
        m.jobs_client.emit("vacancy.created", f"v{i}", {"id": f"v{i}", **body})
    for i in range(6):
        body = learner(skills=[skill("python")], languages=[{"code": "kk", "level": "native"}])
        m.learner_client.emit("learner.created", f"l{i}", {"id": f"l{i}", **body})
    app.extensions["matcher_sync"].sync_once()


def test_dashboard_shows_every_report_with_charts_filters_and_csv(
    gateway: FlaskClient, cohort: Cohort, matcher: FlaskClient
) -> None:
    _feed_matcher(matcher)
    admin = _token(gateway, *ADMIN)
    gateway.post("/api/v1/ministry/load-runs", json=RUN, headers=_bearer(admin))
    ministry = _ministry(gateway, admin)
    html = _page(gateway, ministry, "?lang=en")
    for section in ("funnel", "providers", "outcomes", "skills", "fairness", "load"):
        assert f'id="{section}"' in html
    assert html.count("<svg") >= 6
    assert "Retraining funnel" in html and "Disparity ratio" in html
    assert "405,000" in html  # the cohort's median starting salary, as English writes it
    assert "edX" in html and "<5" in html.replace("&lt;", "<")
    assert "70.2" in html and "4,210" in html  # the recorded load run
    for secret in [*cohort.names, *cohort.emails, *cohort.learner_ids]:
        assert secret not in html
    assert "Панель министерства" in _page(gateway, ministry, "?lang=ru")
    kk = _page(gateway, ministry, "?lang=kk")
    assert "Министрлік тақтасы" in kk and "Қайта даярлау шұңқыры" in kk
    filtered = _page(gateway, ministry, "?lang=en&region=ulytau&programme=other")
    assert 'value="ulytau" selected' in filtered


def test_dashboard_csv_download_and_roles(gateway: FlaskClient, cohort: Cohort) -> None:
    admin = _token(gateway, *ADMIN)
    ministry = _ministry(gateway, admin)
    gateway.set_cookie("qabilet_session", ministry)
    resp = gateway.get("/ministry/reports/funnel.csv?programme=ai-sana")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = {r["metric"]: r["value"] for r in csv.DictReader(io.StringIO(resp.get_data(True)))}
    assert rows["enrolled"] == "20"
    assert gateway.get("/ministry/reports/people.csv").status_code == 404
    gateway.delete_cookie("qabilet_session")
    assert gateway.get("/ministry").status_code == 302  # to sign in
    api = gateway.get("/api/v1/reports/funnel", headers=_bearer(ministry))
    assert api.status_code == 200 and api.get_json()["funnel"]["enrolled"] == 40
