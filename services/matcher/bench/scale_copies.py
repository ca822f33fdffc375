"""The store copies of the generated state: what the request path reads besides the index.

Course recommendations and retraining paths read a learner's languages (and completed courses)
and a course's title and teaching language from the matcher's copies (recommend/reading.py,
recommend/paths.py). Without copies every learner reads the default kk/ru and every generated
course has no language, so the language rule left every course out and those rows answered
nothing. Real courses are read here by the learner service's own catalogue parsers and turned
into what the matcher keeps by the feed's own ``course_fields``, so a course copy holds the
title, provider and teaching language the feeds would have stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Learner copy fields the request path reads; its skills are read from the index rows, so
#: the bench leaves them out of the store (1M skill lists would only cost insert time).
LEARNER_COPY_FIELDS = ("_id", "region", "languages", "consent")


@dataclass(frozen=True)
class RealCourse:
    """One real catalogue course as the matcher's copy holds it, and the text embedded for it."""

    title: str
    text: str
    provider: str | None
    language: str | None
    language_detected: bool
    declared_language: str | None


def real_courses(data: Path, cap: Callable[..., str]) -> list[RealCourse]:
    """Return the edX and Coursera courses the learner service imports, as the feed keeps them.

    The embedded text is the title with the edX summary or the Coursera gained skills (capped by
    ``cap``); rows the importer skips (duplicates, unknown language) are left out too.
    """
    from services.learner.courses.importers import SOURCES, read_rows
    from services.matcher.sync.entities import course_fields

    extra = {"edX": "summary", "Coursera": "Gained Skills"}
    out = []
    for provider, (filename, parse) in SOURCES.items():
        rows = read_rows(data / "courses" / filename)
        for item in parse(rows):
            if item.course is None:
                continue
            f = course_fields(item.course.model_dump(mode="json"))
            raw = rows[item.row].get(extra[provider]) or ""
            out.append(
                RealCourse(
                    title=f["title"],
                    text=cap(f["title"], raw),
                    provider=f["provider"],
                    language=f["language"],
                    language_detected=f["language_detected"],
                    declared_language=f["declared_language"],
                )
            )
    return out


def course_copy(course: RealCourse, doc: dict[str, Any]) -> dict[str, Any]:
    """Return the stored form of a generated course copied from ``course`` (CourseCopy's shape)."""
    from services.matcher.sync.models import CourseCopy

    copy = CourseCopy(
        id=doc["_id"],
        title=course.title,
        provider=course.provider,
        language=course.language,
        language_detected=course.language_detected,
        declared_language=course.declared_language,
        hours=doc["hours"],
        active=doc["active"],
        skills=doc["skills"],
        prerequisites=doc["prerequisites"],
        text=course.text,
    )
    copy.validate()
    return dict(copy.to_mongo().to_dict())


def learner_copy(doc: dict[str, Any]) -> dict[str, Any]:
    """Return the stored form of a generated learner (the fields LearnerCopy reads back)."""
    return {k: doc[k] for k in LEARNER_COPY_FIELDS}


def store_copies(kind: str, docs: list[dict[str, Any]]) -> None:
    """Insert a batch of copies into the matcher's collection of ``kind`` in one call."""
    from services.common.db import database
    from services.matcher.db import ALIAS
    from services.matcher.sync.models import CourseCopy, LearnerCopy

    model = {"learners": LearnerCopy, "courses": CourseCopy}[kind]
    if docs:
        database(ALIAS)[model._get_collection_name()].insert_many(docs)
