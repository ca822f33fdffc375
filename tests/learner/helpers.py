"""Builders and readers shared by the learner service tests."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.support.client import all_events
from tests.support.client import field_names as field_names

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("QABILET_SHARED_DATA", ROOT.parent / "shared" / "data"))
COURSES_DIR = SHARED_DATA / "courses"
SKILL = "http://data.europa.eu/esco/skill/"

_emails = itertools.count(1)


def learner_payload(**overrides: Any) -> dict[str, Any]:
    """Return a valid learner body; every call has a fresh email."""
    body: dict[str, Any] = {
        "name": "Айгерим Сапарова",
        "email": f"aigerim.saparova{next(_emails)}@example.com",
        "region": "astana",
        "programme": "ai-sana",
        "cohort": "2025-autumn",
        "languages": [{"code": "kk", "level": "native"}, {"code": "ru", "level": "C1"}],
        "desired_occupations": [{"title": "data analyst"}],
        "cv_text": "Three years as a bank clerk; learning SQL and Python.",
        "consent": True,
    }
    body.update(overrides)
    return body


def course_payload(**overrides: Any) -> dict[str, Any]:
    """Return a valid course body."""
    body: dict[str, Any] = {
        "provider": "AI-Sana",
        "title": "Python for data analysis",
        "description": "Pandas, SQL and charts for beginners.",
        "language": "ru",
        "hours": 40,
        "level": "beginner",
        "price_kzt": 0,
        "state_funded": True,
        "skills": [
            {"uri": SKILL + "python", "label": "Python (computer programming)"},
            {"label": "data visualisation"},
        ],
    }
    body.update(overrides)
    return body


def create_learner(client: FlaskClient, **overrides: Any) -> dict[str, Any]:
    """Create a learner through the API and return it."""
    resp = client.post("/learners", json=learner_payload(**overrides))
    assert resp.status_code == 201, resp.get_json()
    data: dict[str, Any] = resp.get_json()
    return data


def create_course(client: FlaskClient, **overrides: Any) -> dict[str, Any]:
    """Create a course through the API and return it."""
    resp = client.post("/courses", json=course_payload(**overrides))
    assert resp.status_code == 201, resp.get_json()
    data: dict[str, Any] = resp.get_json()
    return data


def hire_event(
    learner_id: str, application_id: str, *, seq: int = 1, **data: Any
) -> dict[str, Any]:
    """Return an ``application.hired`` event of the jobs feed, hired on day ``seq`` of 2025-09."""
    body: dict[str, Any] = {
        "application_id": application_id,
        "learner_id": learner_id,
        "vacancy_id": "66aa00000000000000000001",
        "employer_id": "66bb00000000000000000001",
        "employer_name": "Kazakhtelecom",
        "vacancy_title": "Junior data analyst",
        "region": "astana",
        "salary": 380_000,
        "hired_at": f"2025-09-{seq:02d}T08:00:00Z",
        **data,
    }
    return {"seq": seq, "type": "application.hired", "id": application_id, "at": "", "data": body}


class FakeJobsFeed:
    """A jobs feed of hand-built events, served in pages like GET /changes."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events

    def fetch(self, after: int, limit: int) -> dict[str, Any]:
        """Return the page of events after ``after``, as the jobs service would."""
        page = [e for e in self.events if e["seq"] > after][:limit]
        latest = self.events[-1]["seq"] if self.events else 0
        return {"events": page, "next": page[-1]["seq"] if page else after, "latest": latest}


def enrol(client: FlaskClient, learner_id: str, course_id: str) -> dict[str, Any]:
    """Enrol through the API and return the enrolment."""
    resp = client.post("/enrolments", json={"learner_id": learner_id, "course_id": course_id})
    assert resp.status_code == 201, resp.get_json()
    data: dict[str, Any] = resp.get_json()
    return data


feed = all_events
