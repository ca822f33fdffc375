"""Deleting a learner: personal data goes, anonymised statistics stay."""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from collections.abc import Iterable

from services.common.db import atomic, database, is_embedded
from services.common.feed import CHANGES, append_event

from .models import Enrolment, Learner, Outcome
from .service import get
from .settings import ALIAS

log = logging.getLogger("qabilet.learner.privacy")

LEARNER_EVENTS = ("learner.created", "learner.updated")


def pseudonym() -> str:
    """Return a fresh random stand-in for a deleted learner's id."""
    return "anon-" + uuid.uuid4().hex[:20]


def delete(*, learner_id: str) -> None:
    """Delete a learner's profile; keep their enrolments and hires under a pseudonym."""
    with atomic(ALIAS):
        learner: Learner = get(learner_id=learner_id)
        alias = pseudonym()
        # The same pseudonym on every row keeps "per person" statistics (e.g. completions per
        # learner) countable without saying who the person was.
        Enrolment.objects(learner_id=learner_id).update(set__learner_id=alias, set__anonymised=True)
        Outcome.objects(learner_id=learner_id).update(set__learner_id=alias, set__anonymised=True)
        learner.delete()
        # Earlier feed events carried the CV text: blank them, keeping the sequence intact.
        database(ALIAS)[CHANGES].update_many(
            {"id": learner_id, "type": {"$in": list(LEARNER_EVENTS)}},
            {"$set": {"data": {"id": learner_id, "redacted": True}}},
        )
        append_event(ALIAS, "learner.deleted", learner_id, {"id": learner_id})
        scrub_files(["learners", CHANGES])


def scrub_files(collections: Iterable[str]) -> None:
    """Rewrite embedded store files so deleted or overwritten data leaves no bytes behind.

    SQLite keeps old row images in free pages and in its write-ahead log; VACUUM rebuilds the
    file from live rows only and a TRUNCATE checkpoint empties the log. The cost grows with the
    file, which is acceptable for deletions (rare) on the embedded store (development and small
    deployments). A real MongoDB server reclaims space on its own schedule (``compact``).
    """
    if not is_embedded(ALIAS):
        return
    db = database(ALIAS)
    with atomic(ALIAS):
        store = db.client.thread_client()._store[db.name]
        for name in collections:
            connection = store[name]._connection
            for attempt in range(3):
                try:
                    connection.execute("VACUUM")
                    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    break
                except sqlite3.OperationalError as exc:
                    # Another connection may still be finishing a read of this file.
                    if attempt == 2:
                        log.warning("could not scrub %s: %s", name, exc)
                    time.sleep(0.05)
