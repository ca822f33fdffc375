"""Retraining funnel and outcomes on a hand-built cohort, through the learner service's HTTP API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask.testing import FlaskClient

from .cohort import EARLY_ENROLLED, ENROLLED, Cohort
from .disclosure import recoverable, small_differences

STAGES = ["enrolled", "completed", "hired_30d", "hired_90d", "hired_180d"]
CHAIN = ["enrolled", "completed", "hired_180d", "hired_90d", "hired_30d"]  # each within the last


def _json(client: FlaskClient, url: str) -> dict:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_funnel_counts_each_person_once_and_hires_after_completion(
    learner: FlaskClient, cohort: Cohort
) -> None:
    report = _json(learner, "/reports/funnel")
    funnel = report["funnel"]
    # 40 people (one on two courses), 30 completed; hires 22 within 180 days of completion, of
    # which 16 within 90 and 10 within 30; late hires, hires before completion and hires of
    # people who never completed do not count.
    assert [funnel[s] for s in STAGES] == [40, 30, 10, 16, 22]
    assert [s["count"] for s in report["stages"]] == [40, 30, 10, 16, 22]
    assert funnel["completion_rate"] == 0.75
    assert funnel["placement_rate_180d"] == round(22 / 30, 4)
    assert funnel["median_days_to_hire"] == 40.0  # the 11th and 12th of 22: 35 and 45
    assert funnel["median_starting_salary"] == 405_000.0


def test_period_filter_counts_enrolments_in_the_period(learner: FlaskClient, cohort) -> None:
    start = (ENROLLED - timedelta(days=1)).date().isoformat()
    funnel = _json(learner, f"/reports/funnel?from={start}")["funnel"]
    # the three early enrolees (completed, hired after 5, 8 and 10 days) drop out
    assert [funnel[s] for s in STAGES] == [37, 27, 7, 13, 19]
    end = EARLY_ENROLLED.date().isoformat()
    early = _json(learner, f"/reports/funnel?to={end}")["funnel"]
    assert [early[s] for s in STAGES] == ["<5"] * 5
    assert early["median_days_to_hire"] is None and early["median_starting_salary"] is None


def test_programme_region_and_provider_filters(learner: FlaskClient, cohort) -> None:
    ai_sana = _json(learner, "/reports/funnel?programme=ai-sana")["funnel"]
    # 20 enrolled; all ten 30-day hires are theirs
    assert (ai_sana["enrolled"], ai_sana["hired_30d"]) == (20, 10)
    both = _json(learner, "/reports/funnel?region=astana&programme=ai-sana")["funnel"]
    assert both["enrolled"] == 20
    edx = _json(learner, "/reports/funnel?provider=edX")["funnel"]
    # 14 of 20 completed, all 14 hired within 90 days; 10 within 30 would leave a group of 4
    # (completed, not hired in 30 days) derivable, so the 30-day figure is hidden
    assert [edx[s] for s in STAGES] == [20, 14, "*", 14, 14]
    nobody = _json(learner, "/reports/funnel?region=abai")["funnel"]
    assert [nobody[s] for s in STAGES] == [0] * 5


def test_bad_filters_are_problems_naming_the_field(learner: FlaskClient) -> None:
    for url, name in [
        ("/reports/funnel?region=atlantis", "query.region"),
        ("/reports/outcomes?programme=harvard", "query.programme"),
        ("/reports/providers?from=yesterday", "query.from"),
    ]:
        resp = learner.get(url)
        assert resp.status_code == 422
        assert name in [e["field"] for e in resp.get_json()["errors"]]
    assert learner.get("/reports/funnel?from=2025-02-01&to=2025-01-01").status_code == 422


def test_outcomes_by_programme_and_region(learner: FlaskClient, cohort) -> None:
    report = _json(learner, "/reports/outcomes")
    programmes = {r["group"]: r for r in report["by_programme"]["rows"]}
    assert programmes["ai-sana"]["enrolled"] == 20
    assert programmes["ai-sana"]["hired_30d"] == 10 or programmes["ai-sana"]["hired_30d"] == "*"
    assert programmes["other"]["enrolled"] == "<5"  # three people
    assert report["by_programme"]["total"]["enrolled"] == 40
    regions = {r["group"]: r for r in report["by_region"]["rows"]}
    assert regions["ulytau"]["enrolled"] == "<5" and regions["ulytau"]["completed"] == "<5"
    assert regions["abai"]["enrolled"] == 0
    assert regions["almaty-city"]["hired_90d"] == "<5"  # two of them within 90 days
    assert report["by_region"]["total"]["hired_180d"] == 22


def test_small_cells_cannot_be_recovered_from_totals(learner: FlaskClient, cohort) -> None:
    report = _json(learner, "/reports/outcomes")
    for dimension in ("by_programme", "by_region"):
        rows, total = report[dimension]["rows"], report[dimension]["total"]
        for stage in STAGES:
            assert recoverable(rows, total[stage], stage) == [], (dimension, stage)
        for row in rows:
            assert small_differences(row, CHAIN) == [], (dimension, row["group"])
            if isinstance(row["enrolled"], str):
                assert row["completion_rate"] is None


def test_filtered_funnel_agrees_with_the_breakdown(learner: FlaskClient, cohort) -> None:
    # otherwise filtering by one region would reveal a cell the breakdown hid
    regions = {r["group"]: r for r in _json(learner, "/reports/outcomes")["by_region"]["rows"]}
    for region in ("astana", "almaty-city", "ulytau"):
        funnel = _json(learner, f"/reports/funnel?region={region}")["funnel"]
        assert [funnel[s] for s in STAGES] == [regions[region][s] for s in STAGES]


def test_providers_ranked_by_placement_rate(learner: FlaskClient, cohort) -> None:
    providers = _json(learner, "/reports/providers")["providers"]
    by_name = {p["provider"]: p for p in providers}
    assert set(by_name) == {"edX", "Coursera", "Astana Hub"}
    edx = by_name["edX"]
    # 20 enrolled, 14 completed, all 14 hired within 90 days
    assert (edx["rank"], edx["enrolled"], edx["completed"], edx["hired_180d"]) == (1, 20, 14, 14)
    assert edx["placement_rate_180d"] == 1.0
    assert by_name["Astana Hub"]["enrolled"] == "<5" and by_name["Astana Hub"]["rank"] is None
    ranks = [p["rank"] for p in providers if p["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))
    rates = [p["placement_rate_180d"] for p in providers if p["rank"] is not None]
    assert rates == sorted(rates, reverse=True)


def test_csv_by_parameter_and_by_accept_header(learner: FlaskClient, cohort) -> None:
    resp = learner.get("/reports/funnel?format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = {r["metric"]: r["value"] for r in csv.DictReader(io.StringIO(resp.get_data(True)))}
    assert rows["enrolled"] == "40" and rows["hired_30d"] == "10"
    resp = learner.get("/reports/outcomes", headers={"Accept": "text/csv"})
    assert resp.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    ulytau = next(r for r in table if r["dimension"] == "region" and r["group"] == "ulytau")
    assert ulytau["enrolled"] == "<5"
    total = next(r for r in table if r["dimension"] == "programme" and r["group"] == "total")
    assert total["enrolled"] == "40"
    resp = learner.get("/reports/providers?format=csv")
    first = next(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert first["provider"] == "edX" and first["rank"] == "1"
    assert "attachment" in resp.headers["Content-Disposition"]


def test_reports_contain_no_personal_data(learner: FlaskClient, cohort: Cohort) -> None:
    texts = []
    for path in ("funnel", "outcomes", "providers"):
        for fmt in ("json", "csv"):
            for query in ("", "&region=ulytau", "&programme=ai-sana"):
                resp = learner.get(f"/reports/{path}?format={fmt}{query}")
                assert resp.status_code == 200
                texts.append(resp.get_data(as_text=True).lower())
    secrets = [*cohort.names, *cohort.emails, *cohort.learner_ids, *cohort.application_ids]
    secrets += [*cohort.enrolment_ids, "testova", "example.kz"]
    for text in texts:
        for secret in secrets:
            assert secret.lower() not in text
