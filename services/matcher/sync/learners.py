"""The learner handlers of the matcher's learner-feed follower (see feeds.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from services.common.errors import Problem
from services.matcher.ml.coverage import skill_key
from services.matcher.recommend.state import Matcher
from services.matcher.sync.entities import digest, learner_fields, learner_text
from services.matcher.sync.models import LearnerCopy
from services.matcher.sync.tagging import Tagger


class LearnerHandlers:
    """Keep the matcher's copies of learners current: CV tags, write-backs, index rows."""

    m: Matcher
    tagger: Tagger
    last_error: str | None
    write_backs: int
    if TYPE_CHECKING:  # provided by Sync, OwnerReads and FirstPass; for the type checker only

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

    def on_learner(self, kind: str, lid: str, data: dict[str, Any]) -> None:
        """Upsert or delete the matcher's copy of a learner, tagging a changed CV."""
        if kind == "learner.deleted":
            LearnerCopy.objects(id=lid).delete()
            self.m.learners.remove(lid)
            return
        f = learner_fields(data)
        rejected = set(f["rejected_skills"])
        declared = [s for s in f["declared_skills"] if s.get("uri") not in rejected]
        can_tag = self._can_tag()
        # Without ESCO the CV counts as not yet read, so it is tagged once ESCO arrives.
        cv_hash = digest(f["cv_text"]) if f["cv_text"] and can_tag else ""
        source = digest(declared, sorted(rejected), cv_hash, can_tag)
        existing = LearnerCopy.objects(id=lid).first()
        pending = False
        # A copy already handled in full from this very content stays as it is (a replay).
        done = existing is not None and existing.source_hash == source
        if done:
            skills, tags = list(existing.skills), list(existing.tags)
            pending = bool(existing.tags_pending)
        else:
            if existing is not None and existing.cv_hash == cv_hash:
                tags = [t for t in existing.tags if t.get("uri") not in rejected]
            elif can_tag and f["cv_text"] and self._quick():
                # A first visit cannot wait for tagging the CV (seconds with the real model):
                # declared skills and what the vocabulary names now, the CV's full tagging from
                # the deferred pass (or a bulk first pass's refine).
                tags, pending = self.tagger.spot(f["cv_text"], exclude=rejected), True
                source = digest(source, "pending")
                self.defer("learner", lid)
            else:
                with self._phase("tag"):
                    tags = self.tagger.extract(f["cv_text"], exclude=rejected) if can_tag else []
            labels_only = can_tag and any(not s.get("uri") for s in declared)
            if labels_only and self._skip_resolve():
                # Mapping declared labels to ESCO runs the model too: labels stay labels (they
                # still match the same labels) until the full pass.
                resolved = [dict(s) for s in declared]
                if not pending:
                    pending, source = True, digest(source, "pending")
                    self.defer("learner", lid)
            else:
                with self._phase("resolve"):
                    resolved = self.tagger.resolve(declared, exclude=rejected)
            skills = _merge(
                resolved,
                [{"uri": t["uri"], "label": t["label"], "source": "extracted"} for t in tags],
            )
        written = existing.written_back_hash if existing is not None else ""
        if not pending and cv_hash != written:
            with self._phase("write_back"):
                if self._write_back(lid, tags):
                    written = cv_hash
        cut = None if done else self._body_limit()
        text = learner_text(f, declared, self.m.occupation_label, cut)
        whole = learner_text(f, declared, self.m.occupation_label)
        if not pending and self.embeds_short("learner", lid, text, whole):
            pending, source = True, digest(source, "pending")
        with self._phase("embed"):
            vector = self._vector(text)
        doc = LearnerCopy(
            id=lid,
            region=f["region"],
            programme=f["programme"],
            languages=f["languages"],
            language_levels=f["language_levels"],
            consent=f["consent"],
            skills=skills,
            rejected_skills=sorted(rejected),
            desired_occupations=f["desired_occupations"],
            cv_hash="" if pending else cv_hash,  # "not read yet": the full pass tags it
            written_back_hash=written,
            tags=tags,
            completed_courses=list(existing.completed_courses) if existing else [],
            enrolled_courses=list(existing.enrolled_courses) if existing else [],
            text=text,
            source_hash=source,
            vector_key=self.m.vector_key(text),
            tags_pending=pending,
        )
        with self._phase("store"):
            doc.save()
        with self._phase("send"):
            self.m.index_learner(doc.to_mongo().to_dict(), vector)

    def _write_back(self, lid: str, tags: list[dict[str, Any]]) -> bool:
        """Send CV tags to the learner service; True once it has them (or the learner is gone)."""
        body = {
            "skills": [
                {
                    "uri": t["uri"],
                    "label": t["label"][:200],
                    "confidence": min(1.0, max(0.0, float(t["confidence"]))),
                    "evidence": (t.get("evidence") or "")[:2000] or None,
                }
                for t in tags
            ]
        }
        try:
            status, _ = self.m.learner_client.request(
                "PUT", f"/learners/{lid}/extracted-skills", body=body
            )
        except Problem as exc:
            self.last_error = f"write-back {lid}: {exc.detail}"
            return False
        if status == 404 or status < 300:
            self.write_backs += status < 300
            return True
        self.last_error = f"write-back {lid}: status {status}"
        return False


def _merge(*groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Concatenate skill lists, keeping the first of each skill."""
    out: dict[str, dict[str, Any]] = {}
    for group in groups:
        for s in group:
            key = skill_key(s)
            if key is not None and key not in out:
                out[key] = s
    return list(out.values())
