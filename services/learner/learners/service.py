"""Rules of learner profiles: create, update, list, and the skills on a profile."""

from __future__ import annotations

import re
from typing import Any

from pydantic import TypeAdapter, ValidationError

from services.common.api import validation_problem
from services.common.clock import iso, utcnow
from services.common.db import get_or_404, transaction
from services.common.emails import email_key
from services.common.errors import Conflict, NotFound, ValidationProblem, field_error
from services.common.feed import append_event
from services.common.pagination import paginate

from ..courses.models import Course
from ..settings import ALIAS
from .models import DesiredOccupation, LanguageEntry, Learner, SkillEntry
from .schemas import (
    ExtractedSkillsIn,
    LearnerCreate,
    LearnerQuery,
    LearnerRead,
    LearnerUpdate,
    SkillIn,
    Uri,
)

_URI = TypeAdapter(Uri)
_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def skill_dict(skill: SkillEntry) -> dict[str, Any]:
    """Return a profile skill as plain data."""
    return {
        "uri": skill.uri,
        "label": skill.label,
        "level": skill.level,
        "source": skill.source,
        "evidence": skill.evidence,
        "confidence": skill.confidence,
    }


def event_data(learner: Learner) -> dict[str, Any]:
    """Return what the feed tells about a learner: everything but name and email."""
    return {
        "id": str(learner.id),
        "region": learner.region,
        "programme": learner.programme,
        "cohort": learner.cohort,
        "languages": [{"code": lang.code, "level": lang.level} for lang in learner.languages],
        "skills": [skill_dict(s) for s in learner.skills],
        "rejected_skills": list(learner.rejected_skills),
        "desired_occupations": [
            {"uri": o.uri, "title": o.title} for o in learner.desired_occupations
        ],
        "cv_text": learner.cv_text,
        "consent": learner.consent,
        "updated_at": iso(learner.updated_at),
    }


def _save_and_announce(learner: Learner, event: str) -> Learner:
    learner.updated_at = utcnow()
    learner.save()
    append_event(ALIAS, event, str(learner.id), event_data(learner))
    return learner


def get(*, learner_id: str) -> Learner:
    """Return one learner or raise NotFound."""
    return get_or_404(Learner, learner_id, "learner")


def get_all(*, query: LearnerQuery) -> dict[str, Any]:
    """Return one page of learners matching the filters, with the total."""
    qs = Learner.objects
    if query.region:
        qs = qs.in_regions(query.region)
    if query.programme:
        qs = qs.in_programmes(query.programme)
    if query.cohort:
        qs = qs.of_cohort(query.cohort)
    if query.language:
        qs = qs.speaking(query.language)
    if query.skill:
        qs = qs.with_skills(query.skill)
    if query.consent is not None:
        qs = qs.consenting(query.consent)
    if query.q:
        qs = qs.mentioning(query.q)
    return paginate(qs.order_by("id"), query, LearnerRead)


def consent_of(*, ids: list[str]) -> dict[str, bool]:
    """Tell for each id whether that learner exists and consents to be found, as stored now."""
    # Read from the store at call time, so a withdrawal or deletion counts at once, however far
    # behind the feed's followers are. An id that cannot exist is simply not consenting.
    wanted = {i for i in ids if _OBJECT_ID.match(i)}
    found = Learner.objects(id__in=sorted(wanted)).consenting().only("id") if wanted else []
    consenting = {str(learner.id) for learner in found}
    return {i: i in consenting for i in ids}


def _ensure_email_free(email: str, *, except_id: Any = None) -> None:
    clash = Learner.objects.with_email(email).only("id").first()
    if clash is not None and clash.id != except_id:
        raise Conflict(
            "a learner with this email already exists",
            errors=[field_error("email", "already registered (emails are case-insensitive)")],
        )


def _apply_profile(learner: Learner, data: LearnerCreate) -> None:
    was_consenting = bool(learner.consent)
    learner.name = data.name
    learner.email = data.email
    learner.region = data.region
    learner.programme = data.programme
    learner.cohort = data.cohort
    learner.languages = [LanguageEntry(code=lang.code, level=lang.level) for lang in data.languages]
    learner.desired_occupations = [
        DesiredOccupation(uri=o.uri, title=o.title) for o in data.desired_occupations
    ]
    learner.cv_text = data.cv_text
    learner.consent = data.consent
    if data.consent and not was_consenting:
        learner.consent_at = utcnow()
    elif not data.consent:
        learner.consent_at = None


def create(*, body: LearnerCreate) -> Learner:
    """Create a learner; the email must be new (case-insensitive)."""

    def write() -> Learner:
        # A fresh document on every run: a re-run must not find the id of an aborted insert.
        learner = Learner(skills=_dedupe_self_skills(body.skills))
        _apply_profile(learner, body)
        _ensure_email_free(body.email)
        learner.created_at = utcnow()
        return _save_and_announce(learner, "learner.created")

    return transaction(ALIAS, write)


def _dedupe_self_skills(skills: list[SkillIn]) -> list[SkillEntry]:
    entries: list[SkillEntry] = []
    for skill in skills:
        if not any(_same_skill(e, skill.uri, skill.label) for e in entries):
            entries.append(
                SkillEntry(uri=skill.uri, label=skill.label, level=skill.level, source="self")
            )
    return entries


def _profile_dict(learner: Learner) -> dict[str, Any]:
    return {
        "name": learner.name,
        "email": learner.email,
        "region": learner.region,
        "programme": learner.programme,
        "cohort": learner.cohort,
        "languages": [{"code": lang.code, "level": lang.level} for lang in learner.languages],
        "desired_occupations": [
            {k: v for k, v in (("uri", o.uri), ("title", o.title)) if v is not None}
            for o in learner.desired_occupations
        ],
        "cv_text": learner.cv_text,
        "consent": bool(learner.consent),
    }


