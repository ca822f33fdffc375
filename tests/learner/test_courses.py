"""Courses over HTTP: CRUD, filters, prerequisites, provider ids."""

from __future__ import annotations

from flask.testing import FlaskClient

from .helpers import SKILL, course_payload, create_course, create_learner, enrol, feed, field_names


def test_create_read_update_delete_course(client: FlaskClient) -> None:
    course = create_course(client, title="SQL basics", hours=12.5)
    got = client.get(f"/courses/{course['id']}").get_json()
    assert (got["title"], got["hours"], got["provider"]) == ("SQL basics", 12.5, "AI-Sana")
    patched = client.patch(f"/courses/{course['id']}", json={"hours": 16, "level": "intermediate"})
    assert patched.status_code == 200
    assert (patched.get_json()["hours"], patched.get_json()["title"]) == (16.0, "SQL basics")
    assert client.delete(f"/courses/{course['id']}").status_code == 204
    assert client.get(f"/courses/{course['id']}").status_code == 404
    types = [e["type"] for e in feed(client) if e["id"] == course["id"]]
    assert types == ["course.created", "course.updated", "course.deleted"]


def test_course_event_carries_the_full_course(client: FlaskClient) -> None:
    course = create_course(client)
    event = next(e for e in feed(client) if e["type"] == "course.created")
    assert event["data"] == course


def test_patch_validates_merged_course(client: FlaskClient) -> None:
    course = create_course(client)
    resp = client.patch(f"/courses/{course['id']}", json={"hours": None})
    assert resp.status_code == 422 and field_names(resp) == ["hours"]
    assert client.get(f"/courses/{course['id']}").get_json()["hours"] == course["hours"]


def test_external_id_is_unique_per_provider(client: FlaskClient) -> None:
    create_course(client, provider="edX", external_id="cs50")
    dup = client.post("/courses", json=course_payload(provider="edX", external_id="cs50"))
    assert dup.status_code == 409 and field_names(dup) == ["external_id"]
    create_course(client, provider="Coursera", external_id="cs50")


def test_prerequisites_must_exist_and_not_form_cycles(client: FlaskClient) -> None:
    a = create_course(client, title="A")
    b = create_course(client, title="B", prerequisites=[a["id"]])
    c = create_course(client, title="C", prerequisites=[b["id"], b["id"]])
    assert c["prerequisites"] == [b["id"]]
    self_ref = client.patch(f"/courses/{a['id']}", json={"prerequisites": [a["id"]]})
    assert self_ref.status_code == 422 and field_names(self_ref) == ["prerequisites"]
    cycle = client.patch(f"/courses/{a['id']}", json={"prerequisites": [c["id"]]})
    assert cycle.status_code == 422 and field_names(cycle) == ["prerequisites"]
    assert client.get(f"/courses/{a['id']}").get_json()["prerequisites"] == []


def test_course_that_is_required_or_has_enrolments_cannot_be_deleted(
    client: FlaskClient,
) -> None:
    a = create_course(client, title="A")
    create_course(client, title="B", prerequisites=[a["id"]])
    assert client.delete(f"/courses/{a['id']}").status_code == 409
    taken = create_course(client, title="Taken")
    enrol(client, create_learner(client)["id"], taken["id"])
    assert client.delete(f"/courses/{taken['id']}").status_code == 409
    assert client.get(f"/courses/{taken['id']}").status_code == 200


def _titles(client: FlaskClient, query: str) -> set[str]:
    resp = client.get(f"/courses?{query}&limit=200")
    assert resp.status_code == 200, resp.get_json()
    return {c["title"] for c in resp.get_json()["items"]}


