"""Recommendations through HTTP: explanations, filters before truncation, consent, trainable."""

from __future__ import annotations

import numpy as np
import pytest
from flask.testing import FlaskClient

from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.recommend.state import Matcher
from services.matcher.sync.feeds import Sync
from services.matcher.sync.models import LearnerCopy, VacancyCopy
from tests.matcher.conftest import EventSource
from tests.matcher.factories import SKILL, course, learner, skill, vacancy


def _cosine(embedder: FakeEmbedder, a: str, b: str) -> float:
    va, vb = FakeEmbedder(dim=embedder.dim).encode([a, b])
    return float(va @ vb)


def test_job_explanation_lists_matched_missing_and_score_parts(
    client: FlaskClient,
    sync: Sync,
    jobs_feed: EventSource,
    learner_feed: EventSource,
    embedder: FakeEmbedder,
) -> None:
    jobs_feed.emit(
        "vacancy.created",
        "v1",
        vacancy(
            title="Data engineer",
            skills=[
                skill("sql", essential=True),
                skill("python", essential=True),
                skill("docker", essential=False),
            ],
        ),
    )
    learner_feed.emit(
        "learner.created", "l1", learner(skills=[skill("sql"), skill("docker"), skill("excel")])
    )
    sync.sync_once()

    body = client.get("/learners/l1/recommendations/jobs").get_json()

    [item] = body["items"]
    assert item["vacancy_id"] == "v1"
    assert item["matched_skills"] == [
        {"uri": SKILL + "sql", "label": "sql", "essential": True},
        {"uri": SKILL + "docker", "label": "docker", "essential": False},
    ]
    assert item["missing_skills"] == [
        {"uri": SKILL + "python", "label": "python", "essential": True}
    ]
    assert body["weights"]["similarity"] == 0.4 and body["weights"]["essential_skill"] == 2.0
    score = item["score"]
    assert score["coverage"] == pytest.approx((2 + 1) / (2 + 2 + 1), abs=1e-4)
    cos = _cosine(
        embedder, VacancyCopy.objects.get(id="v1").text, LearnerCopy.objects.get(id="l1").text
    )
    assert score["cosine"] == pytest.approx(cos, abs=1e-4)
    assert score["similarity"] == pytest.approx(min(max(cos, 0.0), 1.0), abs=1e-4)
    assert score["total"] == pytest.approx(0.4 * score["similarity"] + 0.6 * 0.6, abs=1e-3)


