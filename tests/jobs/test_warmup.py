"""A jobs worker builds its vacancy list as it starts (services.common.warmup)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from services.common import warmup
from services.jobs.app import create_app, warm_steps
from services.jobs.settings import Settings
from services.jobs.vacancies import reads


def test_a_new_worker_holds_the_vacancy_list_before_anyone_asks(
    client: FlaskClient, settings: Settings, make_vacancy: Callable[..., Any]
) -> None:
    for n in range(3):
        make_vacancy(title=f"Data analyst {n}")
    listed = client.get("/vacancies").get_json()
    worker = create_app(settings)  # a second worker on the same store, as gunicorn forks it
    with worker.app_context():
        assert not reads.index()._states
    assert set(warmup.run(worker, warm_steps())) == {"vacancies"}
    with worker.app_context():
        assert reads.index()._states
    assert worker.test_client().get("/vacancies").get_json() == listed
