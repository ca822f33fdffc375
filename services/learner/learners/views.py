"""HTTP views of learner profiles, their skills and their consent."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common.api import Page, endpoint

from . import privacy, service
from .models import Learner
from .schemas import (
    ConsentQuery,
    ConsentRead,
    ExtractedSkillsIn,
    LearnerCreate,
    LearnerQuery,
    LearnerRead,
    LearnerUpdate,
    SkillIn,
)

bp = Blueprint("learners", __name__)
TAGS = ["learners"]


@endpoint(
    bp,
    "POST",
    "/learners",
    body=LearnerCreate,
    response=LearnerRead,
    status=201,
    tags=TAGS,
    errors={409: "email already registered"},
)
def create_learner(body: LearnerCreate) -> Learner:
    """Create a learner profile."""
    return service.create(body=body)


@endpoint(bp, "GET", "/learners", query=LearnerQuery, response=Page[LearnerRead], tags=TAGS)
def list_learners(query: LearnerQuery) -> dict[str, Any]:
    """List learners with filters and pagination."""
    return service.get_all(query=query)


@endpoint(bp, "GET", "/consent", query=ConsentQuery, response=ConsentRead, tags=TAGS)
def get_consent(query: ConsentQuery) -> dict[str, Any]:
    """Tell which of the given learners exist and consent to be found now (for the gateway)."""
    return {"consent": service.consent_of(ids=query.ids)}


@endpoint(bp, "GET", "/learners/<learner_id>", response=LearnerRead, tags=TAGS)
def get_learner(learner_id: str) -> Learner:
    """Read a learner profile."""
    return service.get(learner_id=learner_id)


@endpoint(
    bp,
    "PATCH",
    "/learners/<learner_id>",
    body=LearnerUpdate,
    response=LearnerRead,
    tags=TAGS,
    errors={409: "email already registered"},
)
def update_learner(learner_id: str, body: LearnerUpdate) -> Learner:
    """Update some fields of a learner profile."""
    return service.update(learner_id=learner_id, body=body)


@endpoint(bp, "DELETE", "/learners/<learner_id>", status=204, tags=TAGS)
def delete_learner(learner_id: str) -> None:
    """Delete a learner's personal data; statistics keep anonymised rows."""
    privacy.delete(learner_id=learner_id)


@endpoint(
    bp,
    "POST",
    "/learners/<learner_id>/skills",
    body=SkillIn,
    response=LearnerRead,
    status=201,
    tags=TAGS,
)
def add_skill(learner_id: str, body: SkillIn) -> Learner:
    """Declare a skill on the profile (source "self")."""
    return service.add_skill(learner_id=learner_id, body=body)


@endpoint(bp, "DELETE", "/learners/<learner_id>/skills/<path:uri>", status=204, tags=TAGS)
def remove_skill(learner_id: str, uri: str) -> None:
    """Remove a skill, named by its URI (or its label when it has none)."""
    service.remove_skill(learner_id=learner_id, key=uri)


@endpoint(
    bp,
    "POST",
    "/learners/<learner_id>/skills/<path:uri>/reject",
    response=LearnerRead,
    tags=TAGS,
)
def reject_skill(learner_id: str, uri: str) -> Learner:
    """Reject a skill URI: remove it and keep it from coming back as extracted."""
    return service.reject_skill(learner_id=learner_id, uri=uri)


@endpoint(
    bp,
    "PUT",
    "/learners/<learner_id>/extracted-skills",
    body=ExtractedSkillsIn,
    response=LearnerRead,
    tags=TAGS,
)
def put_extracted_skills(learner_id: str, body: ExtractedSkillsIn) -> Learner:
    """Replace the skills extracted from the CV (the matcher's write-back)."""
    return service.set_extracted(learner_id=learner_id, body=body)
