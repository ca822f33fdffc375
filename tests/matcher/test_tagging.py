"""Tagging on arrival: label-only skills mapped to ESCO, skill-less texts extracted."""

from __future__ import annotations

from flask.testing import FlaskClient

from services.matcher.esco.taxonomy import TaxonomySource
from services.matcher.sync.feeds import Sync
from services.matcher.sync.models import CourseCopy, VacancyCopy
from tests.matcher.conftest import EventSource, needs_esco
from tests.matcher.factories import course, learner, vacancy

pytestmark = needs_esco


def _two_word_skill(taxonomy: TaxonomySource) -> dict:
    return next(s for s in taxonomy.skills if len(s["label"].split()) in (2, 3))


def test_vacancy_without_skills_is_tagged_from_its_text(
    client: FlaskClient,
    sync: Sync,
    jobs_feed: EventSource,
    learner_feed: EventSource,
    taxonomy: TaxonomySource,
) -> None:
    wanted = _two_word_skill(taxonomy)
    jobs_feed.emit(
        "vacancy.created",
        "v1",
        vacancy(
            title="Specialist",
            description=f"Daily you {wanted['label']}. Friendly team.",
            skills=[],
        ),
    )
    learner_feed.emit(
        "learner.created", "l1", learner(skills=[{"uri": wanted["_id"], "label": wanted["label"]}])
    )
    sync.sync_once()

    stored = VacancyCopy.objects.get(id="v1")
    assert wanted["_id"] in {t["uri"] for t in stored.tags}
    tag = next(t for t in stored.tags if t["uri"] == wanted["_id"])
    assert wanted["label"] in tag["evidence"] and 0 < tag["confidence"] <= 1
    item = client.get("/learners/l1/recommendations/jobs").get_json()["items"][0]
    assert wanted["_id"] in {s["uri"] for s in item["matched_skills"]}


def test_label_only_skills_are_mapped_to_esco(
    sync: Sync, learner_feed: EventSource, taxonomy: TaxonomySource
) -> None:
    wanted = _two_word_skill(taxonomy)
    learner_feed.emit(
        "course.created",
        "c1",
        course(skills=[{"label": wanted["label"]}, {"label": "zzqx unknown thing"}]),
    )
    sync.sync_once()

    skills = {s["label"]: s for s in CourseCopy.objects.get(id="c1").skills}
    assert skills[wanted["label"]]["uri"] == wanted["_id"]
    assert skills["zzqx unknown thing"]["uri"] is None


def test_rejected_skill_is_never_extracted_from_a_cv(
    sync: Sync, learner_feed: EventSource, taxonomy: TaxonomySource
) -> None:
    wanted = _two_word_skill(taxonomy)
    cv = f"I {wanted['label']} every day."
    learner_feed.emit("learner.created", "keen", learner(cv_text=cv))
    learner_feed.emit(
        "learner.created", "refused", learner(cv_text=cv, rejected_skills=[wanted["_id"]])
    )
    sync.sync_once()

    puts = {path: body for method, path, body in learner_feed.calls if method == "PUT"}
    keen = {s["uri"] for s in puts["/learners/keen/extracted-skills"]["skills"]}
    refused = {s["uri"] for s in puts["/learners/refused/extracted-skills"]["skills"]}
    assert wanted["_id"] in keen and wanted["_id"] not in refused
