"""Retraining paths through HTTP: cheapest cover, prerequisites first, uncoverable, what-if."""

from __future__ import annotations

from flask.testing import FlaskClient

from services.matcher.sync.feeds import Sync
from tests.matcher.conftest import EventSource, needs_esco
from tests.matcher.factories import SKILL, course, learner, skill, vacancy


def _catalogue(jobs_feed: EventSource, learner_feed: EventSource) -> None:
    need = [skill(s, essential=True) for s in ("a", "b", "c", "d", "e")]
    jobs_feed.emit("vacancy.created", "target", vacancy(title="Target", skills=need))
    # Opens up after "c-ab": it needs a, b (2 of 2 required held).
    jobs_feed.emit(
        "vacancy.created",
        "ab-job",
        vacancy(title="AB job", skills=[skill("a", essential=True), skill("b", essential=True)]),
    )
    jobs_feed.emit(
        "vacancy.created",
        "closed-ab",
        vacancy(status="closed", skills=[skill("a", essential=True), skill("b", essential=True)]),
    )
    learner_feed.emit(
        "course.created",
        "all-in-one",
        course(title="Everything", hours=30, skills=[skill(s) for s in "abcd"]),
    )
    learner_feed.emit("course.created", "intro", course(title="Intro", hours=2, skills=[]))
    learner_feed.emit(
        "course.created",
        "c-ab",
        course(title="A and B", hours=10, skills=[skill("a"), skill("b")], prerequisites=["intro"]),
    )
    learner_feed.emit(
        "course.created", "c-cd", course(title="C and D", hours=12, skills=[skill("c"), skill("d")])
    )
    learner_feed.emit("learner.created", "l1", learner(skills=[]))


