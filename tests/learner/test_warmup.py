"""A learner worker builds its course list and report tallies as it starts (common.warmup)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from services.common import identity, warmup
from services.common.db import close_db
from services.learner.app import create_app, warm_steps
from services.learner.courses import index as course_index
from services.learner.reports import running
from services.learner.settings import ALIAS, Settings
from tests.learner.helpers import create_course, create_learner, enrol

REPORTS = ("/reports/funnel", "/reports/outcomes", "/reports/providers")


def _seed(client: FlaskClient) -> None:
    course = create_course(client, provider="AI-Sana")
    other = create_course(client, provider="Coursera", title="SQL basics")
    for _ in range(12):  # past the small-cell rule, so the reports publish counts
        learner = create_learner(client)
        enrol(client, learner["id"], course["id"])
        enrol(client, learner["id"], other["id"])


def _body(client: FlaskClient, path: str) -> dict[str, object]:
    resp = client.get(path)
    assert resp.status_code == 200, resp.get_json()
    return {k: v for k, v in resp.get_json().items() if k != "generated_at"}


def test_a_new_worker_holds_the_course_list_and_reports_before_anyone_asks(
    client: FlaskClient, settings: Settings
) -> None:
    _seed(client)
    cold = [_body(client, path) for path in REPORTS]
    # A second worker on the same store, as gunicorn forks it: nothing is built yet.
    worker = create_app(settings)
    with worker.app_context():
        assert not course_index.index()._states
        assert running.engine().book is None and not running.engine().memo
    took = warmup.run(worker, warm_steps())
    assert set(took) == {"courses", "funnel", "outcomes", "providers"}
    with worker.app_context():
        assert course_index.index()._states
        assert {key[0] for key in running.engine().memo} == {"funnel", "outcomes", "providers"}
    # ... and what it holds is what a cold worker computes.
    assert [_body(worker.test_client(), path) for path in REPORTS] == cold


def test_a_failing_step_is_skipped_and_the_others_still_run(app: Flask) -> None:
    def broken() -> None:
        raise RuntimeError("store not ready")

    took = warmup.run(app, [("broken", broken), *warm_steps()])
    assert "broken" not in took and "courses" in took and "providers" in took


def test_only_a_serving_worker_warms_up(tmp_path: Path) -> None:
    # A serving app signs its calls: it needs service keys (a fresh clone has none in var/).
    identity.generate_keys(tmp_path / "keys")
    base = Settings.from_env(
        env={}, data_dir=tmp_path, testing=False, follow_jobs=False, keys_dir=tmp_path / "keys"
    )
    try:
        serving = create_app(base)
        thread = serving.extensions["warm_up"]
        thread.join(timeout=30)
        assert not thread.is_alive()
        with serving.app_context():
            assert course_index.index()._states
        off = create_app(dataclasses.replace(base, warm_up=False))
        assert "warm_up" not in off.extensions
        testing = create_app(dataclasses.replace(base, testing=True))
        assert "warm_up" not in testing.extensions
    finally:
        close_db(ALIAS)
