"""The in-memory vacancy list answers exactly what the store query answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.state import app_state
from tests.jobs.helpers import Json, application_body, move

SKILL = "http://data.europa.eu/esco/skill/"
vacancies = st.fixed_dictionaries(
    {
        "title": st.text("aAıIsSſkKМмеЕ .", min_size=1, max_size=10).filter(str.strip),
        "region": st.sampled_from(["astana", "almaty-city"]),
        "remote": st.booleans(),
        "salary_min": st.sampled_from([None, 200_000, 500_000]),
        "salary_max": st.sampled_from([None, 600_000, 900_000]),
        "employment_type": st.sampled_from(["full", "part"]),
        "languages": st.sampled_from([[], [{"code": "kk"}], [{"code": "ru"}, {"code": "en"}]]),
        "skills": st.sampled_from([[], [{"label": "Python", "uri": SKILL + "python"}]]),
    }
)
queries = st.fixed_dictionaries(
    {},
    optional={
        "region": st.sampled_from(["astana", "almaty-city"]),
        "remote": st.booleans(),
        "status": st.sampled_from(["open", "closed"]),
        "salary_min": st.sampled_from([300_000, 650_000]),
        "language": st.sampled_from(["kk", "en"]),
        "employment_type": st.sampled_from(["full", "part"]),
        "skill": st.just(SKILL + "python"),
        "q": st.text("aAıIsSkKмМ", min_size=1, max_size=2),
        "sort": st.sampled_from(["-published_at", "published_at", "-salary_max", "-created_at"]),
        "limit": st.integers(1, 4),
        "offset": st.integers(0, 3),
    },
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(vacancies, st.sampled_from(["keep", "close", "hire"])), max_size=4),
    st.lists(queries, min_size=1, max_size=4),
)
def test_vacancy_lists_equal_the_store_query(
    client: FlaskClient,
    make_vacancy: Callable[..., Json],
    monkeypatch: pytest.MonkeyPatch,
    made: list[Any],
    asked: list[Any],
) -> None:
    for fields, then in made:
        if (
            fields["salary_min"]
            and fields["salary_max"]
            and fields["salary_min"] > fields["salary_max"]
        ):
            fields = {**fields, "salary_max": None}
        vacancy = make_vacancy(**fields, positions=2)
        if then == "close":
            assert client.post(f"/vacancies/{vacancy['id']}/close").status_code == 200
        elif then == "hire":
            # A hire changes the vacancy's hired_count without a vacancy event of its own.
            body = application_body(vacancy["id"], "6b0eb20432ccb1b1bc1c8ec4")
            application = client.post("/applications", json=body).get_json()
            assert move(client, application["id"], "offer").status_code == 200
            assert move(client, application["id"], "hired").status_code == 200
    for query in asked:
        monkeypatch.setattr(app_state(client.application), "read_models", True)
        fast = client.get("/vacancies", query_string=query)
        monkeypatch.setattr(app_state(client.application), "read_models", False)
        plain = client.get("/vacancies", query_string=query)
        assert fast.status_code == plain.status_code == 200
        assert fast.get_json() == plain.get_json(), query
