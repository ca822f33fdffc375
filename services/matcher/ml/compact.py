"""Int8 copy of an index's matrix: a quarter of the bytes to scan, answers still exact.

Row ``x`` is stored as ``round(x * 127 / max|x|)`` with its scale; a query is quantised the same
way and scored by torch's int8 x int8 -> int32 matmul (numpy has no int8 BLAS; torch is already
a dependency, for the embedder). The error of an int8 score is bounded (``error_bound``), so
every row whose int8 score is within twice that bound of the k-th best may be in the true top k:
those rows (about a hundred here) are re-scored in float32 from the master matrix and the top k
taken from them. The float32 matrix stays the source of truth (snapshots, HNSW, ``sims_all``).
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

#: Rows quantised per step of a build (under the index lock, a few ms each).
BUILD_BLOCK = 65_536
#: Most shortlisted rows re-scored; beyond that (near-duplicate rows, ties) float32 scans all.
SHORTLIST_MAX = 20_000
#: Slack for float32 rounding in the dequantised scores (their error is ~1e-7 relative).
FLOAT_SLACK = 1e-5


def available() -> bool:
    """Return whether torch (for the int8 matmul) is installed."""
    return importlib.util.find_spec("torch") is not None


def quantise(block: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Return (int8 rows, 1/scale per row, largest row L1 norm); zero rows get scale 0."""
    if len(block) == 0:
        return np.zeros(block.shape, np.int8), np.zeros(0, np.float32), 0.0
    mag = np.abs(block)
    peak = mag.max(axis=1)
    l1 = float(mag.sum(axis=1).max())
    scale = np.divide(127.0, peak, out=np.zeros_like(peak), where=peak > 0)
    codes = np.rint(np.multiply(block, scale[:, None], out=mag)).astype(np.int8)
    inv = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale > 0)
    return codes, inv.astype(np.float32), l1


class Int8Rows:
    """The int8 codes of rows ``0..built-1`` of one float32 matrix, kept in step by the index."""

    def __init__(self, source: np.ndarray, capacity: int, dim: int) -> None:
        self.source = source  # the float32 matrix these codes mirror (identity checked)
        self.codes = np.zeros((capacity, dim), np.int8)
        self.inv = np.zeros(capacity, np.float32)
        #: Largest ``max|x|`` and ``sum|x|`` of any row, for the error bound.
        self.peak = 0.0
        self.l1 = 0.0
        self.built = 0

    @property
    def nbytes(self) -> int:
        """Bytes held (codes and scales)."""
        return int(self.codes.nbytes + self.inv.nbytes)

    def grown(self, source: np.ndarray, capacity: int, n: int) -> Int8Rows:
        """Return a copy with room for ``capacity`` rows mirroring the grown ``source``."""
        new = Int8Rows(source, capacity, self.codes.shape[1])
        upto = min(self.built, n)
        new.codes[:upto] = self.codes[:upto]
        new.inv[:upto] = self.inv[:upto]
        new.peak, new.l1, new.built = self.peak, self.l1, self.built
        return new

    def set_rows(self, start: int, block: np.ndarray) -> None:
        """Quantise float32 rows ``start..start+len(block)-1`` (called under the index lock)."""
        if len(block) == 0:
            return
        codes, inv, l1 = quantise(block)
        stop = start + len(block)
        self.codes[start:stop] = codes
        self.inv[start:stop] = inv
        self.peak = max(self.peak, float(127.0 * inv.max()) * (1 + 1e-6))  # inv is rounded
        self.l1 = max(self.l1, l1)

    def error_bound(self, q: np.ndarray, q_scale: float) -> float:
        """Return the largest |int8 score - float32 score| of any row for query ``q``.

        With ``q~ = q + dq`` and ``x~ = x + dx`` (each element off by at most half a step):
        ``q~.x~ - q.x = q.dx + dq.x + dq.dx``, bounded by ``|q|_1 |dx|_max + |x|_1 |dq|_max +
        d |dq|_max |dx|_max``; ``|dx|_max <= peak / 254`` for every row.
        """
        dx = self.peak / 254.0
        dq = 0.5 / q_scale if q_scale > 0 else 0.0
        d = self.codes.shape[1]
        return float(np.abs(q).sum()) * dx + self.l1 * dq + d * dq * dx + FLOAT_SLACK

    def scores(self, q: np.ndarray, n: int) -> tuple[np.ndarray, float]:
        """Return (approximate scores of rows 0..n-1, their error bound) for a float32 query.

        Both are in the query's int8 units (times its scale): the same order, one pass less.
        """
        import torch

        peak = float(np.abs(q).max()) if len(q) else 0.0
        q_scale = 127.0 / peak if peak > 0 else 0.0
        q8 = np.rint(q * q_scale).astype(np.int8).reshape(-1, 1)
        # Views, not copies: the int32 result is the only buffer of N written here.
        dots = torch._int_mm(torch.from_numpy(self.codes[:n]), torch.from_numpy(q8)).numpy()
        approx = np.multiply(dots[:, 0], self.inv[:n], dtype=np.float32)
        bound = self.error_bound(q, q_scale)
        return approx, bound * q_scale if q_scale > 0 else bound


