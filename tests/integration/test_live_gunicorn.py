"""The learner and jobs services under live gunicorn, 2 workers each, on one embedded store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.common.launch.live import LiveSuite, call, live_suite
from tests.support.threads import hammer

pytestmark = pytest.mark.slow


def all_events(base: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    after = 0
    while True:
        _, page = call("GET", f"{base}/changes?after={after}&limit=1000")
        events += page["events"]
        if not page["events"]:
            return events
        after = page["next"]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSuite]:
    with live_suite(tmp_path_factory.mktemp("live"), ["learner", "jobs"], workers=2) as suite:
        yield suite


def learner_body(i: str) -> dict[str, Any]:
    return {
        "name": f"Айгерим Сапарова {i}",
        "email": f"aigerim.{i}@example.kz",
        "region": "astana",
        "programme": "ai-sana",
    }


def test_concurrent_creates_lose_nothing_and_feed_has_no_gaps(live: LiveSuite) -> None:
    base = live.urls["learner"]
    statuses = hammer(
        8, 10, lambda t, i: call("POST", f"{base}/learners", learner_body(f"{t}-{i}"))[0]
    )
    assert statuses == [201] * 80
    _, page = call("GET", f"{base}/learners?limit=1")
    assert page["total"] == 80
    seqs = [e["seq"] for e in all_events(base)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len([s for s in seqs]) >= 80


def test_duplicate_email_races_create_exactly_one(live: LiveSuite) -> None:
    base = live.urls["learner"]
    statuses = hammer(8, 1, lambda t, i: call("POST", f"{base}/learners", learner_body("race"))[0])
    assert sorted(statuses) == [201] + [409] * 7


def _employer_and_vacancy(base: str, tag: str, positions: int = 1) -> tuple[str, str]:
    status, employer = call(
        "POST",
        f"{base}/employers",
        {"name": f"Kaspi {tag}", "bin": "000140000002", "region": "astana", "sector": "IT"},
    )
    if status == 409:  # the BIN is unique: reuse the employer made by an earlier test
        _, found = call("GET", f"{base}/employers?limit=1")
        employer = found["items"][0]
    status, vacancy = call(
        "POST",
        f"{base}/vacancies",
        {
            "employer_id": employer["id"],
            "title": f"Python developer {tag}",
            "description": "Build services in Python and MongoDB.",
            "region": "astana",
            "employment_type": "full",
            "salary_min": 500000,
            "salary_max": 800000,
            "positions": positions,
        },
    )
    assert status == 201, vacancy
    return employer["id"], vacancy["id"]


def test_racing_transitions_of_one_application_let_exactly_one_win(live: LiveSuite) -> None:
    base = live.urls["jobs"]
    _, vacancy_id = _employer_and_vacancy(base, "race")
    status, app = call(
        "POST", f"{base}/applications", {"learner_id": "l-1", "vacancy_id": vacancy_id}
    )
    assert status == 201, app
    statuses = hammer(
        8,
        1,
        lambda t, i: call(
            "POST", f"{base}/applications/{app['id']}/transition", {"to": "interview"}
        )[0],
    )
    assert sorted(statuses) == [200] + [409] * 7


def test_many_applications_from_two_workers_all_land_on_the_feed(live: LiveSuite) -> None:
    base = live.urls["jobs"]
    _, vacancy_id = _employer_and_vacancy(base, "many", positions=100)
    statuses = hammer(
        8,
        8,
        lambda t, i: call(
            "POST", f"{base}/applications", {"learner_id": f"l-{t}-{i}", "vacancy_id": vacancy_id}
        )[0],
    )
    assert statuses == [201] * 64
    _, page = call("GET", f"{base}/applications?vacancy_id={vacancy_id}&limit=1")
    assert page["total"] == 64
    events = all_events(base)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    created = [e for e in events if e["type"] == "application.created"]
    assert len({e["id"] for e in created}) >= 64


def test_data_survives_a_restart_of_both_workers(live: LiveSuite, tmp_path: Path) -> None:
    base = live.urls["learner"]
    status, made = call("POST", f"{base}/learners", learner_body("restart"))
    assert status == 201
    live.stop("learner")
    live.start("learner", _env_of(live))
    status, read = call("GET", f"{base}/learners/{made['id']}")
    assert status == 200 and read["email"] == made["email"]


def _env_of(live: LiveSuite) -> dict[str, str]:
    env = dict(live.env)
    env["LEARNER_WORKERS"] = "2"
    return env
