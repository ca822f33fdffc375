"""Embedding cache: one document per (model, kind, text), so nothing is ever encoded twice.

Vectors are stored as raw float32 bytes keyed by ``text_key(model, kind + NUL + text)``: the kind
is part of the key because e5 encodes queries and passages with different prefixes. Misses are
encoded in batches (one model call per ``batch`` texts) and written with ``insert_many``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from services.common.db import database
from services.matcher.db import ALIAS
from services.matcher.ml.embedding import Embedder, Kind, canonical_name, text_key

COLLECTION = "embeddings"
LOOKUP_CHUNK = 1000


def cache_key(model: str, text: str, kind: Kind) -> str:
    """Return the cache key of ``text`` encoded as ``kind`` by ``model``."""
    return text_key(model, f"{kind}\x00{text}")


class EmbeddingCache:
    """Vectors by cache key in the matcher's database; encodes only what it has never seen."""

    def __init__(self, model: str, embedder: Callable[[], Embedder], *, batch: int = 256) -> None:
        self.model = canonical_name(model)
        self._embedder = embedder
        self.batch = batch
        self.hits = 0
        self.misses = 0

    def key(self, text: str, kind: Kind) -> str:
        """Return the cache key of ``text``."""
        return cache_key(self.model, text, kind)

    def _collection(self) -> Any:
        return database(ALIAS)[COLLECTION]

    def lookup(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the cached vectors among ``keys`` (no encoding)."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        coll = self._collection()
        for start in range(0, len(unique), LOOKUP_CHUNK):
            chunk = unique[start : start + LOOKUP_CHUNK]
            query = {"_id": chunk[0]} if len(chunk) == 1 else {"_id": {"$in": chunk}}
            for doc in coll.find(query):
                found[doc["_id"]] = np.frombuffer(doc["v"], dtype=np.float32)
        return found

    def vectors(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        """Return an (n, dim) float32 matrix for ``texts``, encoding and storing the misses."""
        keys = [self.key(t, kind) for t in texts]
        found = self.lookup(keys)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                missing.setdefault(key, text)
        self.hits += len(keys) - sum(1 for k in keys if k in missing)
        self.misses += len(missing)
        if missing:
            found.update(self._encode_and_store(missing, kind))
        if not keys:
            return np.zeros((0, 0), np.float32)
        return np.ascontiguousarray(np.stack([found[k] for k in keys]), dtype=np.float32)

    def _encode_and_store(self, missing: dict[str, str], kind: Kind) -> dict[str, np.ndarray]:
        embedder = self._embedder()
        out: dict[str, np.ndarray] = {}
        items = list(missing.items())
        coll = self._collection()
        for start in range(0, len(items), self.batch):
            chunk = items[start : start + self.batch]
            mat = embedder.encode([t for _, t in chunk], kind)
            docs = []
            for (key, _), vec in zip(chunk, mat, strict=True):
                vec = np.ascontiguousarray(vec, dtype=np.float32)
                out[key] = vec
                docs.append(
                    {"_id": key, "m": self.model, "d": int(vec.shape[0]), "v": vec.tobytes()}
                )
            try:
                coll.insert_many(docs, ordered=False)
            except Exception:  # another worker stored some first: write each one idempotently
                for doc in docs:
                    coll.replace_one({"_id": doc["_id"]}, doc, upsert=True)
        return out

    def count(self) -> int:
        """Return how many vectors are cached."""
        return int(self._collection().count_documents({}))