def test_path_takes_the_cheapest_cover_with_prerequisites_first(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _catalogue(jobs_feed, learner_feed)
    sync.sync_once()

    body = client.get("/learners/l1/retraining-path?vacancy_id=target").get_json()

    steps = [s["course_id"] for s in body["steps"]]
    assert sorted(steps) == ["c-ab", "c-cd", "intro"]
    assert steps.index("intro") < steps.index("c-ab")
    assert body["total_hours"] == 24.0 and body["method"] == "exact"
    assert [s["uri"] for s in body["uncoverable_skills"]] == [SKILL + "e"]
    assert [s["uri"] for s in body["missing_skills"]] == [SKILL + s for s in "abcde"]
    covered = {s["uri"] for step in body["steps"] for s in step["covers"]}
    assert covered == {SKILL + s for s in "abcd"}
    ab = next(s for s in body["steps"] if s["course_id"] == "c-ab")
    assert ab["prerequisites"] == ["intro"]


def test_what_if_counts_open_vacancies_within_reach_after_each_step(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _catalogue(jobs_feed, learner_feed)
    sync.sync_once()

    body = client.get("/learners/l1/retraining-path?vacancy_id=target").get_json()

    reach = body["reach"]
    assert reach["before"] == 0 and reach["threshold"] == 0.8
    # C and D first (most missing skills per hour among courses that can start), then A and B
    # after its prerequisite. With a-d held: ab-job (2 of 2) and target (4 of 5 = 0.8) open;
    # closed-ab never counts.
    assert [s["course_id"] for s in body["steps"]] == ["c-cd", "intro", "c-ab"]
    assert [s["reachable_vacancies"] for s in body["steps"]] == [0, 0, 2]
    last = body["steps"][-1]
    assert last["newly_reachable"] == 2 and reach["after"] == 2
    assert {e["vacancy_id"] for e in last["examples"]} == {"ab-job", "target"}


def test_completed_courses_are_skipped_and_their_skills_count(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _catalogue(jobs_feed, learner_feed)
    learner_feed.emit(
        "enrolment.completed",
        "en1",
        {"id": "en1", "learner_id": "l1", "course_id": "intro", "status": "completed"},
    )
    sync.sync_once()

    body = client.get("/learners/l1/retraining-path?vacancy_id=target").get_json()

    assert sorted(s["course_id"] for s in body["steps"]) == ["c-ab", "c-cd"]
    assert body["total_hours"] == 22.0


def test_path_for_a_learner_who_has_everything_is_empty(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _catalogue(jobs_feed, learner_feed)
    learner_feed.emit("learner.created", "pro", learner(skills=[skill(s) for s in "abcde"]))
    sync.sync_once()

    body = client.get("/learners/pro/retraining-path?vacancy_id=target").get_json()

    assert body["steps"] == [] and body["missing_skills"] == [] and body["total_hours"] == 0


@needs_esco
def test_path_toward_an_esco_occupation_covers_its_essential_skills(
    client: FlaskClient, sync: Sync, learner_feed: EventSource, taxonomy
) -> None:
    occ = next(o for o in taxonomy.occupations if len(o["essential_skills"]) >= 4)
    ess = occ["essential_skills"]
    labels = {s["_id"]: s["label"] for s in taxonomy.skills}
    learner_feed.emit(
        "course.created",
        "first-half",
        course(hours=30, skills=[{"uri": u, "label": labels[u]} for u in ess[: len(ess) // 2]]),
    )
    learner_feed.emit(
        "course.created",
        "second-half",
        course(hours=30, skills=[{"uri": u, "label": labels[u]} for u in ess[len(ess) // 2 :]]),
    )
    learner_feed.emit(
        "learner.created", "l1", learner(skills=[{"uri": ess[0], "label": labels[ess[0]]}])
    )
    sync.sync_once()

    body = client.get(
        "/learners/l1/retraining-path", query_string={"occupation_uri": occ["_id"]}
    ).get_json()

    assert body["target"] == {"kind": "occupation", "id": occ["_id"], "label": occ["label"]}
    missing_essential = [s["uri"] for s in body["missing_skills"] if s["essential"]]
    assert missing_essential == ess[1:]
    assert sorted(s["course_id"] for s in body["steps"]) == ["first-half", "second-half"]
    assert body["uncoverable_skills"] == []
    assert body["missing_skills"][0]["label"] == labels[ess[1]]


def test_path_to_an_unknown_occupation_is_404(
    client: FlaskClient, sync: Sync, learner_feed: EventSource
) -> None:
    learner_feed.emit("learner.created", "l1", learner())
    sync.sync_once()
    resp = client.get("/learners/l1/retraining-path?occupation_uri=nope")
    assert resp.status_code == 404


def test_each_step_says_why_it_is_in_the_path(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _catalogue(jobs_feed, learner_feed)
    sync.sync_once()

    body = client.get("/learners/l1/retraining-path?vacancy_id=target").get_json()

    steps = {s["course_id"]: s for s in body["steps"]}
    assert steps["intro"]["why"]["is_prerequisite_of"] == ["c-ab"]
    assert steps["intro"]["why"]["teaches_missing"] == []
    assert "Required before “A and B”" in steps["intro"]["reason"]
    cd = steps["c-cd"]
    assert [s["uri"] for s in cd["why"]["teaches_missing"]] == [SKILL + "c", SKILL + "d"]
    assert cd["reason"].startswith("Teaches 2 missing skills: c, d.")
    assert all(s["why"]["learner_reads_it"] and s["language"] == "ru" for s in steps.values())


def test_a_retired_course_is_offered_to_nobody(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _catalogue(jobs_feed, learner_feed)
    sync.sync_once()
    before = client.get("/learners/l1/retraining-path?vacancy_id=target").get_json()
    assert "c-cd" in [s["course_id"] for s in before["steps"]]
    offered = client.get("/learners/l1/recommendations/courses?vacancy_id=target").get_json()
    assert "c-cd" in {c["course_id"] for c in offered["items"]}

    retired = course(title="C and D", hours=12, skills=[skill("c"), skill("d")], retired=True)
    learner_feed.emit("course.updated", "c-cd", retired)
    sync.sync_once()

    after = client.get("/learners/l1/retraining-path?vacancy_id=target").get_json()
    assert "c-cd" not in [s["course_id"] for s in after["steps"]]
    offered = client.get("/learners/l1/recommendations/courses?vacancy_id=target").get_json()
    assert "c-cd" not in {c["course_id"] for c in offered["items"]}
