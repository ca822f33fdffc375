"""Index rows: what one vacancy, learner or course becomes in the in-memory indexes.

A row is the item's vector, its skills as vocabulary columns (with weights and required flags)
and the filter columns the recommendation rules mask on (open, region, remote, pay, languages,
employment type).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from services.common.reference import EMPLOYMENT_TYPES, LANGUAGE_LEVELS, level_rank
from services.matcher.ml.coverage import Vocabulary, skill_key
from services.matcher.ml.index import VectorIndex
from services.matcher.settings import Settings

LANG_BITS = {"kk": 1, "ru": 2, "en": 4}
OTHER_LANG_BIT = 8
#: One bit per employment type (services.common.reference.EMPLOYMENT_TYPES); 0 = not stated.
EMPLOYMENT_BITS = {t: 1 << i for i, t in enumerate(EMPLOYMENT_TYPES)}
OPEN_STATUSES = frozenset({"open"})

VACANCY_COLUMNS = {
    "open": bool,
    "region": np.int32,
    "remote": bool,
    "pay": np.float32,
    "langs": np.uint8,
    "lang_levels": np.uint16,
    "employment": np.uint8,
    "total_weight": np.float32,
    "n_required": np.float32,
}
LEARNER_COLUMNS = {"consent": bool, "region": np.int32, "langs": np.uint8, "lang_levels": np.uint16}
#: The languages whose levels rows keep, 3 bits each: 0 = not listed, else the level's rank + 1
#: (A1 = 1 ... native = 7). Vacancies ask for these (services.common.reference.LANGUAGES).
LEVEL_LANGUAGES = ("kk", "ru", "en")
COURSE_COLUMNS = {"active": bool, "hours": np.float32, "lang": np.int64}
NO_LANGUAGE = 0
#: What a job recommendation shows of a vacancy, kept beside its row: reading the copies per
#: answer costs a scan of the embedded store under its lock (~40 ms at 1,000 vacancies) while
#: the worker writes it during a catch-up. Vacancy events are the only writers of these fields.
VACANCY_SHOWN = (
    "title",
    "employer_id",
    "region",
    "remote",
    "salary_min",
    "salary_max",
    "languages",
    "language_levels",
    "employment_type",
)


def language_mask(codes: list[str]) -> int:
    """Return the bit mask of language codes (kk=1, ru=2, en=4, any other=8)."""
    mask = 0
    for code in codes:
        mask |= LANG_BITS.get(code, OTHER_LANG_BIT)
    return mask


def employment_mask(types: Iterable[str | None]) -> int:
    """Return the bit mask of employment types (an unknown or missing one adds nothing)."""
    mask = 0
    for t in types:
        mask |= EMPLOYMENT_BITS.get(t or "", 0)
    return mask


def level_code(codes: Iterable[str], levels: dict[str, str] | None) -> int:
    """Return the levels of the listed kk/ru/en languages packed 3 bits each (see LEVEL_LANGUAGES).

    A language listed without a level packs as A1: it meets a requirement that names no level
    and no other (the vacancy page's rule, services.common.reference.meets_level).
    """
    listed, levels = set(codes), levels or {}
    packed = 0
    for i, lang in enumerate(LEVEL_LANGUAGES):
        if lang in listed:
            level = levels.get(lang)
            rank = level_rank(level) + 1 if level in LANGUAGE_LEVELS else 1
            packed |= rank << (3 * i)
    return packed


def unmet_languages(need: int, have: int) -> list[str]:
    """Return the languages a vacancy's packed ``need`` asks above a learner's packed ``have``."""
    out = []
    for i, lang in enumerate(LEVEL_LANGUAGES):
        wanted, held = (need >> (3 * i)) & 7, (have >> (3 * i)) & 7
        if wanted and held < wanted:
            out.append(lang)
    return out


def language_number(code: str | None) -> int:
    """Return a language code as one number (0 for none), stable across processes."""
    # Fixed arithmetic rather than a registry: snapshots and replicas agree without sharing one.
    if not code:
        return NO_LANGUAGE
    return int.from_bytes(code.strip().lower().encode()[:7], "big")


def required_flags(skills: list[dict[str, Any]]) -> list[bool]:
    """Return which skills are required: the essential ones, or all when none is marked."""
    flags = [bool(s.get("essential")) for s in skills]
    return flags if any(flags) else [True] * len(skills)


class Indexes:
    """The vacancy, learner and course indexes of one process and how rows enter them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.vocab = Vocabulary()
        self.labels: dict[str, str] = {}
        self.region_codes: dict[str, int] = {}
        background = not settings.testing
        self.vacancies = VectorIndex(
            "vacancies",
            VACANCY_COLUMNS,
            ann_threshold=settings.ann_threshold,
            background_build=background,
        )
        self.learners = VectorIndex(
            "learners",
            LEARNER_COLUMNS,
            ann_threshold=settings.ann_threshold,
            background_build=background,
        )
        # 10k courses at most: an exact scan takes well under a millisecond.
        self.courses = VectorIndex("courses", COURSE_COLUMNS, ann_threshold=10**9)
        self.course_prereqs: dict[str, tuple[str, ...]] = {}
        # Learners and vacancies indexed before their free text was tagged (the interactive
        # lane's first visits): answers built on them say they are provisional.
        self.pending: dict[str, set[str]] = {"learners": set(), "vacancies": set()}
        self.vacancy_shown: dict[str, tuple[Any, ...]] = {}

    def _mark_pending(self, kind: str, doc: dict[str, Any]) -> None:
        if doc.get("tags_pending"):
            self.pending[kind].add(str(doc["_id"]))
        else:
            self.pending[kind].discard(str(doc["_id"]))

    def reset_indexes(self) -> None:
        """Drop every row and vocabulary entry (a snapshot that failed half-way is discarded)."""
        Indexes.__init__(self, self.settings)

    def region_code(self, region: str | None) -> int:
        """Return the small integer standing for a region slug (-1 for none)."""
        if not region:
            return -1
        code = self.region_codes.get(region)
        if code is None:
            code = self.region_codes.setdefault(region, len(self.region_codes))
        return code

    def skill_cols(self, skills: Iterable[dict[str, Any]]) -> list[int]:
        """Return the vocabulary columns of skills, remembering their labels."""
        cols = []
        for s in skills:
            key = skill_key(s)
            if key is None:
                continue
            self.labels.setdefault(key, s.get("label") or key)
            cols.append(self.vocab.col(key))
        return cols

    def index_vacancy(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Put one stored vacancy into the vacancy index."""
        skills = doc.get("skills") or []
        required = required_flags(skills)
        weights = [self.settings.essential_weight if s.get("essential") else 1.0 for s in skills]
        cols = self.skill_cols(skills)
        pay = doc.get("salary_max") if doc.get("salary_max") is not None else doc.get("salary_min")
        self._mark_pending("vacancies", doc)
        if "title" in doc:  # a stored copy (a field it leaves out is unset, i.e. None)
            self.vacancy_shown[str(doc["_id"])] = tuple(doc.get(f) for f in VACANCY_SHOWN)
        self.vacancies.upsert(
            str(doc["_id"]),
            vector,
            skills=(cols, weights, required),
            open=doc.get("status") in OPEN_STATUSES,
            region=self.region_code(doc.get("region")),
            remote=bool(doc.get("remote")),
            pay=np.nan if pay is None else float(pay),
            langs=language_mask(doc.get("languages") or []),
            lang_levels=level_code(doc.get("languages") or [], doc.get("language_levels")),
            employment=employment_mask([doc.get("employment_type")]),
            total_weight=float(sum(weights)),
            n_required=float(sum(required)),
        )

    def index_learner(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Put one stored learner into the learner index."""
        cols = self.skill_cols(doc.get("skills") or [])
        self._mark_pending("learners", doc)
        self.learners.upsert(
            str(doc["_id"]),
            vector,
            skills=(cols, [1.0] * len(cols), [True] * len(cols)),
            consent=bool(doc.get("consent")),
            region=self.region_code(doc.get("region")),
            langs=language_mask(doc.get("languages") or []),
            lang_levels=level_code(doc.get("languages") or [], doc.get("language_levels")),
        )

    def index_course(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Put one stored course into the course index."""
        cols = self.skill_cols(doc.get("skills") or [])
        hours = doc.get("hours")
        self.course_prereqs[str(doc["_id"])] = tuple(doc.get("prerequisites") or [])
        self.courses.upsert(
            str(doc["_id"]),
            vector,
            skills=(cols, [1.0] * len(cols), [True] * len(cols)),
            active=bool(doc.get("active", True)),
            hours=np.nan if hours is None else float(hours),
            lang=language_number(doc.get("language")),
        )

    def shown_vacancy(self, vacancy_id: str) -> dict[str, Any] | None:
        """Return the shown fields of an indexed vacancy (None when only the store has them)."""
        values = self.vacancy_shown.get(vacancy_id)
        return None if values is None else dict(zip(VACANCY_SHOWN, values, strict=True))

    def forget(self, kind: str, item_id: str) -> None:
        """Drop what is kept beside a removed row."""
        self.pending.get(kind, set()).discard(item_id)
        if kind == "vacancies":
            self.vacancy_shown.pop(item_id, None)

    def held_vector(self, keys: Iterable[str]) -> np.ndarray:
        """Return a 0/1 vector over the vocabulary marking the skill keys held."""
        return self.vocab.vector({k: 1.0 for k in keys})
