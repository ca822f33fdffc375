"""Start-up: rebuild the in-memory indexes from the matcher's copies and the embedding cache."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import numpy as np

from services.common.db import database
from services.matcher.db import ALIAS, collection
from services.matcher.ml.index import VectorIndex
from services.matcher.recommend.state import Matcher
from services.matcher.sync.cache import COLLECTION
from services.matcher.sync.models import CourseCopy, LearnerCopy, VacancyCopy

log = logging.getLogger("qabilet.matcher")

LOAD_CHUNK = 5000
# What the index rows are built from (read at start-up without the texts).
VACANCY_FIELDS = (
    "status", "region", "remote", "salary_min", "salary_max", "languages", "language_levels",
    "employment_type", "skills", "tags_pending", "title", "employer_id",
)  # fmt: skip
LEARNER_FIELDS = ("region", "languages", "language_levels", "consent", "skills", "tags_pending")
COURSE_FIELDS = ("hours", "active", "skills", "prerequisites")

Wanted = dict[str, list[tuple[VectorIndex, str]]]


def rebuild_indexes(m: Matcher) -> dict[str, int]:
    """Rebuild every index from the database and cached embeddings (encoding only misses).

    Three linear passes, whatever the store: the copies (rows with empty vectors), the
    embedding cache once (filling the rows whose key is wanted), then the copies again
    for the texts of any miss (after a model change), encoded in batches.
    """
    m.state = "loading"
    counts: dict[str, int] = {}
    sources = (
        (VacancyCopy, m.vacancies, m.index_vacancy),
        (LearnerCopy, m.learners, m.index_learner),
        (CourseCopy, m.courses, m.index_course),
    )
    fields = {
        VacancyCopy: VACANCY_FIELDS,
        LearnerCopy: LEARNER_FIELDS,
        CourseCopy: COURSE_FIELDS,
    }
    try:
        wanted: Wanted = {}
        with contextlib.ExitStack() as stack:
            for _, index, _ in sources:
                stack.enter_context(index.bulk())
            dim = _cached_dim(m)
            for model, index, index_fn in sources:
                counts[model._meta["collection"]] = 0
                # The texts stay on disk: the stored key finds the vector; only a miss
                # (e.g. after a model change) reads its text back, in the last pass.
                projection = dict.fromkeys((*fields[model], "vector_key"), 1)
                for doc in collection(model).find({}, projection):
                    key = doc.get("vector_key") or f"missing:{doc['_id']}"
                    index_fn(doc, np.zeros(dim, np.float32))
                    wanted.setdefault(key, []).append((index, str(doc["_id"])))
                    counts[model._meta["collection"]] += 1
            # By key, not by scanning the cache: it also holds every text ever encoded.
            cache = database(ALIAS)[COLLECTION]
            keys = [k for k in wanted if not k.startswith("missing:")]
            for start in range(0, len(keys), LOAD_CHUNK):
                chunk = keys[start : start + LOAD_CHUNK]
                for entry in cache.find({"_id": {"$in": chunk}, "m": m.model_name}):
                    for index, item_id in wanted.pop(entry["_id"], ()):
                        index.set_vector(item_id, np.frombuffer(entry["v"], np.float32))
            if wanted:
                _encode_missing(m, sources, wanted)
    except Exception as exc:
        m.state = "failed"
        m.load_error = repr(exc)
        raise
    m.state = "ready"
    return counts


def _cached_dim(m: Matcher) -> int:
    entry = database(ALIAS)[COLLECTION].find_one({"m": m.model_name})
    return int(entry["d"]) if entry else m.embedder().dim


def _encode_missing(m: Matcher, sources: Any, wanted: Wanted) -> None:
    log.info("encoding %d texts missing from the embedding cache", len(wanted))
    for model, index, _ in sources:
        coll = collection(model)
        batch: list[tuple[str, str]] = []
        for doc in coll.find({}, {"text": 1, "vector_key": 1}):
            stored = doc.get("vector_key") or f"missing:{doc['_id']}"
            if any(ix is index for ix, _ in wanted.get(stored, ())):
                batch.append((str(doc["_id"]), doc.get("text") or ""))
                if len(batch) >= LOAD_CHUNK:
                    _encode_batch(m, coll, index, batch)
                    batch = []
        if batch:
            _encode_batch(m, coll, index, batch)


def _encode_batch(m: Matcher, coll: Any, index: VectorIndex, batch: list[tuple[str, str]]) -> None:
    vectors = m.vectors_for([text for _, text in batch])
    for (item_id, text), vec in zip(batch, vectors, strict=True):
        index.set_vector(item_id, vec)
        # Store the new key, so the next start finds the vector directly.
        coll.update_one({"_id": item_id}, {"$set": {"vector_key": m.vector_key(text)}})
