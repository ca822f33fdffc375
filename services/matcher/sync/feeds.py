"""Following the learner and jobs feeds: matcher copies, tags, embeddings and indexes kept current.

Handlers are idempotent (every event carries the full item and is applied as an upsert), so a
replayed batch changes nothing. Each page of events is embedded in one batch before it is handled
(the ``fetch`` wrapper), so catching up on 10,000 vacancies costs ~40 model calls, not 10,000.
An event a handler cannot apply is recorded and skipped rather than blocking the feed forever.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from services.common.db import database
from services.common.errors import Problem
from services.common.feed import FeedFollower
from services.matcher.db import ALIAS
from services.matcher.recommend.state import Matcher
from services.matcher.sync.courses import CourseHandlers
from services.matcher.sync.entities import (
    FIRST_PASS_BODY,
    course_fields,
    course_text,
    learner_fields,
    learner_text,
    vacancy_fields,
    vacancy_text,
)
from services.matcher.sync.learners import LearnerHandlers
from services.matcher.sync.owners import OwnerReads, read_summary
from services.matcher.sync.refine import FirstPass
from services.matcher.sync.tagging import Tagger
from services.matcher.sync.vacancies import VacancyHandlers

log = logging.getLogger("qabilet.matcher.sync")
ERRORS = "sync_errors"


class Sync(LearnerHandlers, VacancyHandlers, CourseHandlers, OwnerReads, FirstPass):
    """The two feed followers of one matcher process and their event handlers."""

    def __init__(self, matcher: Matcher, *, page: int = 200) -> None:
        self.m = matcher
        self.tagger = Tagger(
            matcher.extractor,
            min_confidence=matcher.settings.tag_min_confidence,
            top_k=matcher.settings.tag_top_k,
        )
        self.jobs = FeedFollower(
            alias=ALIAS,
            name="jobs",
            fetch=self._fetch(matcher.jobs_client, "jobs"),
            handler=self._guard(self.handle_jobs_event),
            batch=page,
        )
        self.learner = FeedFollower(
            alias=ALIAS,
            name="learner",
            fetch=self._fetch(matcher.learner_client, "learner"),
            handler=self._guard(self.handle_learner_event),
            batch=page,
        )
        # Called before each backlog event: the worker blocks here while interactive work runs.
        self.pause: Callable[[], None] | None = None
        # What tagging could use when a copy was made; part of its source hash, so a copy
        # tagged before the alt labels were encoded is tagged again when it is next read.
        self.tag_stage: str | None = None
        # The newest feed seq applied per item ("learner:<id>"): the interactive lane reads an
        # item ahead of the backlog, and the older events the backlog meets later are skipped.
        self.applied: dict[str, int] = {}
        self._item_locks = [threading.Lock() for _ in range(64)]
        self.priority_reads = 0
        self.handled: Counter[str] = Counter()
        self.failed = 0
        self.write_backs = 0
        self.last_error: str | None = None
        self.last_sync_at: datetime | None = None
        # Vectors of the page each feed fetched last, by text: handlers take theirs from here
        # instead of asking the embedding cache again, one read per event.
        self._page_vectors: dict[str, dict[str, np.ndarray]] = {}
        # Per thread: whether this call indexes without tagging (the interactive lane's first
        # visit) and the time each phase of it took (see owners.py, for /sync/status).
        self._local = threading.local()
        # Items indexed without tagging, to read again with it ahead of the backlog's next event.
        self.deferred: deque[tuple[str, str]] = deque()
        self._deferred_set: set[tuple[str, str]] = set()
        self._deferred_lock = threading.Lock()
        self.read_timings: deque[dict[str, float]] = deque(maxlen=500)
        # The newest feed head each follower's pages reported (see owners.py).
        self.seen_latest: dict[str, int] = {}
        self._init_first_pass(matcher.settings.first_pass_backlog)
        self._appliers = {
            "jobs": self._recording(self.handle_jobs_event),
            "learner": self._recording(self.handle_learner_event),
        }

    # ----- driving -----

    def _fetch(self, client: Any, feed: str) -> Any:
        def fetch(after: int, limit: int) -> dict[str, Any]:
            page: dict[str, Any] = client.get("/changes", after=after, limit=limit)
            # Stored once the page is in: any record read after this includes these events.
            self.seen_latest[feed] = max(
                self.seen_latest.get(feed, 0), int(page.get("latest") or 0)
            )
            self.note_page(after, int(page.get("latest") or 0))
            self._prefetch(feed, page.get("events") or [])
            return page

        return fetch

    def _item(self, event: dict[str, Any]) -> str | None:
        kind = str(event.get("type", "")).split(".", 1)[0]
        return f"{kind}:{event.get('id')}" if kind in ("learner", "vacancy", "course") else None

    def _lock_of(self, item: str) -> threading.Lock:
        return self._item_locks[hash(item) % len(self._item_locks)]

    def _applier(self, event: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
        """Return the recording handler of the feed an event came from (for refines)."""
        return self._appliers[
            "jobs" if str(event.get("type", "")).startswith("vacancy.") else "learner"
        ]

    def _guard(self, handler: Any) -> Any:
        apply = self._recording(handler)

        def handle(event: dict[str, Any]) -> None:
            if self.pause is not None:
                self.pause()
            if self.deferred:
                self.run_deferred(1)
            item = self._item(event)
            if item is None:
                self.apply_backlog_event(None, event, apply)
                return
            with self._lock_of(item):
                seq = int(event.get("seq") or 0)
                if seq and seq <= self.applied.get(item, -1):
                    self.handled["skipped_older"] += 1
                    return
                self.apply_backlog_event(item, event, apply)
                if seq and item in self.applied:  # only items read ahead need remembering
                    self.applied[item] = seq

        return handle

    def _recording(self, handler: Any) -> Callable[[dict[str, Any]], None]:
        """Wrap a handler so a poison event is recorded and skipped, not raised."""

        def apply(event: dict[str, Any]) -> None:
            try:
                handler(event)
                self.handled[event["type"]] += 1
            except Problem:
                raise  # the producer or a peer is down: stop here and retry the batch later
            except Exception as exc:  # a poison event must not stall the feed
                self.failed += 1
                self.last_error = f"{event.get('type')} {event.get('id')}: {exc!r}"
                log.exception("cannot apply %s %s", event.get("type"), event.get("id"))
                database(ALIAS)[ERRORS].replace_one(
                    {"_id": f"{event.get('type')}:{event.get('seq')}"},
                    {"event": event, "error": repr(exc), "at": datetime.now(UTC)},
                    upsert=True,
                )

        return apply

    def sync_once(self) -> dict[str, int]:
        """Apply every event both feeds have now; return how many each handled."""
        out = {}
        for follower in (self.jobs, self.learner):
            try:
                out[follower.name] = follower.sync_once()
            except Exception as exc:
                self.last_error = f"{follower.name}: {exc!r}"
                raise
        self.last_sync_at = datetime.now(UTC)
        if self.behind() == 0:
            self.backlog_through()
        return out

    def start(self, interval: float) -> None:
        """Follow both feeds in background threads."""
        self.jobs.start(interval)
        self.learner.start(interval)

    def stop(self) -> None:
        """Stop following."""
        self.jobs.stop()
        self.learner.stop()

    def behind(self) -> int:
        """Return how many feed events are still to apply (as of the last page read)."""
        return sum(f.lag for f in (self.jobs, self.learner))

    def status(self) -> dict[str, Any]:
        """Return cursors, lag, counts and the last error of each feed."""
        feeds = {}
        for f in (self.jobs, self.learner):
            feeds[f.name] = {
                "cursor": f.cursor,
                "lag": f.lag,
                "last_error": f.last_error,
                "following": f.following,
            }
        return {
            "feeds": feeds,
            "handled": dict(self.handled),
            "failed_events": self.failed,
            "write_backs": self.write_backs,
            "priority_reads": self.priority_reads,
            "deferred_tagging": len(self.deferred),
            **self.refine_status(),
            "interactive_reads": read_summary(self.read_timings),
            "last_error": self.last_error,
            "last_sync_at": self.last_sync_at.isoformat() if self.last_sync_at else None,
        }

    # ----- batching -----

    def _prefetch(self, feed: str, events: list[dict[str, Any]]) -> None:
        self._page_vectors[feed] = {}
        texts = []
        for e in events:
            try:
                text = self._event_text(e.get("type", ""), e.get("data") or {})
            except Exception:  # the handler records a malformed event; batching just skips it
                continue
            if text is not None:
                texts.append(text)
        if texts:
            vectors = self.m.vectors_for(texts)
            self._page_vectors[feed] = dict(zip(texts, vectors, strict=True))

    def _vector(self, text: str) -> np.ndarray:
        """Return the vector of a document text, from the prefetched page when it is there."""
        for page in list(self._page_vectors.values()):
            vector = page.get(text)
            if vector is not None:
                return vector
        return self.m.vectors_for([text])[0]

    def _event_text(self, kind: str, data: dict[str, Any]) -> str | None:
        # A page read in bulk is first-passed: its handlers embed the short texts.
        cut = FIRST_PASS_BODY if self.bulk else None
        if kind in ("vacancy.created", "vacancy.updated", "vacancy.closed"):
            f = vacancy_fields(data)
            return vacancy_text(f, f["declared_skills"], body_limit=cut)
        if kind in ("learner.created", "learner.updated"):
            return self._learner_text(learner_fields(data), cut)
        if kind in ("course.created", "course.updated"):
            f = course_fields(data)
            return course_text(f, f["declared_skills"], body_limit=cut)
        return None

    def _learner_text(self, f: dict[str, Any], body_limit: int | None = None) -> str:
        rejected = set(f["rejected_skills"])
        declared = [s for s in f["declared_skills"] if s.get("uri") not in rejected]
        return learner_text(f, declared, self.m.occupation_label, body_limit)

    def _can_tag(self) -> bool | str:
        if not self.tagger.available():
            return False
        # True (not a stage name) when nothing stages the extractor: hashes stay as they were.
        return self.tag_stage or True

    # ----- learner feed -----

    def handle_learner_event(self, event: dict[str, Any]) -> None:
        """Apply one learner-feed event."""
        kind = event["type"]
        data = event.get("data") or {}
        if kind.startswith("learner."):
            self.on_learner(kind, str(event["id"]), data)
        elif kind.startswith("course."):
            self.on_course(kind, str(event["id"]), data)
        elif kind.startswith("enrolment."):
            self.on_enrolment(kind, data)
