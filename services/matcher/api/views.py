"""HTTP views of the matcher: parse, call the matcher, serialise."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from services.common.api import endpoint
from services.common.errors import Unavailable
from services.matcher.api import lookups
from services.matcher.api.recommendation_schemas import (
    CandidatesOut,
    CandidatesQuery,
    CoursesOut,
    JobsOut,
    JobsQuery,
    PathOut,
    PathQuery,
    TargetQuery,
)
from services.matcher.api.schemas import (
    ExtractIn,
    ExtractOut,
    LabelsOut,
    LabelsQuery,
    LangQuery,
    OccupationDetail,
    OccupationMatchIn,
    OccupationMatchOut,
    OccupationPage,
    SearchQuery,
    SkillDetail,
    SkillPage,
    SyncStatusOut,
)
from services.matcher.ml.vocabulary import display_labels
from services.matcher.recommend.candidates import candidates_for_vacancy
from services.matcher.recommend.paths import courses_for_learner, retraining_path
from services.matcher.recommend.ranking import jobs_for_learner
from services.matcher.recommend.state import Matcher
from services.matcher.sync.bridge import WorkerBridge
from services.matcher.sync.feeds import Sync

bp = Blueprint("matcher", __name__)


def _matcher(ready: bool = False) -> Matcher:
    m: Matcher = current_app.extensions["matcher"]
    if ready and m.state != "ready":
        raise Unavailable(
            f"the matcher is {m.state}: indexes are being rebuilt", headers={"Retry-After": "5"}
        )
    return m


@endpoint(
    bp,
    "POST",
    "/skills/extract",
    body=ExtractIn,
    response=ExtractOut,
    tags=["skills"],
    errors={503: "taxonomy not imported"},
)
def extract_skills(body: ExtractIn) -> dict[str, Any]:
    """Extract ESCO skills from free text, each with a confidence and its evidence."""
    return lookups.extract(_matcher(), body=body)


@endpoint(
    bp,
    "POST",
    "/occupations/match",
    body=OccupationMatchIn,
    query=LangQuery,
    response=OccupationMatchOut,
    tags=["occupations"],
    errors={503: "taxonomy not imported"},
)
def match_occupations(body: OccupationMatchIn, query: LangQuery) -> dict[str, Any]:
    """Rank ESCO occupations for a job title (labels in ``?lang=`` where the vocabulary has one)."""
    return lookups.match_title(_matcher(), body=body, lang=query.lang)


@endpoint(bp, "GET", "/labels", query=LabelsQuery, response=LabelsOut, tags=["skills"])
def list_labels(query: LabelsQuery) -> dict[str, Any]:
    """Return the kk or ru names of the skills and occupations the vocabulary names."""
    return {"lang": query.lang, "labels": display_labels(query.lang)}


@endpoint(bp, "GET", "/skills", query=SearchQuery, response=SkillPage, tags=["skills"])
def list_skills(query: SearchQuery) -> dict[str, Any]:
    """Search ESCO skills by label."""
    return lookups.search_skills(_matcher(), query=query)


@endpoint(bp, "GET", "/skills/<path:uri>", query=LangQuery, response=SkillDetail, tags=["skills"])
def get_skill(uri: str, query: LangQuery) -> dict[str, Any]:
    """Return one ESCO skill (full URI or its identifier) with the occupations needing it."""
    return lookups.skill_detail(_matcher(), uri=uri, lang=query.lang)


@endpoint(
    bp, "GET", "/occupations", query=SearchQuery, response=OccupationPage, tags=["occupations"]
)
def list_occupations(query: SearchQuery) -> dict[str, Any]:
    """Search ESCO occupations by label."""
    return lookups.search_occupations(_matcher(), query=query)


@endpoint(
    bp,
    "GET",
    "/occupations/<path:uri>",
    query=LangQuery,
    response=OccupationDetail,
    tags=["occupations"],
)
def get_occupation(uri: str, query: LangQuery) -> dict[str, Any]:
    """Return one ESCO occupation with its essential and optional skills."""
    return lookups.occupation_detail(_matcher(), uri=uri, lang=query.lang)


@endpoint(
    bp,
    "GET",
    "/learners/<learner_id>/recommendations/jobs",
    query=JobsQuery,
    response=JobsOut,
    tags=["recommendations"],
    errors={503: "indexes loading"},
)
def recommend_jobs(learner_id: str, query: JobsQuery) -> dict[str, Any]:
    """Recommend open vacancies to a learner, each explained."""
    return jobs_for_learner(
        _matcher(ready=True),
        learner_id=learner_id,
        region=list(query.region) if query.region else None,
        remote=query.remote,
        salary_min=query.salary_min,
        language=list(query.language) if query.language else None,
        employment_type=list(query.employment_type) if query.employment_type else None,
        limit=query.limit,
    )


@endpoint(
    bp,
    "GET",
    "/learners/<learner_id>/recommendations/courses",
    query=TargetQuery,
    response=CoursesOut,
    tags=["recommendations"],
    errors={503: "indexes loading"},
)
def recommend_courses(learner_id: str, query: TargetQuery) -> dict[str, Any]:
    """Recommend courses toward a vacancy or an ESCO occupation, each explained."""
    return courses_for_learner(
        _matcher(ready=True),
        learner_id=learner_id,
        vacancy_id=query.vacancy_id,
        occupation_uri=query.occupation_uri,
        limit=query.limit,
        any_language=query.any_language,
    )


@endpoint(
    bp,
    "GET",
    "/learners/<learner_id>/retraining-path",
    query=PathQuery,
    response=PathOut,
    tags=["recommendations"],
    errors={503: "indexes loading"},
)
def get_retraining_path(learner_id: str, query: PathQuery) -> dict[str, Any]:
    """Plan the fewest course hours to a vacancy or occupation, with what opens after each."""
    return retraining_path(
        _matcher(ready=True),
        learner_id=learner_id,
        vacancy_id=query.vacancy_id,
        occupation_uri=query.occupation_uri,
        include_optional=query.include_optional,
        any_language=query.any_language,
    )


@endpoint(
    bp,
    "GET",
    "/vacancies/<vacancy_id>/candidates",
    query=CandidatesQuery,
    response=CandidatesOut,
    tags=["recommendations"],
    errors={503: "indexes loading"},
)
def list_candidates(vacancy_id: str, query: CandidatesQuery) -> dict[str, Any]:
    """List consenting learners who fit a vacancy, and those a few courses away."""
    return candidates_for_vacancy(
        _matcher(ready=True),
        vacancy_id=vacancy_id,
        trainable_k=query.trainable_k,
        region=list(query.region) if query.region else None,
        limit=query.limit,
    )


@endpoint(bp, "GET", "/sync/status", response=SyncStatusOut, tags=["sync"])
def get_sync_status() -> dict[str, Any]:
    """Report feed cursors, lag, index sizes and the last error."""
    m = _matcher()
    # The feed followers (tests) or the worker bridge: create_app always registers one.
    sync: Sync | WorkerBridge = current_app.extensions["matcher_sync"]
    status = m.status()
    return {
        **sync.status(),
        "state": status["state"],
        "load_error": status["load_error"],
        "model": status["model"],
        "indexes": status["indexes"],
        "embedding_cache": status["embedding_cache"],
        "worker_model": WORKER_MODEL,
    }


WORKER_MODEL = (
    "one gunicorn worker with several threads per matcher process: the indexes live in that "
    "process's memory (1M learners x 384 floats = 1.5 GB), numpy releases the GIL during the "
    "scans, and a single follower per process writes tags back once"
)
