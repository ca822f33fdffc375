"""Exact top-k over a matrix: float32 scan, or an int8 shortlist re-scored in float32."""

from __future__ import annotations

import numpy as np

from services.matcher.ml.compact import Int8Rows, shortlist

#: Rows gathered per block in a scan of selected rows (the block stays in cache for the mat-vec).
GATHER_BLOCK = 4096


def top_k(
    scores: np.ndarray, k: int, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return (rows, scores) of the ``k`` best finite scores, best first (ties: lower first)."""
    if len(scores) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    k = min(k, len(scores))
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    part = part[np.isfinite(scores[part])]
    # Equal scores in position order (argpartition leaves them in any order): one answer.
    order = part[np.lexsort((part, -scores[part]))]
    chosen = order if rows is None else rows[order]
    return np.asarray(chosen, np.int64), np.asarray(scores[order], np.float32)


def gather_dot(vecs: np.ndarray, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return ``vecs[rows] @ q``, gathering block by block (no copy of many rows at once)."""
    if len(rows) == 0:
        return np.zeros(0, np.float32)
    if len(rows) <= GATHER_BLOCK:
        return np.asarray(vecs[rows] @ q, np.float32)
    out = np.empty(len(rows), np.float32)
    for a in range(0, len(rows), GATHER_BLOCK):
        out[a : a + GATHER_BLOCK] = vecs[rows[a : a + GATHER_BLOCK]] @ q
    return out


def exact_top_k(
    vecs: np.ndarray,
    n: int,
    q: np.ndarray,
    k: int,
    passing: np.ndarray | None,
    codes: Int8Rows | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the exact top ``k`` of rows ``0..n-1`` passing ``passing`` (None: all), best first.

    With ``codes`` the scan reads the int8 copy (a quarter of the bytes) and re-scores in float32
    only the rows its error bound cannot rule out, so the answer is the float32 one.
    """
    q = np.asarray(q, np.float32)
    if codes is not None:
        approx, bound = codes.scores(q, n)
        rows = shortlist(approx, k, bound, passing)
        if rows is not None:
            return top_k(gather_dot(vecs, q, rows), k, rows)
    sims = np.asarray(vecs[:n] @ q, np.float32)
    if passing is not None:
        np.copyto(sims, -np.inf, where=~passing)
    return top_k(sims, k)
