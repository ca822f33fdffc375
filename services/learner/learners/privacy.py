"""Deleting a learner: personal data goes, anonymised statistics stay."""

from __future__ import annotations

import uuid

from services.common.db import database, transaction
from services.common.feed import CHANGES, append_event
from services.common.rawstore import scrub

from ..enrolments.models import Enrolment
from ..outcomes.models import Outcome
from ..settings import ALIAS
from .models import Learner
from .service import get

LEARNER_EVENTS = ("learner.created", "learner.updated")


def pseudonym() -> str:
    """Return a fresh random stand-in for a deleted learner's id."""
    return "anon-" + uuid.uuid4().hex[:20]


def delete(*, learner_id: str) -> None:
    """Delete a learner's profile; keep their enrolments and hires under a pseudonym."""

    def write() -> None:
        learner: Learner = get(learner_id=learner_id)
        alias = pseudonym()
        # The same pseudonym on every row keeps "per person" statistics (e.g. completions per
        # learner) countable without saying who the person was.
        Enrolment.objects.of_learner(learner_id).update(set__learner_id=alias, set__anonymised=True)
        Outcome.objects.of_learner(learner_id).update(set__learner_id=alias, set__anonymised=True)
        learner.delete()
        # Earlier feed events carried the CV text: blank them, keeping the sequence intact.
        database(ALIAS)[CHANGES].update_many(
            {"id": learner_id, "type": {"$in": list(LEARNER_EVENTS)}},
            {"$set": {"data": {"id": learner_id, "redacted": True}}},
        )
        append_event(ALIAS, "learner.deleted", learner_id, {"id": learner_id})
        # Embedded only, where write runs once under the store lock; a no-op on a server.
        scrub(ALIAS, ["learners", CHANGES])

    transaction(ALIAS, write)
