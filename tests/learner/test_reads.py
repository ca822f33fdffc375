"""The in-memory course list answers exactly what the store query answers, in every worker."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common import listing
from services.common.launch.live import call, live_suite
from services.common.state import app_state
from services.learner.courses import index as course_index
from tests.learner.helpers import SKILL, course_payload, create_course

# Case variants Python's re.I treats specially (ı/i, ſ/s, Kelvin sign/k, µ/μ, İ) and others.
ALPHABET = "aAbBıiIİsSſkKKµμΜσςΣßẞ .-*(élÉ"
PROVIDERS = ["edX", "Coursera", "AI-Sana"]
SKILLS = [SKILL + "python", SKILL + "sql"]
LABELS = ["Python", "SQL", "data visualisation"]

# Blank text is stripped to "" and refused (422): never what these tests send.
texts = st.text(ALPHABET, min_size=1, max_size=12).filter(str.strip)
skill_lists = st.lists(
    st.builds(
        lambda uri, label: {"label": label, **({"uri": uri} if uri else {})},
        st.sampled_from([None, *SKILLS]),
        st.sampled_from(LABELS),
    ),
    max_size=2,
)
courses = st.fixed_dictionaries(
    {
        "provider": st.sampled_from(PROVIDERS),
        "title": texts,
        "description": st.one_of(st.none(), texts),
        "language": st.sampled_from(["ru", "kk", "en"]),
        "level": st.sampled_from(["beginner", "intermediate", "advanced"]),
        "hours": st.sampled_from([2, 10.5, 40, 120]),
        "price_kzt": st.sampled_from([None, 0, 15_000]),
        "state_funded": st.booleans(),
        "skills": skill_lists,
    }
)
queries = st.fixed_dictionaries(
    {},
    optional={
        "provider": st.lists(st.sampled_from(PROVIDERS), min_size=1, max_size=2),
        "language": st.lists(st.sampled_from(["ru", "kk", "en"]), min_size=1, max_size=2),
        "level": st.lists(st.sampled_from(["beginner", "advanced"]), min_size=1, max_size=2),
        "free": st.booleans(),
        "state_funded": st.booleans(),
        "max_hours": st.sampled_from([5, 40, 100]),
        "skill": st.lists(st.sampled_from([*SKILLS, *LABELS]), min_size=1, max_size=2),
        "q": st.text(ALPHABET, min_size=1, max_size=3).filter(str.strip),
        "include_retired": st.booleans(),
        "limit": st.integers(1, 5),
        "offset": st.integers(0, 6),
    },
)
writes = st.lists(
    st.one_of(
        st.tuples(st.just("create"), courses),
        st.tuples(st.just("update"), st.integers(0, 50), courses),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("retire"), st.integers(0, 50), st.booleans()),
    ),
    min_size=1,
    max_size=6,
)


def _page(client: FlaskClient, query: dict[str, Any], *, plain: bool) -> Any:
    resp = client.get("/courses", query_string=query)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes, st.lists(queries, min_size=1, max_size=4))
def test_list_answers_equal_the_store_query(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, steps: list[Any], asked: list[Any]
) -> None:
    for step in steps:
        listed = client.get("/courses?limit=200&include_retired=true").get_json()["items"]
        ids = [c["id"] for c in listed]
        if step[0] == "create":
            create_course(client, **step[1])
        elif step[0] == "update" and ids:
            client.patch(f"/courses/{ids[step[1] % len(ids)]}", json=step[2])
        elif step[0] == "delete" and ids:
            client.delete(f"/courses/{ids[step[1] % len(ids)]}")
        elif step[0] == "retire" and ids:
            client.patch(f"/courses/{ids[step[1] % len(ids)]}", json={"retired": step[2]})
    for query in asked:
        monkeypatch.setattr(app_state(client.application), "read_models", True)
        fast = _page(client, query, plain=False)
        monkeypatch.setattr(app_state(client.application), "read_models", False)
        plain = _page(client, query, plain=True)
        assert fast == plain, query


def test_a_second_worker_sees_every_write(client: FlaskClient) -> None:
    # Another process's model: a separate instance with its own state, reading the same store.
    other = course_index.CourseIndex(course_index.ALIAS)
    first = create_course(client, title="Алгебра")
    assert [r.data["id"] for r in other.ordered()[0]] == [first["id"]]
    client.patch(f"/courses/{first['id']}", json={"title": "Геометрия"})
    second = create_course(client, title="SQL")
    rows = other.ordered()[0]
    assert [(r.data["id"], r.data["title"]) for r in rows] == [
        (first["id"], "Геометрия"),
        (second["id"], "SQL"),
    ]
    client.delete(f"/courses/{second['id']}")
    assert [r.data["id"] for r in other.ordered()[0]] == [first["id"]]


def test_a_replaced_store_is_reloaded_not_patched(tmp_path: Path) -> None:
    from services.common.db import close_db
    from services.learner.app import create_app
    from services.learner.settings import ALIAS, Settings

    model = course_index.CourseIndex(ALIAS)  # one read model over two stores in turn
    for name, title in (("a", "first store"), ("b", "second store")):
        app = create_app(Settings.from_env(env={}, data_dir=tmp_path / name, testing=True))
        create_course(app.test_client(), title=title)
        with app.app_context():
            rows = model.ordered()[0]
            assert [r.data["title"] for r in rows] == [title]
            assert course_index.index() is course_index.index()  # one per app, made once
        close_db(ALIAS)


@given(st.text(ALPHABET + "xyZ\u0130\u0131", max_size=8), st.text(ALPHABET, min_size=1, max_size=3))
@settings(max_examples=300, deadline=None)
def test_folded_search_is_re_ignorecase(text: str, q: str) -> None:
    found = listing.TextIndex([(text, None)]).rows(q)
    assert found == ({0} if re.search(re.escape(q), text, re.IGNORECASE) else set())


@pytest.mark.slow
def test_every_gunicorn_worker_answers_the_latest_list(tmp_path: Path) -> None:
    with live_suite(tmp_path, ["learner"], workers=2) as live:
        base = live.urls["learner"]
        made = []
        for i in range(4):
            status, body = call("POST", f"{base}/courses", course_payload(title=f"Course {i}"))
            assert status == 201, body
            made.append(body["id"])
            # Enough requests that both workers answer after each write.
            for _ in range(6):
                status, page = call("GET", f"{base}/courses?limit=50")
                assert status == 200
                # id order (ids of two workers' writes need not follow creation order)
                assert [c["id"] for c in page["items"]] == sorted(made)
                assert page["total"] == len(made)


def test_two_apps_in_one_process_list_only_their_own_courses(tmp_path: Path) -> None:
    from services.learner.app import create_app
    from services.learner.settings import Settings

    apps = {
        title: create_app(Settings.from_env(env={}, data_dir=tmp_path / title, testing=True))
        for title in ("first store", "second store")
    }
    for title, app in apps.items():
        create_course(app.test_client(), title=title)
    for _ in range(2):  # alternate: neither app's read model may show the other's courses
        for title, app in apps.items():
            listed = app.test_client().get("/courses").get_json()["items"]
            assert [c["title"] for c in listed] == [title]
