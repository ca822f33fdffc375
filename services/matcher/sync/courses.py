"""The course and enrolment handlers of the matcher's learner-feed follower (see feeds.py)."""

from __future__ import annotations

from typing import Any

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
        if existing is not None and existing.source_hash == source:
            skills, tags = list(existing.skills), list(existing.tags)
        elif declared:
            skills, tags = self.tagger.resolve(declared), []
        else:
            tags = self.tagger.extract(course_tag_source(f))
            skills = [{"uri": t["uri"], "label": t["label"], "source": "extracted"} for t in tags]
        text = course_text(f, declared)
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