def test_more_coverage_ranks_higher_at_equal_text(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    skills = [skill("sql", essential=True), skill("python", essential=True)]
    jobs_feed.emit("vacancy.created", "v-sql", vacancy(skills=skills[:1]))
    jobs_feed.emit("vacancy.created", "v-both", vacancy(skills=skills))
    learner_feed.emit("learner.created", "l1", learner(skills=[skill("python")]))
    sync.sync_once()

    items = client.get("/learners/l1/recommendations/jobs").get_json()["items"]

    assert [i["vacancy_id"] for i in items] == ["v-both", "v-sql"]
    assert [i["score"]["coverage"] for i in items] == [0.5, 0.0]


@pytest.mark.parametrize("approximate", [False, True], ids=["exact", "hnsw"])
def test_region_filter_applies_before_truncation(
    client: FlaskClient,
    sync: Sync,
    matcher: Matcher,
    jobs_feed: EventSource,
    learner_feed: EventSource,
    approximate: bool,
) -> None:
    if approximate:
        matcher.vacancies.ann_threshold = 200
    wanted = [skill("python", essential=True), skill("sql", essential=True)]
    for i in range(997):
        jobs_feed.emit(
            "vacancy.created",
            f"a{i}",
            vacancy(title=f"Python developer {i}", skills=wanted, region="astana"),
        )
    for i in range(3):
        jobs_feed.emit(
            "vacancy.created",
            f"x{i}",
            vacancy(
                title="Night-shift warehouse loader",
                description="Lift boxes.",
                skills=[],
                region="shymkent",
            ),
        )
    learner_feed.emit("learner.created", "l1", learner(skills=wanted, cv_text="Python developer"))
    sync.sync_once()

    unfiltered = client.get("/learners/l1/recommendations/jobs?limit=10").get_json()
    assert not any(i["vacancy_id"].startswith("x") for i in unfiltered["items"])
    assert (matcher.vacancies.ann is not None) == approximate
    filtered = client.get("/learners/l1/recommendations/jobs?limit=10&region=shymkent").get_json()

    assert sorted(i["vacancy_id"] for i in filtered["items"]) == ["x0", "x1", "x2"]
    assert filtered["considered"] == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("remote=true", {"remote"}),
        ("remote=false", {"office-kk", "office-en-paid"}),
        ("salary_min=500000", {"office-en-paid"}),
        ("language=kk", {"office-kk"}),
        ("language=en&region=almaty-city", {"office-en-paid"}),
        ("region=astana", {"remote", "office-kk"}),
        ("employment_type=part", {"remote"}),
        ("employment_type=part&employment_type=internship", {"remote", "office-en-paid"}),
        ("employment_type=full", {"office-kk"}),
        ("employment_type=project", set()),
    ],
)
def test_filters_keep_only_matching_vacancies(
    client: FlaskClient,
    sync: Sync,
    jobs_feed: EventSource,
    learner_feed: EventSource,
    query: str,
    expected: set[str],
) -> None:
    jobs_feed.emit(
        "vacancy.created",
        "remote",
        vacancy(remote=True, salary_max=300_000, employment_type="part"),
    )
    jobs_feed.emit(
        "vacancy.created",
        "office-kk",
        vacancy(languages=[{"code": "kk", "level": "B2"}], salary_min=200_000),
    )  # no employment type on the event: the jobs service's default, full
    jobs_feed.emit(
        "vacancy.created",
        "office-en-paid",
        vacancy(
            region="almaty-city",
            languages=[{"code": "en"}],
            salary_min=600_000,
            salary_max=900_000,
            employment_type="internship",
        ),
    )
    learner_feed.emit("learner.created", "l1", learner())
    sync.sync_once()

    items = client.get(f"/learners/l1/recommendations/jobs?{query}").get_json()["items"]

    assert {i["vacancy_id"] for i in items} == expected


