"""The demo's training providers: their courses, and completions reported by their accounts."""

from __future__ import annotations

from collections import Counter

import pytest
from flask.testing import FlaskClient

from services.learner.courses import importers
from services.learner.demo import service as demo
from services.learner.demo.providers import PROVIDERS

from .helpers import COURSES_DIR

needs_data = pytest.mark.skipif(
    not (COURSES_DIR / "coursera_lms.csv").exists(), reason=f"no catalogues in {COURSES_DIR}"
)
REPORTERS = {p.name: f"provider:acct-{i}" for i, p in enumerate(PROVIDERS)}


def _all(client: FlaskClient, path: str) -> list[dict]:
    items: list[dict] = []
    while True:
        page = client.get(f"{path}{'&' if '?' in path else '?'}limit=200&offset={len(items)}")
        items += page.get_json()["items"]
        if len(items) >= page.get_json()["total"]:
            return items


@needs_data
def test_provider_courses_carry_the_providers_completions(client: FlaskClient) -> None:
    importers.import_courses(COURSES_DIR, limit=100, progress=False)
    summary = demo.generate(60, seed=5, progress=False, reporters=REPORTERS)
    by_key = {provider_key: name for name, provider_key in (
        ("AI-Sana", "ai-sana"), ("Tomorrow School", "tomorrow-school"),
        ("University of Michigan", "university-of-michigan"),
    )}  # fmt: skip
    courses = {c["id"]: c for c in _all(client, "/courses")}
    for key in by_key:
        own = client.get(f"/providers/{key}/courses").get_json()
        assert own["total"] == 3, key
    completed = _all(client, "/enrolments?status=completed")
    reporters = Counter(e["reported_by"] for e in completed)
    for enrolment in completed:
        key = courses[enrolment["course_id"]]["provider_key"]
        expected = REPORTERS[by_key[key]] if key in by_key else None
        assert enrolment["reported_by"] == expected
    provider_reported = sum(n for r, n in reporters.items() if r is not None)
    # Most of the seeded outcomes rest on the providers' own reports.
    assert provider_reported > len(completed) / 2, reporters
    assert summary.provider_reported == provider_reported
    # Seeding again (forced) publishes no second copy of the providers' courses.
    demo.generate(2, seed=6, force=True, progress=False, reporters=REPORTERS)
    assert client.get("/providers/ai-sana/courses").get_json()["total"] == 3
