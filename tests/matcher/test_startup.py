"""A fresh matcher under gunicorn answers at once and indexes in its own background process.

Live learner, jobs and matcher services (fake embedder, empty store). The matcher must report
its progress immediately, answer a request for an item it has not indexed yet at once (a
provisional answer that says so, or a quick 503 + Retry-After; never a timeout), and show a
person's own edit within 2 s through ``POST /sync/priority``.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path
from typing import Any

import pytest

from services.common.launch.live import call, live_suite

pytestmark = pytest.mark.slow
REAL_BIN = "940140000385"
PY = {"uri": "http://data.europa.eu/esco/skill/py", "label": "Python"}
_EMAILS = itertools.count(1)


def _ok(status: int, body: Any) -> Any:
    assert status in (200, 201), body
    return body


def _until(check: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def test_a_fresh_matcher_answers_at_once_and_shows_edits_within_two_seconds(
    tmp_path: Path,
) -> None:
    with live_suite(tmp_path, ["learner", "jobs", "matcher"]) as suite:
        m, jobs, learners = suite.urls["matcher"], suite.urls["jobs"], suite.urls["learner"]
        status, info = call("GET", f"{m}/sync/status")
        assert status == 200 and "indexing" in info and info["indexing"]["message"]
        worker_pid = _until(
            lambda: call("GET", f"{m}/sync/status")[1]["indexing"]["worker_pid"], 20
        )
        assert worker_pid and os.path.exists(f"/proc/{worker_pid}")  # its own process

        employer = _ok(
            *call(
                "POST",
                f"{jobs}/employers",
                {"name": "Kaspi", "bin": REAL_BIN, "region": "almaty-city", "sector": "fintech"},
            )
        )
        ids = [_ok(*call("POST", f"{jobs}/vacancies", {
            "employer_id": employer["id"], "title": f"Python developer {i}",
            "region": "astana", "skills": [{**PY, "essential": True}]}))["id"]
            for i in range(2)]  # fmt: skip
        person = _ok(*call("POST", f"{learners}/learners", {
            "name": "Айгерим Сапарова", "email": f"l{next(_EMAILS)}@example.com",
            "region": "astana", "programme": "ai-sana", "cv_text": "", "consent": True,
            "languages": [{"code": "ru", "level": "C1"}], "skills": [PY]}))  # fmt: skip
        url = f"{m}/learners/{person['id']}/recommendations/jobs"

        # Either indexed already or a quick, explained 503: never a hang.
        def recommended() -> set[str] | None:
            started = time.monotonic()
            status, body = call("GET", url)
            assert time.monotonic() - started < 3.0
            if status == 503:
                assert "indexing" in body["detail"] or "indexed" in body["detail"], body
                return None
            assert status == 200, body
            if body["provisional"]:  # computed before the learner was indexed, and says so
                assert body["provisional_basis"] and body["indexing"]["message"], body
            return {i["vacancy_id"] for i in body["items"]}

        # Both vacancies, once the feed brings the second (the learner may be indexed first).
        assert _until(lambda: recommended() == set(ids), 30)

        _ok(*call("POST", f"{jobs}/vacancies/{ids[0]}/close", {}))
        started = time.monotonic()
        status, poke = call("POST", f"{m}/sync/priority", {"kind": "vacancy", "id": ids[0]})
        assert status == 200 and poke["result"] in ("indexed", "queued"), poke
        assert _until(lambda: recommended() == {ids[1]}, 2.0)
        assert time.monotonic() - started < 2.5
