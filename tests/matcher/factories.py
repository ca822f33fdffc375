"""Event payloads shaped like the jobs and learner services' feeds."""

from __future__ import annotations

from typing import Any

SKILL = "http://data.europa.eu/esco/skill/"


def skill(name: str, *, essential: bool | None = None, label: str | None = None) -> dict[str, Any]:
    """Return a skill entry with a made-up ESCO-style URI."""
    out: dict[str, Any] = {"uri": SKILL + name, "label": label or name.replace("-", " ")}
    if essential is not None:
        out["essential"] = essential
    return out


def vacancy(**fields: Any) -> dict[str, Any]:
    """Return a vacancy as the jobs feed sends it."""
    data: dict[str, Any] = {
        "status": "open",
        "employer_id": "e1",
        "title": "Python developer",
        "description": "Build data services.",
        "requirements": "",
        "skills": [],
        "region": "astana",
        "remote": False,
        "salary_min": None,
        "salary_max": None,
        "languages": [{"code": "ru", "level": "B2"}],
        "professional_role": None,
    }
    data.update(fields)
    return data


def learner(**fields: Any) -> dict[str, Any]:
    """Return a learner as the learner feed sends it (no name, no e-mail)."""
    data: dict[str, Any] = {
        "region": "astana",
        "programme": "ai-sana",
        "languages": [{"code": "ru", "level": "C1"}],
        "skills": [],
        "rejected_skills": [],
        "desired_occupations": [],
        "cv_text": "",
        "consent": True,
    }
    data.update(fields)
    return data


def course(**fields: Any) -> dict[str, Any]:
    """Return a course as the learner feed sends it."""
    data: dict[str, Any] = {
        "provider": "AI-Sana",
        "title": "A course",
        "description": "",
        "language": "ru",
        "hours": 10,
        "skills": [],
        "prerequisites": [],
    }
    data.update(fields)
    return data