def shortlist(approx: np.ndarray, k: int, bound: float, passing: np.ndarray | None) -> Any:
    """Return the rows that may hold the true top ``k`` (ascending), or None if too many."""
    if passing is not None:
        np.copyto(approx, -np.inf, where=~passing)
    n = len(approx)
    k = min(k, n)
    kth = float(np.partition(approx, n - k)[n - k])
    if not np.isfinite(kth):  # fewer than k pass: every passing row is in
        rows = np.flatnonzero(np.isfinite(approx))
    else:
        rows = np.flatnonzero(approx >= kth - 2.0 * bound)
    return None if len(rows) > SHORTLIST_MAX else rows


class Int8Copy:
    """The int8 copy of one index's matrix: built when due, kept in step with its writes.

    Every method but ``build`` runs under the index lock; ``build`` takes it per block, so
    requests go on while a large matrix is quantised (about a second per million rows).
    """

    def __init__(self, min_rows: int, lock: Any) -> None:
        self.min_rows = min_rows
        self.lock = lock
        self.rows: Int8Rows | None = None
        self.building = False

    @property
    def nbytes(self) -> int:
        """Bytes held by the copy."""
        return self.rows.nbytes if self.rows is not None else 0

    def grow(self, old: np.ndarray, new: np.ndarray, capacity: int, n: int) -> None:
        """Follow the matrix to its grown array (rows keep their codes)."""
        if self.rows is not None and self.rows.source is old:
            self.rows = self.rows.grown(new, capacity, n)

    def written(self, vecs: np.ndarray, row: int) -> None:
        """Re-quantise a written row, or append it when every row before it is built."""
        codes = self.rows
        if codes is None or codes.source is not vecs:
            return
        if row < codes.built:
            codes.set_rows(row, vecs[row : row + 1])
        elif row == codes.built and not self.building:
            codes.set_rows(row, vecs[row : row + 1])
            codes.built = row + 1

    def ready(
        self,
        vecs: np.ndarray,
        n: int,
        current: Callable[[], tuple[np.ndarray, int]],
        *,
        background: bool,
    ) -> Int8Rows | None:
        """Return the copy if it mirrors ``vecs[:n]``, starting its build when due."""
        codes = self.rows
        if codes is not None and codes.source is vecs and codes.built >= n:
            return codes
        if n < self.min_rows or self.building or not available():
            return None
        self.building = True
        if background:
            threading.Thread(target=self.build, args=(current,), daemon=True).start()
            return None
        self.build(current)
        return self.rows

    def build(self, current: Callable[[], tuple[np.ndarray, int]]) -> None:
        """Quantise ``current()``'s matrix block by block, starting over if it is replaced."""
        self.building = True
        try:
            import torch  # noqa: F401  (imported beside the build, not by the first request)

            while True:
                with self.lock:
                    vecs, n = current()
                    codes = self.rows
                    if codes is None or codes.source is not vecs:
                        codes = Int8Rows(vecs, len(vecs), vecs.shape[1])
                        self.rows = codes
                    stop = min(codes.built + BUILD_BLOCK, n)
                    codes.set_rows(codes.built, vecs[codes.built : stop])
                    codes.built = stop
                    if stop >= n:
                        return
        finally:
            self.building = False
