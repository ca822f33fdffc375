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


def enrol(client: FlaskClient, learner_id: str, course_id: str) -> dict[str, Any]:
    """Enrol through the API and return the enrolment."""
    resp = client.post("/enrolments", json={"learner_id": learner_id, "course_id": course_id})
    assert resp.status_code == 201, resp.get_json()
    data: dict[str, Any] = resp.get_json()
    return data


feed = all_events
