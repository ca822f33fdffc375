"""Employment outcomes: hires read from the jobs feed, one per application."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bson import ObjectId
from pydantic import ValidationError

from services.common.api import PageQuery
from services.common.clock import as_utc, iso, utcnow
from services.common.db import database, transaction
from services.common.feed import CURSORS, FeedFollower, append_event
from services.common.http import client_for
from services.common.pagination import paginate

from ..learners.models import Learner
from ..learners.privacy import pseudonym
from ..learners.service import get as get_learner
from ..settings import ALIAS, Settings
from .models import Outcome
from .schemas import HireData, OutcomeRead

log = logging.getLogger("qabilet.learner.outcomes")

FOLLOWER_NAME = "jobs"


def event_data(outcome: Outcome) -> dict[str, Any]:
    """Return what the feed tells about an outcome."""
    return {
        "id": str(outcome.id),
        "application_id": outcome.application_id,
        "learner_id": outcome.learner_id,
        "employer_id": outcome.employer_id,
        "vacancy_id": outcome.vacancy_id,
        "region": outcome.region,
        "salary": outcome.salary,
        "hired_at": iso(outcome.hired_at),
        "programme": outcome.programme,
    }


def handle_event(event: dict[str, Any]) -> None:
    """Record a hire from a jobs feed event; other events and replays change nothing."""
    if event.get("type") == "application.hired":
        record_hire(event)


def record_hire(event: dict[str, Any]) -> Outcome | None:
    """Store the outcome of an ``application.hired`` event once per application."""
    try:
        hire = HireData.model_validate(event.get("data") or {})
    except ValidationError as exc:
        # A malformed event must not stall the feed forever: report it and move on.
        log.warning("skipping malformed hire event %s: %s", event.get("seq"), exc)
        return None

    def write() -> Outcome:
        existing = Outcome.objects.of_application(hire.application_id).first()
        if existing is not None:
            return existing
        learner = (
            Learner.objects(id=hire.learner_id).first()
            if ObjectId.is_valid(hire.learner_id)
            else None
        )
        hired_at = hire.hired_at or _event_time(event)
        outcome = Outcome(
            application_id=hire.application_id,
            # A hire of a learner deleted meanwhile still counts, under a pseudonym.
            learner_id=str(learner.id) if learner else pseudonym(),
            anonymised=learner is None,
            employer_id=hire.employer_id,
            employer_name=hire.employer_name,
            vacancy_id=hire.vacancy_id,
            vacancy_title=hire.vacancy_title,
            region=hire.region,
            salary=hire.salary,
            hired_at=as_utc(hired_at),
            programme=learner.programme if learner else None,
            learner_region=learner.region if learner else None,
            recorded_at=utcnow(),
        ).save()
        append_event(ALIAS, "outcome.recorded", str(outcome.id), event_data(outcome))
        return outcome

    return transaction(ALIAS, write)


def _event_time(event: dict[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return utcnow()


def for_learner(*, learner_id: str, page: PageQuery) -> dict[str, Any]:
    """Return one page of a learner's hires, newest first."""
    get_learner(learner_id=learner_id)
    qs = Outcome.objects.of_learner(learner_id).order_by("-hired_at")
    return paginate(qs, page, OutcomeRead)


def make_follower(settings: Settings) -> FeedFollower:
    """Return a follower of the jobs feed that records hires."""
    client = client_for(settings, "jobs", timeout=5.0)

    def fetch(after: int, limit: int) -> dict[str, Any]:
        page: dict[str, Any] = client.get("/changes", after=after, limit=limit)
        return page

    return FeedFollower(alias=ALIAS, name=FOLLOWER_NAME, fetch=fetch, handler=handle_event)


def stored_cursor() -> int:
    """Return the last jobs feed event handled, as stored."""
    doc = database(ALIAS)[CURSORS].find_one({"_id": FOLLOWER_NAME})
    return int(doc["seq"]) if doc else 0
