"""The vacancy handlers of the matcher's jobs-feed follower (see feeds.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from services.matcher.recommend.state import Matcher
from services.matcher.sync.entities import digest, vacancy_fields, vacancy_tag_source, vacancy_text
from services.matcher.sync.models import VacancyCopy
from services.matcher.sync.tagging import Tagger


class VacancyHandlers:
    """Keep the matcher's copies of vacancies, and their index rows, current."""

    m: Matcher
    tagger: Tagger
    if TYPE_CHECKING:  # provided by Sync and OwnerReads; declared here for the type checker only

        def _vector(self, text: str) -> np.ndarray: ...
        def _can_tag(self) -> bool | str: ...
        def _quick(self) -> bool: ...
        def _skip_resolve(self) -> bool: ...
        def _first_pass(self) -> bool: ...
        def _body_limit(self) -> int | None: ...
        def defer(self, kind: str, item_id: str) -> None: ...
        def embeds_short(self, kind: str, item_id: str, text: str, whole: str) -> bool: ...
        @contextmanager
        def _phase(self, name: str) -> Iterator[None]: ...

    def handle_jobs_event(self, event: dict[str, Any]) -> None:
        """Apply one jobs-feed event."""
        kind = event["type"]
        if kind.startswith("vacancy."):
            self.on_vacancy(kind, str(event["id"]), event.get("data") or {})

    def on_vacancy(self, kind: str, vid: str, data: dict[str, Any]) -> None:
        """Upsert, close or delete the matcher's copy of a vacancy and its index row."""
        if kind == "vacancy.deleted":
            VacancyCopy.objects(id=vid).delete()
            self.m.vacancies.remove(vid)
            return
        f = vacancy_fields(data)
        if kind == "vacancy.closed":
            f["status"] = "closed"
        declared = f["declared_skills"]
        source = digest(declared, "" if declared else vacancy_tag_source(f), self._can_tag())
        existing = VacancyCopy.objects(id=vid).first()
        pending = False
        # A copy already handled in full from this very content stays as it is (a replay).
        done = existing is not None and existing.source_hash == source
        if done:
            skills, tags = list(existing.skills), list(existing.tags)
            pending = bool(existing.tags_pending)
        elif declared and self._skip_resolve() and any(not s.get("uri") for s in declared):
            # Mapping declared labels to ESCO runs the model: labels stay labels (they match
            # the same labels) until the full pass.
            skills, tags, pending = [dict(s) for s in declared], [], True
            source = digest(source, "pending")
            self.defer("vacancy", vid)
        elif declared:
            with self._phase("resolve"):
                skills, tags = self.tagger.resolve(declared), []
        else:
            with self._phase("tag"):
                if self._quick():
                    # A first visit (or a bulk first pass) cannot wait for the model: what the
                    # vocabulary names now, the full tagging from the deferred pass or the
                    # refine (the answer says so).
                    tags, pending = self.tagger.spot(vacancy_tag_source(f)), True
                    source = digest(source, "pending")
                    self.defer("vacancy", vid)
                else:
                    tags = self.tagger.extract(vacancy_tag_source(f))
            skills = [
                {"uri": t["uri"], "label": t["label"], "essential": False, "source": "extracted"}
                for t in tags
            ]
        text = vacancy_text(f, declared, body_limit=None if done else self._body_limit())
        if not pending and self.embeds_short("vacancy", vid, text, vacancy_text(f, declared)):
            pending, source = True, digest(source, "pending")
        with self._phase("embed"):
            vector = self._vector(text)
        doc = VacancyCopy(
            id=vid,
            status=f["status"],
            title=f["title"],
            employer_id=f["employer_id"],
            region=f["region"],
            remote=f["remote"],
            salary_min=f["salary_min"],
            salary_max=f["salary_max"],
            languages=f["languages"],
            employment_type=f["employment_type"],
            language_levels=f["language_levels"],
            skills=skills,
            tags=tags,
            text=text,
            source_hash=source,
            vector_key=self.m.vector_key(text),
            tags_pending=pending,
        )
        with self._phase("store"):
            doc.save()
        with self._phase("send"):
            self.m.index_vacancy(doc.to_mongo().to_dict(), vector)