def update(*, learner_id: str, body: LearnerUpdate) -> Learner:
    """Apply a partial update, validating the merged profile as a whole."""

    def write() -> Learner:
        learner = get(learner_id=learner_id)
        merged = _profile_dict(learner)
        merged.update(body.model_dump(exclude_unset=True))
        try:
            data = LearnerCreate.model_validate(merged)
        except ValidationError as exc:
            raise validation_problem(exc, "body") from exc
        if email_key(data.email) != learner.email_key:
            _ensure_email_free(data.email, except_id=learner.id)
        before = _profile_dict(learner)
        _apply_profile(learner, data)
        if _profile_dict(learner) == before:
            return learner
        return _save_and_announce(learner, "learner.updated")

    return transaction(ALIAS, write)


def _same_skill(entry: SkillEntry, uri: str | None, label: str) -> bool:
    if uri is not None:
        return entry.uri == uri
    return entry.uri is None and entry.label.casefold() == label.casefold()


def add_skill(*, learner_id: str, body: SkillIn) -> Learner:
    """Declare a skill on the profile; declaring a rejected skill lifts the rejection."""

    def write() -> Learner:
        learner = get(learner_id=learner_id)
        before = ([skill_dict(s) for s in learner.skills], list(learner.rejected_skills))
        if body.uri is not None and body.uri in learner.rejected_skills:
            learner.rejected_skills = [u for u in learner.rejected_skills if u != body.uri]
        existing = next((s for s in learner.skills if _same_skill(s, body.uri, body.label)), None)
        if existing is None:
            learner.skills.append(
                SkillEntry(uri=body.uri, label=body.label, level=body.level, source="self")
            )
        else:
            # The learner confirms an extracted skill: it becomes their own statement. A skill
            # backed by a completed course keeps that stronger evidence.
            if existing.source == "extracted":
                existing.source, existing.evidence, existing.confidence = "self", None, None
            if existing.source == "self":
                existing.label = body.label
            if body.level is not None:
                existing.level = body.level
        if ([skill_dict(s) for s in learner.skills], list(learner.rejected_skills)) == before:
            return learner
        return _save_and_announce(learner, "learner.updated")

    return transaction(ALIAS, write)


def remove_skill(*, learner_id: str, key: str) -> None:
    """Remove a skill, named by its URI or (for unmapped skills) its label."""

    def write() -> None:
        learner = get(learner_id=learner_id)
        uri = key if key.startswith(("http://", "https://")) else None
        kept = [s for s in learner.skills if not _same_skill(s, uri, key)]
        if len(kept) == len(learner.skills):
            raise NotFound(f"learner {learner_id} has no skill {key}")
        learner.skills = kept
        _save_and_announce(learner, "learner.updated")

    transaction(ALIAS, write)


def reject_skill(*, learner_id: str, uri: str) -> Learner:
    """Mark a skill URI as not the learner's: remove it and never bring it back automatically."""
    try:
        uri = _URI.validate_python(uri)
    except ValidationError as exc:
        raise ValidationProblem(
            "only a skill URI can be rejected", errors=[field_error("uri", "not an http(s) URI")]
        ) from exc

    def write() -> Learner:
        learner = get(learner_id=learner_id)
        kept = [s for s in learner.skills if s.uri != uri]
        if uri in learner.rejected_skills and len(kept) == len(learner.skills):
            return learner
        learner.skills = kept
        if uri not in learner.rejected_skills:
            learner.rejected_skills.append(uri)
        return _save_and_announce(learner, "learner.updated")

    return transaction(ALIAS, write)


def set_extracted(*, learner_id: str, body: ExtractedSkillsIn) -> Learner:
    """Replace the extracted skills (the matcher's write-back), skipping rejected ones."""

    def write() -> Learner:
        learner = get(learner_id=learner_id)
        rejected = set(learner.rejected_skills)
        kept = [s for s in learner.skills if s.source != "extracted"]
        known = {s.uri for s in kept if s.uri}
        best: dict[str, SkillEntry] = {}
        for item in body.skills:
            if item.uri in rejected or item.uri in known:
                continue
            previous = best.get(item.uri)
            if previous is None or (item.confidence or 0) > (previous.confidence or 0):
                best[item.uri] = SkillEntry(
                    uri=item.uri,
                    label=item.label,
                    source="extracted",
                    evidence=item.evidence,
                    confidence=item.confidence,
                )
        old = {s.uri: skill_dict(s) for s in learner.skills if s.source == "extracted"}
        new = list(best.values())
        if {s.uri: skill_dict(s) for s in new} == old:
            return learner
        learner.skills = kept + new
        return _save_and_announce(learner, "learner.updated")

    return transaction(ALIAS, write)


def add_course_skills(learner: Learner, course: Course) -> bool:
    """Add the skills a completed course teaches (in the caller's write); tell if changed."""
    evidence = f"Completed {course.title} ({course.provider})"
    rejected = set(learner.rejected_skills)
    changed = False
    for taught in course.skills:
        if taught.uri and taught.uri in rejected:
            continue
        existing = next(
            (s for s in learner.skills if _same_skill(s, taught.uri, taught.label)), None
        )
        if existing is None:
            learner.skills.append(
                SkillEntry(uri=taught.uri, label=taught.label, source="course", evidence=evidence)
            )
            changed = True
        elif existing.source != "course":
            # A completed course is firmer evidence than a claim or a guess from the CV.
            existing.source, existing.evidence, existing.confidence = "course", evidence, None
            changed = True
    if changed:
        _save_and_announce(learner, "learner.updated")
    return changed
