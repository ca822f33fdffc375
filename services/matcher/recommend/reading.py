"""Which languages a learner reads, and which courses that lets recommendations and paths offer.

The learner's ``languages`` on its matcher copy decide, at a level a course can be followed in:
B1 or above, or native (CEFR B1 is the first "independent user" level; at A1-A2 a learner reads
short everyday texts, not a course). A language listed without a level counts. A learner with
no language at that level reads the language their CV is written in (en, ru or kk by script),
and Russian too when the CV is in Kazakh (Kazakhstan's schools teach both); a learner with
neither reads the country's two languages, kk and ru. English is never assumed: most learners
list it at A1-A2 or not at all.
A course is offered when its teaching language is one the learner reads; a course whose
language is unknown (none declared, none detectable) is not. ``any_language`` lifts the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from services.common.reference import LANGUAGE_LEVELS, meets_level
from services.matcher.ml.sentences import detect_language
from services.matcher.recommend.rows import language_number
from services.matcher.recommend.state import Matcher
from services.matcher.sync.models import CourseCopy, LearnerCopy

DEFAULT_READS = ("kk", "ru")
#: The lowest level at which a learner follows a course taught in that language.
READING_LEVEL = "B1"
LANGUAGE_NAMES = {
    "kk": "Kazakh",
    "ru": "Russian",
    "en": "English",
    "es": "Spanish",
    "pt": "Portuguese",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "tr": "Turkish",
    "zh": "Chinese",
    "ja": "Japanese",
    "ar": "Arabic",
    "ko": "Korean",
}


def language_name(code: str | None) -> str:
    """Return the English name of a language code (the code itself when unnamed)."""
    if not code:
        return "an unknown language"
    return LANGUAGE_NAMES.get(code, code)


def _cv_sample(doc: LearnerCopy) -> str:
    # The tags' evidence sentences are the CV's own words; the embedded text also carries the
    # English ESCO labels of skills and occupations, which would read as English.
    evidence = " ".join(str(t.get("evidence") or "") for t in doc.tags)
    return evidence.strip() or doc.text


@dataclass(frozen=True)
class Reading:
    """The languages a learner reads, where that came from, and whether the rule is lifted."""

    languages: tuple[str, ...]
    source: str
    any_language: bool
    below_level: tuple[str, ...] = ()

    def allowed(self, m: Matcher) -> np.ndarray:
        """Return which course rows are in a language the learner reads (all with any_language)."""
        n = m.courses.n
        if self.any_language:
            return np.ones(n, bool)
        codes = [language_number(c) for c in self.languages]
        return np.isin(m.courses.cols["lang"][:n], np.asarray(codes, np.int64))

    def reads(self, language: str | None) -> bool:
        """Return whether a course taught in ``language`` is one the learner reads."""
        return language is not None and language in self.languages

    def describe(self, excluded: int) -> dict[str, Any]:
        """Return the rule as clients see it."""
        how = {
            "profile": f"the languages on the learner's profile at {READING_LEVEL} or above",
            "cv": f"no language on the profile at {READING_LEVEL} or above: the language of the "
            "CV (Kazakh adds Russian)",
            "default": f"no language on the profile at {READING_LEVEL} or above and no CV: "
            "Kazakh and Russian",
        }[self.source]
        return {
            "reads": list(self.languages),
            "source": self.source,
            "definition": how,
            "below_reading_level": list(self.below_level),
            "any_language": self.any_language,
            "excluded_courses": excluded,
        }

    def reason(
        self,
        language: str | None,
        detected: bool,
        teaches: list[str],
        *,
        before: list[str] | tuple[str, ...] = (),
    ) -> str:
        """Return why a course is offered: what it teaches, what needs it, its language."""
        more = len(teaches) - 5
        shown = ", ".join(teaches[:5]) + (f" and {more} more" if more > 0 else "")
        parts = []
        if teaches:
            s = "s" if len(teaches) != 1 else ""
            parts.append(f"Teaches {len(teaches)} missing skill{s}: {shown}.")
        if before:
            parts.append("Required before " + ", ".join(f"“{t}”" for t in before) + ".")
        what = " ".join(parts) or "Teaches skills the target needs."
        how = "detected from its title and description" if detected else "stated by the catalogue"
        lang = f"Taught in {language_name(language)} ({how})"
        if self.reads(language):
            return f"{what} {lang}, which the learner reads."
        return f"{what} {lang}; shown because any_language was asked."


def learner_reading(m: Matcher, learner_id: str, *, any_language: bool = False) -> Reading:
    """Return the languages a learner reads (see the module docstring for the fall-backs)."""
    doc = (
        LearnerCopy.objects(id=learner_id)
        .only("languages", "language_levels", "tags", "text")
        .first()
    )
    listed = list(doc.languages) if doc is not None else []
    levels = dict(doc.language_levels or {}) if doc is not None else {}
    reads = tuple(c for c in listed if _follows_a_course(levels.get(c)))
    below = tuple(c for c in listed if c not in reads)
    if reads:
        return Reading(reads, "profile", any_language, below)
    sample = _cv_sample(doc) if doc is not None else ""
    if sample.strip():
        lang = detect_language(sample)
        langs = (lang, "ru") if lang == "kk" else (lang,)
        # A CV in a language listed below the level still shows the learner writes it.
        return Reading(langs, "cv", any_language, tuple(c for c in below if c not in langs))
    return Reading(DEFAULT_READS, "default", any_language, below)


def _follows_a_course(level: str | None) -> bool:
    """Return whether a learner at ``level`` follows a course (no level stated counts)."""
    return level not in LANGUAGE_LEVELS or meets_level(level, READING_LEVEL)


def course_languages(ids: list[str]) -> dict[str, tuple[str | None, bool]]:
    """Return {course id: (teaching language, detected?)} from the matcher's copies."""
    docs = CourseCopy.objects(id__in=ids).only("language", "language_detected")
    return {d.id: (d.language, bool(d.language_detected)) for d in docs}
