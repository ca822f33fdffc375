"""Skills gap and fairness reports of the matcher, on hand-built vacancies and learners."""

from __future__ import annotations

import csv
import io
import math
import statistics
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.matcher.factories import SKILL, course, learner, skill, vacancy


def _feed(app: Flask, vacancies: dict, learners: dict, courses: dict | None = None) -> None:
    matcher = app.extensions["matcher"]
    for vid, data in vacancies.items():
        matcher.jobs_client.emit("vacancy.created", vid, {"id": vid, **data})
    for lid, data in learners.items():
        matcher.learner_client.emit("learner.created", lid, {"id": lid, **data})
    for cid, data in (courses or {}).items():
        matcher.learner_client.emit("course.created", cid, {"id": cid, **data})
    app.extensions["matcher_sync"].sync_once()


def _python_sql(region: str = "astana") -> dict:
    return vacancy(
        title="Data analyst",
        region=region,
        skills=[skill("python", essential=True), skill("sql", essential=False)],
    )


def test_skills_gap_counts_demand_supply_gap_and_courses(
    matcher_app: Flask, matcher: FlaskClient
) -> None:
    vacancies = {f"v{i}": _python_sql() for i in range(6)}
    vacancies["v6"] = vacancy(region="shymkent", skills=[skill("python", essential=False)])
    vacancies["v7"] = vacancy(status="closed", skills=[skill("excel", essential=True)])
    learners = {f"l{i}": learner(skills=[skill("python")]) for i in range(7)}
    learners.update({f"s{i}": learner(skills=[skill("sql")]) for i in range(2)})
    courses = {
        "c1": course(title="SQL in a week", hours=20, skills=[skill("sql")]),
        "c2": course(title="SQL deep dive", hours=60, skills=[skill("sql")]),
    }
    _feed(matcher_app, vacancies, learners, courses)

    report = matcher.get("/reports/skills-gap").get_json()
    assert report["open_vacancies"] == 7  # the closed one does not count
    rows = {r["skill"]: r for r in report["skills"]}
    assert [r["skill"] for r in report["skills"]] == [SKILL + "python", SKILL + "sql"]
    python, sql = rows[SKILL + "python"], rows[SKILL + "sql"]
    assert (python["vacancies"], python["share_essential"]) == (7, round(6 / 7, 4))
    assert (python["learners"], python["gap"]) == (7, 0)
    assert (sql["vacancies"], sql["share_essential"]) == (6, 0.0)
    # two learners hold SQL: too few to publish, and so is the gap that would reveal it
    assert (sql["learners"], sql["gap"]) == ("<5", None)
    assert [c["title"] for c in sql["courses"]] == ["SQL in a week", "SQL deep dive"]
    assert SKILL + "excel" not in rows

    shymkent = matcher.get("/reports/skills-gap?region=shymkent").get_json()
    assert shymkent["open_vacancies"] == 1
    assert [(r["skill"], r["vacancies"], r["learners"]) for r in shymkent["skills"]] == [
        (SKILL + "python", 1, 0)
    ]
    assert len(matcher.get("/reports/skills-gap?top=1").get_json()["skills"]) == 1
    resp = matcher.get("/reports/skills-gap?format=csv")
    table = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert resp.mimetype == "text/csv" and table[1]["learners"] == "<5"
    assert matcher.get("/reports/skills-gap?region=mars").status_code == 422


def _biased(matcher_app: Flask) -> tuple[list[str], list[str]]:
    """Russian speakers in Astana match the vacancies; Kazakh-only rural learners do not."""
    vacancies = {
        f"v{i}": vacancy(
            title="Data analyst",
            description="Python and SQL for reporting.",
            region=["astana", "almaty-city", "turkistan"][i % 3],
            skills=[skill("python", essential=True), skill("sql", essential=True)],
        )
        for i in range(12)
    }
    ru = [f"ru{i}" for i in range(6)]
    kk = [f"kk{i}" for i in range(6)]
    learners = {
        lid: learner(
            region="astana",
            languages=[{"code": "ru", "level": "native"}],
            skills=[skill("python"), skill("sql")],
            cv_text="Data analyst: Python and SQL for reporting.",
        )
        for lid in ru
    }
    learners.update(
        {
            lid: learner(
                region="turkistan",
                languages=[{"code": "kk", "level": "native"}],
                skills=[skill("sheep-farming"), skill("tractor-driving")],
                cv_text="Қой шаруашылығы, трактор жүргізу.",
            )
            for lid in kk
        }
    )
    _feed(matcher_app, vacancies, learners)
    return ru, kk


