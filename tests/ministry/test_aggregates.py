"""Reports from the in-memory counted rows equal the recomputation from the store, always."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.state import app_state
from services.learner.outcomes import service as outcomes
from services.learner.reports import running
from services.learner.reports.cohort import recount
from services.learner.reports.schemas import ReportQuery

REGIONS = ["astana", "almaty", "shymkent"]
PROGRAMMES = ["ai-sana", "tomorrow-school"]
PROVIDERS = ["edX", "Coursera", "AI-Sana"]
START = datetime(2025, 1, 1, tzinfo=UTC)
_apps = itertools.count(1)

days = st.integers(0, 200)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("learner"), st.sampled_from(REGIONS), st.sampled_from(PROGRAMMES)),
        st.tuples(st.just("course"), st.sampled_from(PROVIDERS)),
        st.tuples(st.just("enrol"), st.integers(0, 99), st.integers(0, 99), days),
        st.tuples(st.just("complete"), st.integers(0, 999), st.integers(0, 60)),
        st.tuples(st.just("drop"), st.integers(0, 999)),
        st.tuples(st.just("hire"), st.integers(0, 99), days, st.sampled_from([None, 250_000])),
        st.tuples(st.just("provider"), st.integers(0, 99), st.sampled_from(PROVIDERS)),
        st.tuples(st.just("forget"), st.integers(0, 99)),
    ),
    min_size=1,
    max_size=25,
)
filters = st.fixed_dictionaries(
    {},
    optional={
        "from": st.sampled_from(["2025-01-15", "2025-02-01"]),
        "to": st.sampled_from(["2025-03-01", "2025-07-20"]),
        "programme": st.sampled_from(PROGRAMMES),
        "region": st.sampled_from(REGIONS),
        "provider": st.sampled_from(PROVIDERS),
    },
)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


class World:
    """The ids written so far, so that steps can name earlier records."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.learners: list[str] = []
        self.courses: list[str] = []
        self.enrolments: list[dict[str, Any]] = []

    def apply(self, step: tuple[Any, ...]) -> None:
        c = self.client
        kind = step[0]
        if kind == "learner":
            n = len(self.learners)
            body = {
                "name": f"Learner {n}",
                "email": f"agg{next(_apps)}@example.com",
                "region": step[1],
                "programme": step[2],
                "consent": True,
            }
            resp = c.post("/learners", json=body)
            assert resp.status_code == 201, resp.get_json()
            self.learners.append(resp.get_json()["id"])
        elif kind == "course":
            body = {"provider": step[1], "title": f"Course {len(self.courses)}", "language": "ru"}
            resp = c.post("/courses", json={**body, "hours": 10, "level": "beginner"})
            assert resp.status_code == 201, resp.get_json()
            self.courses.append(resp.get_json()["id"])
        elif kind == "enrol" and self.learners and self.courses:
            learner = self.learners[step[1] % len(self.learners)]
            course = self.courses[step[2] % len(self.courses)]
            when = _iso(START + timedelta(days=step[3]))
            resp = c.post(
                "/enrolments",
                json={"learner_id": learner, "course_id": course, "enrolled_at": when},
            )
            if resp.status_code == 201:
                self.enrolments.append(resp.get_json())
        elif kind == "complete" and self.enrolments:
            enrolment = self.enrolments[step[1] % len(self.enrolments)]
            enrolled = datetime.fromisoformat(enrolment["enrolled_at"].replace("Z", "+00:00"))
            when = _iso(min(enrolled + timedelta(days=step[2]), datetime.now(UTC)))
            c.post(f"/enrolments/{enrolment['id']}/complete", json={"completed_at": when})
        elif kind == "drop" and self.enrolments:
            c.post(f"/enrolments/{self.enrolments[step[1] % len(self.enrolments)]['id']}/drop")
        elif kind == "hire" and self.learners:
            learner = self.learners[step[1] % len(self.learners)]
            n = next(_apps)
            data = {
                "application_id": f"app-{n}",
                "learner_id": learner,
                "hired_at": _iso(START + timedelta(days=step[2])),
                "salary": step[3],
            }
            outcomes.record_hire({"seq": n, "type": "application.hired", "data": data})
        elif kind == "provider" and self.courses:
            course = self.courses[step[1] % len(self.courses)]
            c.patch(f"/courses/{course}", json={"provider": step[2]})
        elif kind == "forget" and self.learners:
            learner = self.learners.pop(step[1] % len(self.learners))
            assert c.delete(f"/learners/{learner}").status_code == 204


