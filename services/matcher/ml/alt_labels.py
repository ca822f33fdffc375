"""The alt-label vectors of every skill and each skill's best alt-label similarity to a query."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from services.matcher.ml.threads import call_threads

#: ``q @ labels_t`` for a (rows, dim) query block and the (dim, n) label matrix (or a slice).
Product = Callable[[np.ndarray, np.ndarray], np.ndarray]


class AltLabels:
    """Alt-label vectors sorted by skill, kept transposed, with one padded zero column."""

    def __init__(
        self,
        vectors: np.ndarray,
        owners: np.ndarray,
        n_skills: int,
        product: Product | None = None,
    ) -> None:
        """Hold ``vectors`` (one row per alt label, ``owners`` their skills, ascending).

        ``product`` None: torch's sgemm where torch is loaded (a real model loads it), else
        numpy's.
        """
        # Transposed, C-ordered: a request's few query rows times this ran 35 -> 22 ms here
        # against the (n, dim) layout, whose transpose BLAS repacks on every call.
        self.t = np.zeros((vectors.shape[1], len(vectors) + 1), np.float32)
        self.t[:, : len(vectors)] = vectors.T
        self.matrix = self.t[:, :-1].T  # (alt labels, dim), a view
        self.owners = owners
        self.has = np.zeros(n_skills, dtype=bool)
        self.has[owners] = True
        # Starts index the padded column too, so trailing skills without alt labels stay in range.
        self.starts = np.searchsorted(owners, np.arange(n_skills))
        self.split = halves(owners, self.starts, n_skills)
        self.product: Product = product or default_product()
        self._helper: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def best(self, q: np.ndarray) -> np.ndarray:
        """Return each skill's best alt-label similarity (a stray value where it has none)."""
        # 85k x 384 floats (131 MB) read per call cost ~30 ms of one core: a request allowed two
        # threads (threads.request_threads) gives the upper half to a helper thread. The
        # halves compute the same dot products (bit for bit on 2+ query rows, measured).
        q = np.ascontiguousarray(q, np.float32)
        split = self.split
        if split is None or (call_threads() or 1) < 2:
            return reduce_max(q, self.t, self.starts, self.product)
        skill, col = split
        upper = self._pool().submit(
            reduce_max, q, self.t[:, col:], self.starts[skill:] - col, self.product
        )
        lower = reduce_max(q, self.t[:, :col], self.starts[:skill], self.product)
        return np.concatenate([lower, upper.result()], axis=1)

    def _pool(self) -> ThreadPoolExecutor:
        """Return the one helper thread, started on first use."""
        with self._lock:
            if self._helper is None:
                self._helper = ThreadPoolExecutor(1, thread_name_prefix="alt-labels")
            return self._helper


def default_product() -> Product:
    """Return torch's product if torch is already imported, else numpy's."""
    # torch is never imported for this alone (8-16 s here); a real model has loaded it.
    return torch_product if "torch" in sys.modules else numpy_product


def numpy_product(q: np.ndarray, labels_t: np.ndarray) -> np.ndarray:
    """Return ``q @ labels_t`` through numpy's BLAS."""
    return q @ labels_t


def torch_product(q: np.ndarray, labels_t: np.ndarray) -> np.ndarray:
    """Return ``q @ labels_t`` through torch's sgemm (views, no copy of the label matrix)."""
    import torch

    # Measured here 7 x 384 by 384 x 85k: 31 -> 22 ms of one core against numpy's OpenBLAS,
    # the same values; torch keeps its configured thread count (one, see configure_threads).
    return torch.mm(torch.from_numpy(q), torch.from_numpy(labels_t)).numpy()


def halves(owners: np.ndarray, starts: np.ndarray, n: int) -> tuple[int, int] | None:
    """Return (first skill, first alt column) of the upper half of the alt labels, or None.

    The cut follows the middle column's skill, which has alt labels: every start of the lower
    half then lies below the cut, so its reduceat needs no padded column.
    """
    if len(owners) < 2:
        return None
    skill = int(owners[len(owners) // 2]) + 1
    if skill >= n:
        return None
    return skill, int(starts[skill])


def reduce_max(
    q: np.ndarray, labels_t: np.ndarray, starts: np.ndarray, product: Product = numpy_product
) -> np.ndarray:
    """Return the max of ``q @ labels_t`` over each run of columns beginning at ``starts``."""
    return np.maximum.reduceat(product(q, labels_t), starts, axis=1)
