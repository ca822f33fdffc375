"""Generated demo learners: plausible, unique, enrolled through the normal paths, idempotent."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from services.common.reference import REGION_SLUGS
from services.learner.courses import importers
from services.learner.demo import cli, profiles
from services.learner.demo import service as demo
from services.learner.demo.data import KAZAKH_FEMALE, KAZAKH_MALE, RUSSIAN_FEMALE, RUSSIAN_MALE

from .helpers import COURSES_DIR

needs_data = pytest.mark.skipif(
    not (COURSES_DIR / "coursera_lms.csv").exists(), reason=f"no catalogues in {COURSES_DIR}"
)


def _all(client: FlaskClient, path: str) -> list[dict]:
    items: list[dict] = []
    while True:
        page = client.get(f"{path}{'&' if '?' in path else '?'}limit=200&offset={len(items)}")
        items += page.get_json()["items"]
        if len(items) >= page.get_json()["total"]:
            return items


def test_profiles_are_plausible_without_courses(client: FlaskClient) -> None:
    summary = demo.generate(120, seed=7, progress=False)
    assert summary.learners == 120 and summary.enrolments == {}
    learners = _all(client, "/learners")
    assert len(learners) == 120
    emails = [lr["email"] for lr in learners]
    assert len(set(emails)) == 120
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d*@example\.(com|org|net)", e) for e in emails)
    firsts = Counter(lr["name"].split()[0] for lr in learners)
    assert any(f in KAZAKH_FEMALE for f in firsts) and any(f in KAZAKH_MALE for f in firsts)
    assert any(f in RUSSIAN_FEMALE for f in firsts) and any(f in RUSSIAN_MALE for f in firsts)
    assert all(
        re.fullmatch(r"[А-ЯЁӘҒҚҢӨҰҮҺІа-яёәғқңөұүһі]+ [А-ЯЁа-яё-]+", lr["name"]) for lr in learners
    )
    assert {lr["region"] for lr in learners} <= set(REGION_SLUGS)
    assert len({lr["region"] for lr in learners}) >= 10
    programmes = Counter(lr["programme"] for lr in learners)
    assert programmes["ai-sana"] > programmes["tomorrow-school"] > 0 and programmes["other"] > 0
    assert 0.55 < sum(lr["consent"] for lr in learners) / 120 < 0.85
    speakers = Counter(lang["code"] for lr in learners for lang in lr["languages"])
    assert speakers["ru"] == 120 and speakers["kk"] > 0.85 * 120 and 0 < speakers["en"] < 120
    for lr in learners:
        assert lr["desired_occupations"][0]["uri"].startswith(
            "http://data.europa.eu/esco/occupation/"
        )
        assert lr["name"].split()[0] not in lr["cv_text"] and lr["email"] not in lr["cv_text"]
        assert (lr["cohort"] is None) == (lr["programme"] == "other")


def test_same_seed_gives_the_same_learner() -> None:
    first = profiles.Generator(random.Random(11), set()).learner()
    second = profiles.Generator(random.Random(11), set()).learner()
    assert first == second


def test_second_run_adds_nothing_unless_forced(client: FlaskClient) -> None:
    demo.generate(5, seed=1, progress=False)
    again = demo.generate(5, seed=1, progress=False)
    assert again.learners == 0 and "already exist" in again.render()
    assert client.get("/learners").get_json()["total"] == 5
    forced = demo.generate(5, seed=1, force=True, progress=False)
    assert forced.learners == 5
    emails = [lr["email"] for lr in _all(client, "/learners")]
    assert len(emails) == len(set(emails)) == 10


@needs_data
def test_enrolments_use_real_courses_and_completion_brings_skills(client: FlaskClient) -> None:
    importers.import_courses(COURSES_DIR, limit=300, progress=False)
    summary = demo.generate(40, seed=3, progress=False)
    statuses = Counter(e["status"] for e in _all(client, "/enrolments"))
    assert statuses == {
        "completed": summary.enrolments.get("completed", 0),
        "enrolled": summary.enrolments.get("enrolled", 0),
        "dropped": summary.enrolments.get("dropped", 0),
    }
    assert statuses["completed"] > 0 and statuses["enrolled"] > 0 and statuses["dropped"] > 0
    per_learner = Counter(e["learner_id"] for e in _all(client, "/enrolments"))
    assert max(per_learner.values()) <= 4
    courses = {c["id"]: c for c in _all(client, "/courses")}
    checked = 0
    for enrolment in _all(client, "/enrolments?status=completed"):
        course = courses[enrolment["course_id"]]
        assert enrolment["completed_at"] >= enrolment["enrolled_at"]
        if not course["skills"]:
            continue
        learner = client.get(f"/learners/{enrolment['learner_id']}").get_json()
        evidence = {s["evidence"] for s in learner["skills"] if s["source"] == "course"}
        assert f"Completed {course['title']} ({course['provider']})" in evidence
        checked += 1
    assert checked > 0


def test_cli(
    client: FlaskClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("QABILET_DATA_DIR", str(tmp_path))
    assert cli.main(["--learners", "3", "--seed", "2"]) == 0
    assert "created 3 learners" in capsys.readouterr().out
    assert cli.main(["--learners", "3"]) == 0
    assert "nothing added" in capsys.readouterr().out
    assert client.get("/learners").get_json()["total"] == 3
