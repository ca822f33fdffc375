"""The course and enrolment handlers of the matcher's learner-feed follower (see feeds.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from services.matcher.recommend.state import Matcher
from services.matcher.sync.entities import course_fields, course_tag_source, course_text, digest
from services.matcher.sync.models import CourseCopy, LearnerCopy
from services.matcher.sync.tagging import Tagger


class CourseHandlers:
    """Keep the matcher's copies of courses, and who follows or completed them, current."""

    m: Matcher
    tagger: Tagger

    def _vector(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def _can_tag(self) -> bool | str:
        raise NotImplementedError

    if TYPE_CHECKING:  # provided by Sync and FirstPass; declared for the type checker only

        def _first_pass(self) -> bool: ...
        def _body_limit(self) -> int | None: ...
        def defer(self, kind: str, item_id: str) -> None: ...

    def on_course(self, kind: str, cid: str, data: dict[str, Any]) -> None:
        """Upsert or delete the matcher's copy of a course."""
        if kind == "course.deleted":
            CourseCopy.objects(id=cid).delete()
            self.m.courses.remove(cid)
            self.m.course_prereqs.pop(cid, None)
            return
        f = course_fields(data)
        declared = f["declared_skills"]
        source = digest(declared, "" if declared else course_tag_source(f), self._can_tag())
        existing = CourseCopy.objects(id=cid).first()
        full_text = course_text(f, declared)
        # A first pass (a bulk backlog, refine.py): declared labels still mapped (short
        # memoised queries), the description tagged by the vocabulary only and not embedded.
        first = self._first_pass() and (existing is None or existing.source_hash != source)
        text = course_text(f, declared, body_limit=self._body_limit()) if first else full_text
        pending = first and (not declared or text != full_text)
        if pending:
            source = digest(source, "pending")
            self.defer("course", cid)
        if existing is not None and existing.source_hash == source:
            skills, tags = list(existing.skills), list(existing.tags)
        elif declared:
            skills, tags = self.tagger.resolve(declared), []
        elif pending:  # what the vocabulary names now; the refine extracts the rest
            tags = self.tagger.spot(course_tag_source(f))
            skills = [{"uri": t["uri"], "label": t["label"], "source": "extracted"} for t in tags]
        else:
            tags = self.tagger.extract(course_tag_source(f))
            skills = [{"uri": t["uri"], "label": t["label"], "source": "extracted"} for t in tags]
        vector = self._vector(text)
        doc = CourseCopy(
            id=cid,
            title=f["title"],
            provider=f["provider"],
            language=f["language"],
            language_detected=f["language_detected"],
            declared_language=f["declared_language"],
            hours=f["hours"],
            active=f["active"],
            skills=skills,
            prerequisites=f["prerequisites"],
            tags=tags,
            text=text,
            source_hash=source,
            vector_key=self.m.vector_key(text),
            tags_pending=pending,
        )
        doc.save()
        self.m.index_course(doc.to_mongo().to_dict(), vector)

    def on_enrolment(self, kind: str, data: dict[str, Any]) -> None:
        """Track which courses a learner follows or has completed (paths skip them)."""
        lid, cid = data.get("learner_id"), data.get("course_id")
        if not lid or not cid:
            return
        learners = LearnerCopy.objects(id=str(lid))
        status = data.get("status") or kind.split(".", 1)[1]
        if kind == "enrolment.completed" or status == "completed":
            learners.update_one(
                add_to_set__completed_courses=str(cid), pull__enrolled_courses=str(cid)
            )
        elif kind == "enrolment.dropped" or status == "dropped":
            learners.update_one(pull__enrolled_courses=str(cid))
        else:
            learners.update_one(add_to_set__enrolled_courses=str(cid))
