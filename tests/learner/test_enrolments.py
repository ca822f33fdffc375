"""Enrolments: the enrolled → completed/dropped lifecycle, skills on completion, concurrency."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from .helpers import SKILL, create_course, create_learner, enrol, feed, field_names


def test_enrol_then_complete_with_grade(client: FlaskClient) -> None:
    learner = create_learner(client, region="kostanay", programme="tomorrow-school")
    course = create_course(client)
    enrolment = enrol(client, learner["id"], course["id"])
    assert (enrolment["status"], enrolment["region"], enrolment["programme"]) == (
        "enrolled",
        "kostanay",
        "tomorrow-school",
    )
    done = client.post(f"/enrolments/{enrolment['id']}/complete", json={"grade": 87.5})
    assert done.status_code == 200
    body = done.get_json()
    assert (body["status"], body["grade"]) == ("completed", 87.5)
    assert body["completed_at"] >= body["enrolled_at"]


def test_completion_adds_the_course_skills_with_evidence(client: FlaskClient) -> None:
    learner = create_learner(client, skills=[{"label": "Data visualisation", "level": 2}])
    course = create_course(client, title="Python for data analysis", provider="Astana Hub")
    enrolment = enrol(client, learner["id"], course["id"])
    client.post(f"/enrolments/{enrolment['id']}/complete", json={})
    skills = client.get(f"/learners/{learner['id']}").get_json()["skills"]
    evidence = "Completed Python for data analysis (Astana Hub)"
    by_label = {s["label"].lower(): s for s in skills}
    assert by_label["python (computer programming)"]["uri"] == SKILL + "python"
    assert by_label["python (computer programming)"]["source"] == "course"
    assert by_label["python (computer programming)"]["evidence"] == evidence
    # A self-declared skill the course teaches is now backed by it, keeping the learner's level.
    assert by_label["data visualisation"]["source"] == "course"
    assert by_label["data visualisation"]["level"] == 2
    assert len(skills) == 2


def test_completion_skips_rejected_skills(client: FlaskClient) -> None:
    learner = create_learner(client)
    client.post(f"/learners/{learner['id']}/skills/{SKILL}python/reject")
    course = create_course(client)
    enrolment = enrol(client, learner["id"], course["id"])
    client.post(f"/enrolments/{enrolment['id']}/complete", json={})
    skills = client.get(f"/learners/{learner['id']}").get_json()["skills"]
    assert [s["label"] for s in skills] == ["data visualisation"]


def test_completion_announces_enrolment_and_learner_update(client: FlaskClient) -> None:
    learner = create_learner(client)
    course = create_course(client)
    enrolment = enrol(client, learner["id"], course["id"])
    start = len(feed(client))
    done = {"grade": 70, "reported_by": "provider:6b0e0c0ffee0c0ffee0c0ffe"}
    client.post(f"/enrolments/{enrolment['id']}/complete", json=done)
    events = feed(client)[start:]
    assert [e["type"] for e in events] == ["enrolment.completed", "learner.updated"]
    assert events[0]["data"] == {
        "id": enrolment["id"],
        "learner_id": learner["id"],
        "course_id": course["id"],
        "status": "completed",
        "enrolled_at": events[0]["data"]["enrolled_at"],
        "completed_at": events[0]["data"]["completed_at"],
        "dropped_at": None,
        "grade": 70.0,
        "reported_by": "provider:6b0e0c0ffee0c0ffee0c0ffe",
    }
    assert {s["source"] for s in events[1]["data"]["skills"]} == {"course"}


def test_second_active_enrolment_is_409_but_reenrolling_after_drop_is_fine(
    client: FlaskClient,
) -> None:
    learner = create_learner(client)
    course = create_course(client)
    first = enrol(client, learner["id"], course["id"])
    dup = client.post("/enrolments", json={"learner_id": learner["id"], "course_id": course["id"]})
    assert dup.status_code == 409 and field_names(dup) == ["course_id"]
    assert client.post(f"/enrolments/{first['id']}/drop").status_code == 200
    enrol(client, learner["id"], course["id"])


def test_completing_twice_or_after_drop_is_409(client: FlaskClient) -> None:
    learner = create_learner(client)
    course_a, course_b = create_course(client, title="A"), create_course(client, title="B")
    done = enrol(client, learner["id"], course_a["id"])
    assert client.post(f"/enrolments/{done['id']}/complete", json={}).status_code == 200
    again = client.post(f"/enrolments/{done['id']}/complete", json={"grade": 100})
    assert again.status_code == 409 and field_names(again) == ["status"]
    assert client.get(f"/enrolments/{done['id']}").get_json()["grade"] is None
    dropped = enrol(client, learner["id"], course_b["id"])
    client.post(f"/enrolments/{dropped['id']}/drop")
    assert client.post(f"/enrolments/{dropped['id']}/complete", json={}).status_code == 409
    assert client.post(f"/enrolments/{dropped['id']}/drop").status_code == 409
    assert client.post(f"/enrolments/{done['id']}/drop").status_code == 409


def test_completion_dates_are_checked(client: FlaskClient) -> None:
    learner = create_learner(client)
    course = create_course(client)
    enrolment = enrol(client, learner["id"], course["id"])
    future = client.post(
        f"/enrolments/{enrolment['id']}/complete", json={"completed_at": "2999-01-01T00:00:00Z"}
    )
    assert future.status_code == 422 and field_names(future) == ["completed_at"]
    before = client.post(
        f"/enrolments/{enrolment['id']}/complete", json={"completed_at": "2000-01-01T00:00:00Z"}
    )
    assert before.status_code == 422 and field_names(before) == ["completed_at"]
    grade = client.post(f"/enrolments/{enrolment['id']}/complete", json={"grade": 101})
    assert grade.status_code == 422 and field_names(grade) == ["grade"]


def test_history_can_be_recorded_with_past_dates(client: FlaskClient) -> None:
    learner = create_learner(client)
    course = create_course(client)
    resp = client.post(
        "/enrolments",
        json={
            "learner_id": learner["id"],
            "course_id": course["id"],
            "enrolled_at": "2025-02-01T09:00:00+05:00",
        },
    )
    assert resp.get_json()["enrolled_at"] == "2025-02-01T04:00:00Z"
    done = client.post(
        f"/enrolments/{resp.get_json()['id']}/complete",
        json={"completed_at": "2025-03-15T12:00:00Z"},
    )
    assert done.get_json()["completed_at"] == "2025-03-15T12:00:00Z"


def test_unknown_enrolment_is_404(client: FlaskClient) -> None:
    for path in ["/enrolments/0123456789abcdef01234567/complete", "/enrolments/x/drop"]:
        assert client.post(path, json={}).status_code == 404


def test_list_enrolments_by_learner_course_and_status(client: FlaskClient) -> None:
    ann, bob = create_learner(client), create_learner(client)
    c1, c2 = create_course(client, title="C1"), create_course(client, title="C2")
    e1 = enrol(client, ann["id"], c1["id"])
    e2 = enrol(client, ann["id"], c2["id"])
    e3 = enrol(client, bob["id"], c1["id"])
    client.post(f"/enrolments/{e2['id']}/complete", json={})
    client.post(f"/enrolments/{e3['id']}/drop")

    def ids(query: str) -> list[str]:
        return [e["id"] for e in client.get(f"/enrolments?{query}").get_json()["items"]]

    assert ids(f"learner_id={ann['id']}") == [e1["id"], e2["id"]]
    assert ids(f"course_id={c1['id']}") == [e1["id"], e3["id"]]
    assert ids("status=completed,dropped") == [e2["id"], e3["id"]]
    assert ids(f"learner_id={bob['id']}&status=enrolled") == []


def test_sixteen_threads_enrolling_and_completing_lose_nothing(
    app: Flask, client: FlaskClient
) -> None:
    courses = [create_course(client, title=f"Course {i}")["id"] for i in range(4)]
    learners = [create_learner(client)["id"] for _ in range(16)]
    start = len(feed(client))
    errors: list[Any] = []

    def work(learner_id: str) -> None:
        c = app.test_client()
        for course_id in courses:
            resp = c.post("/enrolments", json={"learner_id": learner_id, "course_id": course_id})
            if resp.status_code != 201:
                errors.append(resp.get_json())
                continue
            done = c.post(f"/enrolments/{resp.get_json()['id']}/complete", json={})
            if done.status_code != 200:
                errors.append(done.get_json())

    threads = [threading.Thread(target=work, args=(lid,)) for lid in learners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    page = client.get("/enrolments?status=completed&limit=200").get_json()
    assert page["total"] == 64
    for lid in learners:
        skills = client.get(f"/learners/{lid}").get_json()["skills"]
        # Every course teaches the same two skills: each appears once, backed by a course.
        assert sorted(s["label"] for s in skills) == [
            "Python (computer programming)",
            "data visualisation",
        ]
    events = feed(client)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(events) + 1))
    counts = Counter(e["type"] for e in events[start:])
    # The first completion adds the skills; later ones have nothing new to add.
    assert counts == {"enrolment.created": 64, "enrolment.completed": 64, "learner.updated": 16}


def test_course_completed_twice_concurrently_completes_once(
    app: Flask, client: FlaskClient
) -> None:
    learner = create_learner(client)
    course = create_course(client)
    enrolment = enrol(client, learner["id"], course["id"])
    statuses: list[int] = []
    barrier = threading.Barrier(16)

    def complete(grade: int) -> None:
        c = app.test_client()
        barrier.wait()
        resp = c.post(f"/enrolments/{enrolment['id']}/complete", json={"grade": grade})
        statuses.append(resp.status_code)

    threads = [threading.Thread(target=complete, args=(g,)) for g in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 15
    completed = [e for e in feed(client) if e["type"] == "enrolment.completed"]
    assert len(completed) == 1
    final = client.get(f"/enrolments/{enrolment['id']}").get_json()
    assert final["grade"] == completed[0]["data"]["grade"]