def _by_hand(matcher: FlaskClient, ids: list[str], threshold: float) -> dict[str, float]:
    """Average the metrics of the learners' own top-10 recommendations, computed here."""
    per = []
    for lid in ids:
        items = matcher.get(f"/learners/{lid}/recommendations/jobs?limit=10").get_json()["items"]
        scores = [i["score"]["total"] for i in items]
        per.append(
            {
                "mean_top10_score": statistics.fmean(scores) if scores else 0.0,
                "above_threshold": sum(s >= threshold for s in scores),
                "exposure": sum(s / math.log2(k + 2) for k, s in enumerate(scores)),
            }
        )
    return {m: statistics.fmean(p[m] for p in per) for m in per[0]}


def test_fairness_shows_kazakh_speaking_rural_learners_get_worse_recommendations(
    matcher_app: Flask, matcher: FlaskClient
) -> None:
    ru, kk = _biased(matcher_app)
    report = matcher.get("/reports/fairness?sample=100&threshold=0.5").get_json()
    assert report["sample"] == 12
    ru_hand, kk_hand = _by_hand(matcher, ru, 0.5), _by_hand(matcher, kk, 0.5)
    assert kk_hand["mean_top10_score"] < ru_hand["mean_top10_score"]
    languages = {g["group"]: g for g in report["by_language"]["groups"]}
    areas = {g["group"]: g for g in report["by_area"]["groups"]}
    regions = {g["group"]: g for g in report["by_region"]["groups"]}
    for metric in ("mean_top10_score", "above_threshold", "exposure"):
        assert languages["ru"][metric] == round(ru_hand[metric], 4)
        assert languages["kk"][metric] == round(kk_hand[metric], 4)
        assert areas["urban"][metric] == languages["ru"][metric]  # Astana is a city
        assert areas["oblast"][metric] == languages["kk"][metric]  # Turkistan is an oblast
        assert regions["turkistan"][metric] == languages["kk"][metric]
        low, high = sorted([round(ru_hand[metric], 4), round(kk_hand[metric], 4)])
        expected = round(low / high, 4) if high else None
        assert report["by_language"]["disparity_ratio"][metric] == expected
    assert report["by_language"]["disparity_ratio"]["mean_top10_score"] < 1.0
    assert languages["ru"]["learners"] == 6


def test_fairness_sampling_is_deterministic_and_small_groups_are_hidden(
    matcher_app: Flask, matcher: FlaskClient
) -> None:
    _biased(matcher_app)
    first = matcher.get("/reports/fairness?sample=7&seed=3").get_json()
    again = matcher.get("/reports/fairness?sample=7&seed=3").get_json()
    assert first == again and first["sample"] == 7
    # 7 of 12 split between two languages: one group has fewer than 5 and shows no means
    groups = first["by_language"]["groups"]
    small = [g for g in groups if g["learners"] == "<5"]
    assert small and all(g["mean_top10_score"] is None for g in small)
    assert first["by_language"]["disparity_ratio"]["mean_top10_score"] is None
    resp = matcher.get("/reports/fairness?sample=12&format=csv")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert {"language", "area", "region"} <= {r["dimension"] for r in rows}


def test_skills_gap_is_current_after_every_change_in_a_small_world(
    matcher_app: Flask, matcher: FlaskClient
) -> None:
    _feed(matcher_app, {"v1": _python_sql()}, {}, {})
    first = matcher.get("/reports/skills-gap").get_json()
    assert first["open_vacancies"] == 1 and first["as_of"]["current"] is True
    again = matcher.get("/reports/skills-gap").get_json()  # nothing changed: the same figures
    assert again == first
    _feed(matcher_app, {"v2": _python_sql()}, {}, {})
    later = matcher.get("/reports/skills-gap").get_json()
    assert later["open_vacancies"] == 2 and later["as_of"]["current"] is True


def test_a_slow_report_is_served_from_its_last_figures_while_a_new_one_runs() -> None:
    from types import SimpleNamespace

    from services.matcher.recommend.report_cache import ReportCache

    index = SimpleNamespace(changes=0)
    m: Any = SimpleNamespace(vacancies=index, learners=SimpleNamespace(changes=0), courses=index)
    calls: list[int] = []

    def compute() -> dict[str, Any]:
        calls.append(index.changes)
        return {"open_vacancies": index.changes}

    cache = ReportCache(slow=0.0, max_age=60.0)  # every computation counts as slow
    assert cache.get("gap", m, compute)["open_vacancies"] == 0
    index.changes = 5
    stale = cache.get("gap", m, compute)  # changed: the last figures, said to be behind
    assert stale["open_vacancies"] == 0 and stale["as_of"]["current"] is False
    assert cache.wait_idle()
    fresh = cache.get("gap", m, compute)
    assert fresh["open_vacancies"] == 5 and fresh["as_of"]["current"] is True
    assert calls == [0, 5]
    old = ReportCache(slow=0.0, max_age=0.0)  # too old to serve: the request computes
    old.get("gap", m, compute)
    index.changes = 6
    assert old.get("gap", m, compute)["as_of"]["current"] is True and calls[-1] == 6
