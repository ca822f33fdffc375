"""The matcher's per-process state: models (loaded lazily), taxonomy, caches and indexes.

Every gunicorn worker that serves recommendations holds its own indexes, rebuilt at start from
the matcher's database and the embedding cache (nothing is re-encoded), then kept current by the
feed followers. See README.md for why the matcher runs one worker with several threads.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from services.common.db import database
from services.common.http import client_for
from services.matcher.cache import COLLECTION, EmbeddingCache
from services.matcher.catalog import Catalog
from services.matcher.coverage import Vocabulary, skill_key
from services.matcher.embedding import Embedder, Kind, canonical_name, get_embedder
from services.matcher.entities import OPEN_STATUSES, language_mask, required_flags
from services.matcher.extraction import SkillExtractor
from services.matcher.index import VectorIndex
from services.matcher.models import ALIAS, CourseCopy, LearnerCopy, VacancyCopy
from services.matcher.occupations import OccupationMatcher
from services.matcher.settings import Settings
from services.matcher.tagging import Tagger

log = logging.getLogger("qabilet.matcher")

#: Every stored item is embedded as a "query": e5 asks for that prefix on symmetric matching.
DOC_KIND: Kind = "query"
LOAD_CHUNK = 5000
CATALOG_RETRY_S = 30.0

VACANCY_COLUMNS = {
    "open": bool,
    "region": np.int32,
    "remote": bool,
    "pay": np.float32,
    "langs": np.uint8,
    "total_weight": np.float32,
    "n_required": np.float32,
}
LEARNER_COLUMNS = {"consent": bool, "region": np.int32, "langs": np.uint8}
COURSE_COLUMNS = {"active": bool, "hours": np.float32}
# What the index rows are built from (read at start-up without the texts).
VACANCY_FIELDS = ("status", "region", "remote", "salary_min", "salary_max", "languages", "skills")
LEARNER_FIELDS = ("region", "languages", "consent", "skills")
COURSE_FIELDS = ("hours", "active", "skills", "prerequisites")


class Matcher:
    """Everything one process needs to answer matching requests."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        learner_client: Any = None,
        jobs_client: Any = None,
    ) -> None:
        self.settings = settings
        self.show_progress = False
        # Set by Sync: index an item the feeds have not reached yet, straight from its owner.
        self.fetch_learner: Callable[[str], bool] | None = None
        self.fetch_vacancy: Callable[[str], bool] | None = None
        self._embedder = embedder
        self.model_name = (
            embedder.name if embedder is not None else canonical_name(settings.embedder)
        )
        self.cache = EmbeddingCache(self.model_name, self.embedder)
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
        self.learner_client = learner_client or client_for(settings, "learner", timeout=10.0)
        self.jobs_client = jobs_client or client_for(settings, "jobs", timeout=10.0)
        self.tagger = Tagger(
            self.extractor,
            min_confidence=settings.tag_min_confidence,
            top_k=settings.tag_top_k,
        )
        self.state = "new"
        self.load_error: str | None = None
        self._catalog: Catalog | None = None
        self._catalog_retry = 0.0
        self._extractor: SkillExtractor | None = None
        self._occupations: OccupationMatcher | None = None
        self._lazy = threading.Lock()
        # The background worker builds the extractor in stages (see labels.py) and sets it;
        # the web process asks the worker instead (``remote``). Tests build it at first use.
        self.staged = False
        self.remote: Any = None

    # ----- lazily loaded parts -----

    def embedder(self) -> Embedder:
        """Return the embedding model, loading it once per process on first use."""
        if self._embedder is None:
            with self._lazy:
                if self._embedder is None:
                    self._embedder = get_embedder(self.model_name)
        return self._embedder

    def catalog(self) -> Catalog:
        """Return the taxonomy (looked for again every 30 s while none is imported)."""
        catalog = self._catalog
        if catalog is not None and (len(catalog) or time.monotonic() < self._catalog_retry):
            return catalog
        with self._lazy:
            if self._catalog is None or not len(self._catalog):
                self._catalog = Catalog.load()
                self._catalog_retry = time.monotonic() + CATALOG_RETRY_S
            return self._catalog

    def extractor(self) -> SkillExtractor | None:
        """Return the skill extractor over the stored taxonomy (None until ESCO is imported)."""
        if self.remote is not None:
            return self.remote.extractor()  # type: ignore[no-any-return]
        if self._extractor is None and not self.staged:
            catalog = self.catalog()
            if len(catalog) == 0:
                return None
            embedder = self.embedder()
            with self._lazy:
                if self._extractor is None:
                    self._extractor = SkillExtractor(
                        catalog.skill_dicts(),
                        embedder,
                        cache_dir=self._npy_cache(),
                        show_progress_bar=self.show_progress,
                    )
        return self._extractor

    def occupation_matcher(self) -> OccupationMatcher | None:
        """Return the title matcher over the stored occupations (None until ESCO is imported)."""
        if self.remote is not None:
            return self.remote.occupation_matcher()  # type: ignore[no-any-return]
        if self._occupations is None and not self.staged:
            catalog = self.catalog()
            if not catalog.occupations:
                return None
            embedder = self.embedder()
            with self._lazy:
                if self._occupations is None:
                    self._occupations = OccupationMatcher(
                        catalog.occupation_dicts(),
                        embedder,
                        cache_dir=self._npy_cache(),
                        show_progress_bar=self.show_progress,
                    )
        return self._occupations

    def _npy_cache(self) -> str:
        return str(self.settings.label_cache_dir or self.settings.data_dir / "cache")

    # ----- building index rows -----

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

    def label_of(self, key: str) -> str:
        """Return the display label of a skill key."""
        label = self.catalog().skill_label(key)
        return label or self.labels.get(key) or key.removeprefix("label:")

    def occupation_label(self, ref: str) -> str:
        """Return the label of an occupation URI, or the reference itself when it is free text."""
        occ = self.catalog().occupations.get(ref)
        return occ.label if occ else ref

    def index_vacancy(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Put one stored vacancy into the vacancy index."""
        skills = doc.get("skills") or []
        required = required_flags(skills)
        weights = [self.settings.essential_weight if s.get("essential") else 1.0 for s in skills]
        cols = self.skill_cols(skills)
        pay = doc.get("salary_max") if doc.get("salary_max") is not None else doc.get("salary_min")
        self.vacancies.upsert(
            str(doc["_id"]),
            vector,
            skills=(cols, weights, required),
            open=doc.get("status") in OPEN_STATUSES,
            region=self.region_code(doc.get("region")),
            remote=bool(doc.get("remote")),
            pay=np.nan if pay is None else float(pay),
            langs=language_mask(doc.get("languages") or []),
            total_weight=float(sum(weights)),
            n_required=float(sum(required)),
        )

    def index_learner(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Put one stored learner into the learner index."""
        cols = self.skill_cols(doc.get("skills") or [])
        self.learners.upsert(
            str(doc["_id"]),
            vector,
            skills=(cols, [1.0] * len(cols), [True] * len(cols)),
            consent=bool(doc.get("consent")),
            region=self.region_code(doc.get("region")),
            langs=language_mask(doc.get("languages") or []),
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
        )

    def held_vector(self, keys: Iterable[str]) -> np.ndarray:
        """Return a 0/1 vector over the vocabulary marking the skill keys held."""
        return self.vocab.vector({k: 1.0 for k in keys})

    # ----- start-up -----

    def load(self) -> dict[str, int]:
        """Rebuild every index from the database and cached embeddings (encoding only misses).

        Three linear passes, whatever the store: the copies (rows with empty vectors), the
        embedding cache once (filling the rows whose key is wanted), then the copies again
        for the texts of any miss (after a model change), encoded in batches.
        """
        self.state = "loading"
        counts: dict[str, int] = {}
        sources = (
            (VacancyCopy, self.vacancies, self.index_vacancy),
            (LearnerCopy, self.learners, self.index_learner),
            (CourseCopy, self.courses, self.index_course),
        )
        fields = {
            VacancyCopy: VACANCY_FIELDS,
            LearnerCopy: LEARNER_FIELDS,
            CourseCopy: COURSE_FIELDS,
        }
        try:
            wanted: dict[str, list[tuple[VectorIndex, str]]] = {}
            with contextlib.ExitStack() as stack:
                for _, index, _ in sources:
                    stack.enter_context(index.bulk())
                dim = self._cached_dim()
                for model, index, index_fn in sources:
                    counts[model._meta["collection"]] = 0
                    # The texts stay on disk: the stored key finds the vector; only a miss
                    # (e.g. after a model change) reads its text back, in the last pass.
                    projection = dict.fromkeys((*fields[model], "vector_key"), 1)
                    for doc in _collection(model).find({}, projection):
                        key = doc.get("vector_key") or f"missing:{doc['_id']}"
                        index_fn(doc, np.zeros(dim, np.float32))
                        wanted.setdefault(key, []).append((index, str(doc["_id"])))
                        counts[model._meta["collection"]] += 1
                # By key, not by scanning the cache: it also holds every text ever encoded.
                cache = database(ALIAS)[COLLECTION]
                keys = [k for k in wanted if not k.startswith("missing:")]
                for start in range(0, len(keys), LOAD_CHUNK):
                    chunk = keys[start : start + LOAD_CHUNK]
                    for entry in cache.find({"_id": {"$in": chunk}, "m": self.model_name}):
                        for index, item_id in wanted.pop(entry["_id"], ()):
                            index.set_vector(item_id, np.frombuffer(entry["v"], np.float32))
                if wanted:
                    self._encode_missing(sources, wanted)
        except Exception as exc:
            self.state = "failed"
            self.load_error = repr(exc)
            raise
        self.state = "ready"
        return counts

    def _cached_dim(self) -> int:
        entry = database(ALIAS)[COLLECTION].find_one({"m": self.model_name})
        return int(entry["d"]) if entry else self.embedder().dim

    def _encode_missing(
        self, sources: Any, wanted: dict[str, list[tuple[VectorIndex, str]]]
    ) -> None:
        log.info("encoding %d texts missing from the embedding cache", len(wanted))
        for model, index, _ in sources:
            coll = _collection(model)
            batch: list[tuple[str, str]] = []
            for doc in coll.find({}, {"text": 1, "vector_key": 1}):
                stored = doc.get("vector_key") or f"missing:{doc['_id']}"
                if any(ix is index for ix, _ in wanted.get(stored, ())):
                    batch.append((str(doc["_id"]), doc.get("text") or ""))
                    if len(batch) >= LOAD_CHUNK:
                        self._encode_batch(coll, index, batch)
                        batch = []
            if batch:
                self._encode_batch(coll, index, batch)

    def _encode_batch(self, coll: Any, index: VectorIndex, batch: list[tuple[str, str]]) -> None:
        vectors = self.vectors_for([text for _, text in batch])
        for (item_id, text), vec in zip(batch, vectors, strict=True):
            index.set_vector(item_id, vec)
            # Store the new key, so the next start finds the vector directly.
            coll.update_one({"_id": item_id}, {"$set": {"vector_key": self.vector_key(text)}})

    def vectors_for(self, texts: list[str]) -> np.ndarray:
        """Return the document vectors of ``texts`` through the cache."""
        return self.cache.vectors(texts, DOC_KIND)

    def vector_key(self, text: str) -> str:
        """Return the cache key of a document text."""
        return self.cache.key(text, DOC_KIND)

    def status(self) -> dict[str, Any]:
        """Return index sizes and load state."""
        return {
            "state": self.state,
            "load_error": self.load_error,
            "model": self.model_name,
            "indexes": {
                "vacancies": self.vacancies.status(),
                "learners": self.learners.status(),
                "courses": self.courses.status(),
            },
            "embedding_cache": {"hits": self.cache.hits, "misses": self.cache.misses},
        }


def _collection(model: Any) -> Any:
    """Return the raw collection of a document class (bulk reads skip object building)."""
    return database(model._meta["db_alias"])[model._meta["collection"]]