def _report(client: FlaskClient, name: str, query: dict[str, str]) -> dict[str, Any]:
    resp = client.get(f"/reports/{name}", query_string=query)
    assert resp.status_code == 200, resp.get_json()
    data: dict[str, Any] = resp.get_json()
    # When it was computed and as of which event differ by design; every figure must not.
    data.pop("generated_at")
    data.pop("as_of")
    return data


@pytest.fixture
def world(learner_app: Flask) -> World:
    return World(learner_app.test_client())


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps, st.lists(filters, min_size=1, max_size=3))
def test_reports_equal_the_recomputation_after_any_writes(
    world: World, monkeypatch: pytest.MonkeyPatch, writes: list[Any], asked: list[Any]
) -> None:
    for step in writes:
        world.apply(step)
    for query in asked:
        for name in ("funnel", "outcomes", "providers"):
            monkeypatch.setattr(app_state(world.client.application), "read_models", True)
            kept = _report(world.client, name, query)
            monkeypatch.setattr(app_state(world.client.application), "read_models", False)
            recomputed = _report(world.client, name, query)
            assert kept == recomputed, (name, query)


def test_reports_say_as_of_which_write(learner: FlaskClient) -> None:
    world = World(learner)
    for step in [("learner", "astana", "ai-sana"), ("course", "edX"), ("enrol", 0, 0, 3)]:
        world.apply(step)
    first = learner.get("/reports/funnel").get_json()["as_of"]
    assert first["seq"] >= 3 and first["updated_at"] is not None
    world.apply(("complete", 0, 5))
    second = learner.get("/reports/funnel").get_json()
    assert second["as_of"]["seq"] > first["seq"]
    assert second["funnel"]["completed"] == "<5"
    assert date.fromisoformat(second["as_of"]["updated_at"][:10]) == datetime.now(UTC).date()


def _tallies(engine: running.Engine, query: dict[str, str]) -> tuple[Any, ...]:
    filters = ReportQuery.model_validate(query).filters()
    with engine.lock:
        engine.sync()
        kept = engine.tallies(filters)
        return kept.whole.signature(), {k: t.signature() for k, t in kept.shares.items()}


# Period bounds on the very days enrolments fall on (a bound is inclusive).
on_a_day = days.map(lambda n: (START + timedelta(days=n)).date().isoformat())
scopes = st.fixed_dictionaries(
    {},
    optional={"from": on_a_day, "to": on_a_day, "provider": st.sampled_from(PROVIDERS)},
).filter(lambda q: q.get("from", "") <= q.get("to", "9999"))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps, st.lists(st.one_of(filters, scopes), min_size=1, max_size=2))
def test_tallies_kept_write_by_write_equal_a_recount(
    world: World, monkeypatch: pytest.MonkeyPatch, writes: list[Any], asked: list[Any]
) -> None:
    app = world.client.application
    with app.app_context():
        # One worker folds in every write as it comes; another only at the end, many at once.
        eager, late = running.Engine(), running.Engine()
        for query in asked:
            _tallies(eager, query)
            for name in ("funnel", "outcomes", "providers"):  # the app's own engine, too
                _report(world.client, name, query)
        for step in writes:
            world.apply(step)
            for query in asked:
                filters = ReportQuery.model_validate(query).filters()
                whole, shares = recount(filters)
                assert _tallies(eager, query) == (
                    whole.signature(),
                    {k: t.signature() for k, t in shares.items()},
                ), (step, query)
        for query in asked:
            assert _tallies(late, query) == _tallies(eager, query)
    # And through HTTP: the reports of the worker that kept up equal the recomputation.
    for query in asked:
        for name in ("funnel", "outcomes", "providers"):
            monkeypatch.setattr(app_state(app), "read_models", True)
            kept = _report(world.client, name, query)
            monkeypatch.setattr(app_state(app), "read_models", False)
            assert kept == _report(world.client, name, query), (name, query)
