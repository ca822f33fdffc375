"""The course importer: parsing rules, the real catalogues, idempotence, skip reasons."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from services.learner.courses import importers
from services.learner.courses.sources import (
    USD_TO_KZT,
    coursera_hours,
    edx_hours,
    split_skills,
    title_language,
)

from .helpers import COURSES_DIR, feed

needs_data = pytest.mark.skipif(
    not (COURSES_DIR / "edx_courses.csv").exists(), reason=f"no catalogues in {COURSES_DIR}"
)

EDX_FIELDS = [
    "title", "summary", "n_enrolled", "course_type", "institution", "instructors", "Level",
    "subject", "language", "subtitles", "course_effort", "course_length", "price",
    "course_description", "course_syllabus", "course_url", "price_USD",
]  # fmt: skip
COURSERA_FIELDS = [
    "Subject", "Title", "Institution", "Learning Product", "Level", "Duration", "Gained Skills",
    "Rate", "Reviews",
]  # fmt: skip


@pytest.mark.parametrize(
    ("effort", "length", "hours"),
    [
        ("2–3 hours per week", "6 Weeks", 15.0),
        ("8–10 hours per week", "12 Weeks", 108.0),
        ("1-2 hours per week", "1 Weeks", 1.5),
        ("4 hours per week", "5 Weeks", 20.0),
        ("a few hours", "6 Weeks", None),
        ("2–3 hours per week", "", None),
    ],
)
def test_edx_hours(effort: str, length: str, hours: float | None) -> None:
    assert edx_hours(effort, length) == hours


@pytest.mark.parametrize(
    ("duration", "hours"),
    [
        ("Less Than 2 Hours", 1.5),
        ("1 - 4 Weeks", 20.0),
        ("1 - 3 Months", 69.5),
        ("3 - 6 Months", 156.4),
        ("Self-paced", None),
    ],
)
def test_coursera_hours(duration: str, hours: float | None) -> None:
    assert coursera_hours(duration) == hours


def test_split_skills_keeps_comma_bearing_names_whole() -> None:
    text = "SQL, Extract, Transform, Load, Law, Regulation, and Compliance, Python Programming, "
    assert split_skills(text) == [
        "SQL",
        "Extract, Transform, Load",
        "Law, Regulation, and Compliance",
        "Python Programming",
    ]


def test_title_language_follows_the_script() -> None:
    assert title_language("Нейронные сети и глубокое обучение") == "ru"
    assert title_language("Қазақ тілі") == "kk"
    assert title_language("Machine Learning") == "en"


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({f: row.get(f, "") for f in fields})


def _edx(**row: str) -> dict[str, str]:
    base = {
        "title": "Data Science: R Basics",
        "summary": "Build a foundation in R.",
        "institution": "Harvard University",
        "Level": "Introductory",
        "subject": "Data Analysis & Statistics",
        "language": "English",
        "course_effort": "1–2 hours per week",
        "course_length": "8 Weeks",
        "price": "FREE-Add a Verified Certificate for $99 USD",
        "course_description": "pending",
        "course_url": "https://www.edx.org/course/data-science-r-basics",
        "price_USD": "99",
    }
    return {**base, **row}


def _coursera(**row: str) -> dict[str, str]:
    base = {
        "Subject": "Data Science",
        "Title": "SQL for Data Science",
        "Institution": "University of California, Davis",
        "Learning Product": "Course",
        "Level": "Beginner",
        "Duration": "1 - 4 Weeks",
        "Gained Skills": "SQL, Data Analysis, Extract, Transform, Load",
    }
    return {**base, **row}


@pytest.fixture
def small_catalogue(tmp_path: Path) -> Path:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    _write(
        folder / "edx_courses.csv",
        EDX_FIELDS,
        [
            _edx(),
            _edx(title="", course_url="https://www.edx.org/course/untitled"),
            _edx(title="Odd", course_url="https://www.edx.org/course/odd", course_effort="varies"),
            _edx(title="Klingon", course_url="https://www.edx.org/course/k", language="Klingon"),
            _edx(title="Paid", course_url="https://www.edx.org/course/paid", price="$150 USD",
                 price_USD="150"),
            _edx(title="Copy", course_url="https://www.edx.org/course/data-science-r-basics"),
        ],
    )  # fmt: skip
    _write(
        folder / "coursera_lms.csv",
        COURSERA_FIELDS,
        [
            _coursera(),
            _coursera(Subject="Business"),
            _coursera(Title=" SQL for  Data Science "),
            _coursera(Title="Guided", Duration="Less Than 2 Hours", Level="Mixed"),
            _coursera(Title="Forever", Duration="Lifetime"),
            _coursera(Title="Нейронные сети", Institution="DeepLearning.AI"),
        ],
    )
    return folder


def test_small_catalogue_import_counts_every_skip_reason(
    client: FlaskClient, small_catalogue: Path
) -> None:
    summary = importers.import_courses(small_catalogue, progress=False)
    assert summary.count("edX", "created") == 2
    assert summary.count("Coursera", "created") == 3
    assert dict(summary.skipped) == {
        ("edX", "missing title"): 1,
        ("edX", "unparseable duration"): 1,
        ("edX", "unknown language"): 1,
        ("edX", "duplicate course url"): 1,
        ("Coursera", "duplicate title (same institution and product)"): 2,
        ("Coursera", "unparseable duration"): 1,
    }
    text = summary.render()
    assert "edX: 6 rows -> 2 created" in text and "unparseable duration" in text


def test_imported_fields_follow_the_documented_rules(
    client: FlaskClient, small_catalogue: Path
) -> None:
    importers.import_courses(small_catalogue, progress=False)
    courses = {c["title"]: c for c in client.get("/courses?limit=50").get_json()["items"]}
    r_basics = courses["Data Science: R Basics"]
    assert (r_basics["hours"], r_basics["level"], r_basics["language"]) == (12.0, "beginner", "en")
    assert (r_basics["price_kzt"], r_basics["certificate_price_kzt"]) == (0, 99 * USD_TO_KZT)
    assert r_basics["external_id"] == "data-science-r-basics"
    assert r_basics["description"] == "Build a foundation in R."
    assert courses["Paid"]["price_kzt"] == 150 * USD_TO_KZT
    sql = courses["SQL for Data Science"]
    assert (sql["provider"], sql["hours"], sql["price_kzt"]) == ("Coursera", 20.0, None)
    assert [s["label"] for s in sql["skills"]] == [
        "SQL",
        "Data Analysis",
        "Extract, Transform, Load",
    ]
    assert all(s["uri"] is None for s in sql["skills"])
    assert (courses["Guided"]["hours"], courses["Guided"]["level"]) == (1.5, "beginner")
    assert courses["Нейронные сети"]["language"] == "ru"


def test_reimport_creates_nothing_updates_changes_and_keeps_mapped_uris(
    client: FlaskClient, small_catalogue: Path
) -> None:
    importers.import_courses(small_catalogue, progress=False)
    sql = client.get("/courses?q=SQL for Data").get_json()["items"][0]
    mapped = [
        {"uri": "http://data.europa.eu/esco/skill/sql", "label": "SQL"},
        *[s for s in sql["skills"] if s["label"] != "SQL"],
    ]
    assert client.patch(f"/courses/{sql['id']}", json={"skills": mapped}).status_code == 200
    events_before = len(feed(client))

    again = importers.import_courses(small_catalogue, progress=False)
    assert again.count("edX", "created") == again.count("Coursera", "created") == 0
    assert again.count("edX", "same") == 2 and again.count("Coursera", "same") == 3
    assert len(feed(client)) == events_before
    assert client.get("/courses").get_json()["total"] == 5

    rows = importers.read_rows(small_catalogue / "edx_courses.csv")
    rows[0]["course_length"] = "10 Weeks"
    _write(small_catalogue / "edx_courses.csv", EDX_FIELDS, rows)
    third = importers.import_courses(small_catalogue, progress=False)
    assert third.count("edX", "updated") == 1 and third.count("edX", "same") == 1
    assert [e["type"] for e in feed(client)[events_before:]] == ["course.updated"]
    sql_now = client.get(f"/courses/{sql['id']}").get_json()
    assert sql_now["skills"][0] == {"uri": "http://data.europa.eu/esco/skill/sql", "label": "SQL"}


@needs_data
def test_real_catalogues_with_limit(client: FlaskClient) -> None:
    summary = importers.import_courses(COURSES_DIR, limit=40, progress=False)
    assert summary.rows == {"edX": 40, "Coursera": 40}
    created = summary.count("edX", "created") + summary.count("Coursera", "created")
    assert summary.count("edX", "created") == 40
    total = client.get("/courses").get_json()["total"]
    assert total == created
    assert sum(e["type"] == "course.created" for e in feed(client)) == created
    cs50 = client.get("/courses?q=CS50's Introduction to Computer Science").get_json()["items"]
    assert len(cs50) == 1 and cs50[0]["provider"] == "edX" and cs50[0]["hours"] > 0
    again = importers.import_courses(COURSES_DIR, limit=40, progress=False)
    assert again.count("edX", "created") + again.count("Coursera", "created") == 0
    assert client.get("/courses").get_json()["total"] == total


@needs_data
def test_full_real_import(client: FlaskClient) -> None:
    summary = importers.import_courses(COURSES_DIR, progress=False)
    assert summary.rows == {"edX": 974, "Coursera": 3404}
    assert summary.count("edX", "created") == 974
    coursera = summary.count("Coursera", "created")
    skipped = sum(summary.skipped.values())
    assert coursera + skipped == 3404 and 2500 < coursera < 3404
    assert client.get("/courses?limit=1").get_json()["total"] == 974 + coursera
    spanish = client.get("/courses?language=es&limit=1").get_json()["total"]
    assert spanish > 100  # edX lists 176 courses taught in Spanish


@needs_data
def test_cli_prints_the_summary(
    client: FlaskClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("QABILET_DATA_DIR", str(tmp_path))
    code = importers.main(["courses", "--data-dir", str(COURSES_DIR.parent), "--limit", "5"])
    assert code == 0
    out = capsys.readouterr().out
    assert "edX: 5 rows -> 5 created" in out and "Coursera: 5 rows" in out
    assert client.get("/courses").get_json()["total"] >= 5


def test_cli_reports_a_missing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QABILET_DATA_DIR", str(tmp_path))
    assert importers.main(["courses", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "not found" in capsys.readouterr().err
