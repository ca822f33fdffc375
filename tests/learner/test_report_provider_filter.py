"""The ministry's provider filter compares provider keys (case, spacing, punctuation aside)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from services.common.state import app_state
from tests.learner.helpers import create_course, create_learner, enrol

# "ai sana" and "AI–SANA" differ from "AI-Sana" by more than case: only the key makes them one.
SPELLINGS = ["AI-Sana", "ai sana", "AI–SANA", " Ai-Sana "]


def _counts(client: FlaskClient, path: str, provider: str) -> Any:
    resp = client.get(path, query_string={"provider": provider})
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    return {k: v for k, v in data.items() if k not in ("filters", "generated_at", "as_of", "seq")}


@pytest.mark.parametrize("read_models", [True, False])
@pytest.mark.parametrize("path", ["/reports/funnel", "/reports/outcomes"])
def test_every_spelling_of_a_provider_gives_the_same_report(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, read_models: bool, path: str
) -> None:
    monkeypatch.setattr(app_state(client.application), "read_models", read_models)
    own = create_course(client, provider="AI-Sana", title="Data basics")
    other = create_course(client, provider="Coursera", title="SQL basics")
    for _ in range(12):  # past the small-cell rule, so the counts are published
        learner = create_learner(client)
        enrol(client, learner["id"], own["id"])
        enrol(client, learner["id"], other["id"])
    answers = [_counts(client, path, spelling) for spelling in SPELLINGS]
    assert all(answer == answers[0] for answer in answers[1:])
    everyone = _counts(client, path, "Coursera")
    nobody = _counts(client, path, "Udemy")
    assert answers[0] != nobody  # the filter keeps AI-Sana's enrolments, not nothing
    assert everyone != nobody