def test_closed_and_deleted_vacancies_are_not_recommended(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    for vid in ("v1", "v2", "v3"):
        jobs_feed.emit("vacancy.created", vid, vacancy())
    learner_feed.emit("learner.created", "l1", learner())
    sync.sync_once()
    jobs_feed.emit("vacancy.closed", "v1", vacancy(status="closed"))
    jobs_feed.emit("vacancy.deleted", "v2", {"id": "v2"})
    sync.sync_once()

    items = client.get("/learners/l1/recommendations/jobs").get_json()["items"]

    assert [i["vacancy_id"] for i in items] == ["v3"]


def test_unknown_learner_is_404_and_bad_filter_422(client: FlaskClient) -> None:
    assert client.get("/learners/nobody/recommendations/jobs").status_code == 404
    resp = client.get("/learners/l1/recommendations/jobs?region=atlantis")
    assert resp.status_code == 422
    assert [e["field"] for e in resp.get_json()["errors"]] == ["query.region.0"]


def _team(jobs_feed: EventSource, learner_feed: EventSource) -> None:
    need = [skill(s, essential=True) for s in ("a", "b", "c", "d")]
    jobs_feed.emit("vacancy.created", "v1", vacancy(skills=need))
    learner_feed.emit(
        "course.created", "c-ab", course(title="A and B", hours=20, skills=[skill("a"), skill("b")])
    )
    learner_feed.emit("course.created", "c-c", course(title="C", hours=8, skills=[skill("c")]))
    # "refuser" fits best but has not consented.
    learner_feed.emit("learner.created", "refuser", learner(skills=need, consent=False))
    learner_feed.emit("learner.created", "all4", learner(skills=need[:4]))
    learner_feed.emit("learner.created", "miss1", learner(skills=need[:3]))
    learner_feed.emit("learner.created", "miss2", learner(skills=need[:2]))
    learner_feed.emit("learner.created", "miss3", learner(skills=need[:1]))
    learner_feed.emit("learner.created", "miss2-refuser", learner(skills=need[:2], consent=False))


def test_candidates_never_include_non_consenting_learners(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _team(jobs_feed, learner_feed)
    sync.sync_once()

    body = client.get("/vacancies/v1/candidates?limit=50&trainable_k=4").get_json()

    ids = {c["learner_id"] for c in body["candidates"]} | {
        t["learner_id"] for t in body["trainable"]
    }
    assert ids == {"all4", "miss1", "miss2", "miss3"}
    assert body["candidates"][0]["learner_id"] == "all4"
    assert body["considered"] == 4


def test_trainable_candidates_miss_at_most_k_with_courses_closing_the_gap(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _team(jobs_feed, learner_feed)
    sync.sync_once()

    body = client.get("/vacancies/v1/candidates?trainable_k=2").get_json()

    trainable = {t["learner_id"]: t for t in body["trainable"]}
    assert set(trainable) == {"miss1", "miss2"}
    assert all(1 <= t["missing_essential"] <= 2 for t in trainable.values())
    one = trainable["miss1"]
    assert [s["uri"] for s in one["missing_skills"]] == [SKILL + "d"]
    assert one["courses"] == [] and not one["gap_closable"]
    assert [s["uri"] for s in one["uncoverable_skills"]] == [SKILL + "d"]
    two = trainable["miss2"]
    assert {s["uri"] for s in two["missing_skills"]} == {SKILL + "c", SKILL + "d"}
    assert [c["course_id"] for c in two["courses"]] == ["c-c"]
    assert two["hours"] == 8.0


def test_candidates_of_unknown_vacancy_is_404(client: FlaskClient) -> None:
    assert client.get("/vacancies/nope/candidates").status_code == 404


def test_courses_toward_a_vacancy_teach_what_is_missing(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _team(jobs_feed, learner_feed)
    learner_feed.emit("course.created", "c-x", course(title="Unrelated", skills=[skill("x")]))
    learner_feed.emit(
        "enrolment.completed",
        "en1",
        {
            "id": "en1",
            "learner_id": "miss2",
            "course_id": "c-c",
            "status": "completed",
        },
    )
    sync.sync_once()

    body = client.get("/learners/miss3/recommendations/courses?vacancy_id=v1").get_json()
    assert [s["uri"] for s in body["missing_skills"]] == [SKILL + s for s in ("b", "c", "d")]
    items = {i["course_id"]: i for i in body["items"]}
    assert set(items) == {"c-ab", "c-c"}
    assert [s["uri"] for s in items["c-ab"]["matched_skills"]] == [SKILL + "b"]
    assert items["c-c"]["score"]["coverage"] == pytest.approx(1 / 3, abs=1e-4)

    done = client.get("/learners/miss2/recommendations/courses?vacancy_id=v1").get_json()
    assert "c-c" not in {i["course_id"] for i in done["items"]}


def test_courses_need_exactly_one_target(
    client: FlaskClient, sync: Sync, learner_feed: EventSource
) -> None:
    learner_feed.emit("learner.created", "l1", learner())
    sync.sync_once()
    assert client.get("/learners/l1/recommendations/courses").status_code == 422
    both = client.get("/learners/l1/recommendations/courses?vacancy_id=v&occupation_uri=o")
    assert both.status_code == 422


def test_every_vacancy_comes_sorted_by_its_total_of_weighted_similarity_and_coverage(
    client: FlaskClient,
    sync: Sync,
    jobs_feed: EventSource,
    learner_feed: EventSource,
    embedder: FakeEmbedder,
) -> None:
    rng = np.random.default_rng(7)
    words = ["python", "sql", "excel", "docker", "sales", "driving", "nursing", "design"]
    for i in range(60):
        picked = rng.choice(words, size=3, replace=False)
        jobs_feed.emit(
            "vacancy.created",
            f"v{i}",
            vacancy(
                title=" ".join(picked),
                skills=[skill(w, essential=bool(j % 2)) for j, w in enumerate(picked)],
            ),
        )
    learner_feed.emit(
        "learner.created",
        "l1",
        learner(skills=[skill("python"), skill("sql")], cv_text="python sql analyst"),
    )
    sync.sync_once()

    items = client.get("/learners/l1/recommendations/jobs?limit=60").get_json()["items"]
    totals = [i["score"]["total"] for i in items]

    assert len(items) == 60
    assert totals == sorted(totals, reverse=True)
    for item in items:
        s = item["score"]
        assert s["total"] == pytest.approx(0.4 * s["similarity"] + 0.6 * s["coverage"], abs=1e-3)


def test_hnsw_with_a_broad_filter_returns_only_passing_vacancies_close_to_exact(
    client: FlaskClient,
    sync: Sync,
    matcher: Matcher,
    jobs_feed: EventSource,
    learner_feed: EventSource,
) -> None:
    matcher.vacancies.ann_threshold = 100
    words = ["python", "sql", "excel", "docker", "sales", "driving", "nursing", "design", "go"]
    rng = np.random.default_rng(11)
    for i in range(600):
        picked = rng.choice(words, size=3, replace=False)
        jobs_feed.emit(
            "vacancy.created",
            f"v{i}",
            vacancy(
                title=" ".join(picked),
                region="almaty-city" if i % 2 else "astana",
                skills=[skill(w, essential=True) for w in picked],
            ),
        )
    learner_feed.emit(
        "learner.created",
        "l1",
        learner(skills=[skill("python"), skill("docker")], cv_text="python docker engineer"),
    )
    sync.sync_once()
    url = "/learners/l1/recommendations/jobs?limit=10&region=almaty-city"

    approx = client.get(url).get_json()["items"]
    matcher.vacancies.ann = None
    exact = client.get(url).get_json()["items"]

    assert len(approx) == 10 and all(i["region"] == "almaty-city" for i in approx)
    overlap = {i["vacancy_id"] for i in approx} & {i["vacancy_id"] for i in exact}
    assert len(overlap) >= 8


def test_withdrawn_consent_removes_a_candidate_after_sync(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    _team(jobs_feed, learner_feed)
    sync.sync_once()
    need = [skill(s, essential=True) for s in ("a", "b", "c", "d")]
    learner_feed.emit("learner.updated", "all4", learner(skills=need, consent=False))
    learner_feed.emit("learner.deleted", "miss1", {"id": "miss1"})
    sync.sync_once()

    body = client.get("/vacancies/v1/candidates?limit=50&trainable_k=0").get_json()

    assert {c["learner_id"] for c in body["candidates"]} == {"miss2", "miss3"}
    assert body["trainable"] == [] and body["trainable_k"] == 0


def test_openapi_documents_every_matcher_endpoint(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in (
        "/skills/extract",
        "/occupations/match",
        "/skills",
        "/skills/{uri}",
        "/occupations",
        "/occupations/{uri}",
        "/learners/{learner_id}/recommendations/jobs",
        "/learners/{learner_id}/recommendations/courses",
        "/learners/{learner_id}/retraining-path",
        "/vacancies/{vacancy_id}/candidates",
        "/sync/status",
    ):
        assert path in paths, path
    jobs = paths["/learners/{learner_id}/recommendations/jobs"]["get"]
    assert {p["name"] for p in jobs["parameters"]} >= {"region", "remote", "salary_min", "language"}


def test_job_items_name_the_languages_asked_above_the_learners_level(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource, learner_feed: EventSource
) -> None:
    jobs_feed.emit(
        "vacancy.created",
        "en-b2",
        vacancy(languages=[{"code": "ru", "level": "B2"}, {"code": "en", "level": "B2"}]),
    )
    jobs_feed.emit("vacancy.created", "kk-any", vacancy(languages=[{"code": "kk"}]))
    jobs_feed.emit("vacancy.created", "ru-c1", vacancy(languages=[{"code": "ru", "level": "C1"}]))
    speaks = [{"code": "ru", "level": "native"}, {"code": "en", "level": "A2"}]
    learner_feed.emit("learner.created", "l1", learner(languages=speaks))
    sync.sync_once()

    items = client.get("/learners/l1/recommendations/jobs").get_json()["items"]
    unmet = {i["vacancy_id"]: i["languages_unmet"] for i in items}

    assert unmet == {
        "en-b2": [{"code": "en", "level": "B2"}],
        "kk-any": [{"code": "kk", "level": None}],
        "ru-c1": [],
    }

    learner_feed.emit(
        "learner.updated", "l1", learner(languages=[*speaks, {"code": "kk", "level": "A1"}])
    )
    sync.sync_once()
    items = client.get("/learners/l1/recommendations/jobs").get_json()["items"]
    assert {i["vacancy_id"]: i["languages_unmet"] for i in items}["kk-any"] == []