def test_course_filters(client: FlaskClient) -> None:
    create_course(
        client, title="Free Python", provider="AI-Sana", language="ru", level="beginner",
        price_kzt=0, state_funded=False, hours=20,
    )  # fmt: skip
    create_course(
        client, title="Funded ML", provider="Astana Hub", language="kk", level="advanced",
        price_kzt=150_000, state_funded=True, hours=80,
        skills=[{"uri": SKILL + "ml", "label": "machine learning"}],
    )  # fmt: skip
    create_course(
        client, title="Paid SQL", provider="Coursera", language="en", level="intermediate",
        price_kzt=25_000, state_funded=False, hours=10, skills=[{"label": "SQL"}],
        description="Joins, window functions (advanced).",
    )  # fmt: skip
    assert _titles(client, "provider=Astana Hub") == {"Funded ML"}
    assert _titles(client, "provider=AI-Sana,Coursera") == {"Free Python", "Paid SQL"}
    assert _titles(client, "language=kk") == {"Funded ML"}
    assert _titles(client, "level=beginner&level=intermediate") == {"Free Python", "Paid SQL"}
    assert _titles(client, "free=true") == {"Free Python", "Funded ML"}
    assert _titles(client, "free=false") == {"Paid SQL"}
    assert _titles(client, "state_funded=true") == {"Funded ML"}
    assert _titles(client, "max_hours=20") == {"Free Python", "Paid SQL"}
    assert _titles(client, f"skill={SKILL}ml") == {"Funded ML"}
    assert _titles(client, "skill=SQL") == {"Paid SQL"}
    assert _titles(client, "q=python") == {"Free Python"}
    assert _titles(client, "q=window functions") == {"Paid SQL"}
    assert _titles(client, "q=(advanced)") == {"Paid SQL"}
    assert _titles(client, "q=.*") == set()
    assert client.get("/courses?limit=2").get_json()["total"] == 3


def test_provider_key_is_the_normalised_provider_name(client: FlaskClient) -> None:
    spelled = [" AI-Sana ", "ai sana", "AI–SANA", "Ai_Sana"]
    keys = {create_course(client, title=f"T{i}", provider=p)["provider_key"]
            for i, p in enumerate(spelled)}  # fmt: skip
    assert keys == {"ai-sana", "ai_sana"}  # an underscore is part of a word, a dash is not
    other = create_course(client, title="Hub", provider="Astana Hub")
    assert other["provider_key"] == "astana-hub"
    moved = client.patch(f"/courses/{other['id']}", json={"provider": "Tomorrow-school"})
    assert moved.get_json()["provider_key"] == "tomorrow-school"
    listed = client.get("/providers/ai-sana/courses").get_json()
    assert sorted(c["title"] for c in listed["items"]) == ["T0", "T1", "T2"]


def test_provider_courses_count_their_enrolments(client: FlaskClient) -> None:
    course = create_course(client, title="Counted", provider="Uni")
    create_course(client, title="Elsewhere", provider="Other")
    ids = [enrol(client, create_learner(client)["id"], course["id"])["id"] for _ in range(4)]
    assert client.post(f"/enrolments/{ids[0]}/complete", json={"grade": 90}).status_code == 200
    assert client.post(f"/enrolments/{ids[1]}/drop").status_code == 200
    (row,) = client.get("/providers/uni/courses").get_json()["items"]
    assert (row["enrolled"], row["active"], row["completed"], row["dropped"]) == (4, 2, 1, 1)
    # The provider's list of enrolments holds exactly those on its courses.
    listed = client.get("/enrolments?provider_key=uni&limit=100").get_json()["items"]
    assert sorted(e["id"] for e in listed) == sorted(ids)


def test_a_retired_course_keeps_its_history_and_takes_no_new_enrolments(
    client: FlaskClient,
) -> None:
    course = create_course(client, title="Old", provider="Uni")
    first = enrol(client, create_learner(client)["id"], course["id"])
    retired = client.patch(f"/courses/{course['id']}", json={"retired": True})
    assert retired.status_code == 200 and retired.get_json()["retired"] is True
    late = client.post(
        "/enrolments", json={"learner_id": create_learner(client)["id"], "course_id": course["id"]}
    )
    assert late.status_code == 409 and field_names(late) == ["course_id"]
    assert client.get(f"/enrolments/{first['id']}").status_code == 200
    # A later change of another field keeps it retired.
    again = client.patch(f"/courses/{course['id']}", json={"hours": 30})
    assert again.get_json()["retired"] is True
    types = [e["type"] for e in feed(client) if e["id"] == course["id"]]
    assert types == ["course.created", "course.updated", "course.updated"]


def test_a_provider_path_takes_only_a_normalised_key(client: FlaskClient) -> None:
    for path in ("/providers/AI-Sana/courses", "/providers/%F2%AA%81%B0%C2%B1W/report"):
        resp = client.get(path)
        assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
