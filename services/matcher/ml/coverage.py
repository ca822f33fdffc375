"""Skill sets of every indexed item as a sparse matrix, so coverage is one mat-vec for all items.

Rows are the index rows, columns the skill vocabulary. A changed row goes to a small overlay
instead of rebuilding the CSR matrix on every feed event; the overlay folds into the matrix
once it grows past ``fold_at`` rows. Each fold also builds the inverted index (skill column ->
rows holding it, i.e. the CSC form), so a product with a query that names a few skills costs
the length of those skills' posting lists, not a pass over every row's entries.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import numpy as np
import scipy.sparse as sp

_NORM_RE = re.compile(r"[^\w+#]+", re.UNICODE)


def skill_key(skill: dict[str, Any]) -> str | None:
    """Return the identity of a skill: its ESCO URI, else its normalised label."""
    uri = skill.get("uri")
    if uri:
        return str(uri)
    label = _NORM_RE.sub(" ", str(skill.get("label") or "").lower()).strip()
    return f"label:{label}" if label else None


class Vocabulary:
    """Skill key -> column number, growing as new skills appear."""

    def __init__(self) -> None:
        self.cols: dict[str, int] = {}
        self.keys: list[str] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.keys)

    def col(self, key: str) -> int:
        """Return the column of ``key``, adding it if new."""
        col = self.cols.get(key)
        if col is None:
            with self._lock:
                col = self.cols.get(key)
                if col is None:
                    col = len(self.keys)
                    self.keys.append(key)
                    self.cols[key] = col
        return col

    def vector(self, weights: dict[str, float]) -> np.ndarray:
        """Return a dense vector over the vocabulary with ``weights`` at known keys."""
        out = np.zeros(len(self.keys) + 1, np.float32)
        for key, w in weights.items():
            col = self.cols.get(key)
            if col is not None:
                out[col] = w
        return out


class SkillRows:
    """Per-row (column, weight, essential) entries with fast products against query vectors."""

    def __init__(self, fold_at: int = 2000, fold_cap: int = 50_000) -> None:
        self.fold_at = fold_at
        self.fold_cap = fold_cap
        self.bulk = False
        self._indptr = np.zeros(1, np.int64)
        self._indices = np.zeros(0, np.int32)
        self._weights = np.zeros(0, np.float32)
        self._essential = np.zeros(0, np.float32)
        self._overlay: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._overlay_csr: tuple[np.ndarray, Any, Any] | None = None
        # Inverted index of the folded rows: (column pointers, rows, weights, essential flags).
        self._postings: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._csr: tuple[Any, Any] | None = None
        self._lock = threading.RLock()

    def _fold_threshold(self) -> int:
        # Folding costs O(non-zeros): growing the threshold with the matrix keeps a bulk load
        # linear overall; the cap bounds the per-query cost of the overlay in steady state.
        grown = max(self.fold_at, self.base_rows // 8)
        return grown if self.bulk else min(grown, max(self.fold_at, self.fold_cap))

    @property
    def base_rows(self) -> int:
        return len(self._indptr) - 1

    def set(self, row: int, cols: list[int], weights: list[float], essential: list[bool]) -> None:
        """Replace the entries of ``row``."""
        entry = (
            np.asarray(cols, np.int32),
            np.asarray(weights, np.float32),
            np.asarray(essential, np.float32),
        )
        with self._lock:
            self._overlay[row] = entry
            self._overlay_csr = None
            if len(self._overlay) >= self._fold_threshold():
                self.fold()

    def clear(self, row: int) -> None:
        """Remove every entry of ``row``."""
        self.set(row, [], [], [])

    def get(self, row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (columns, weights, essential flags) of ``row``."""
        with self._lock:
            if row in self._overlay:
                return self._overlay[row]
            if row >= self.base_rows:
                empty = np.zeros(0, np.float32)
                return np.zeros(0, np.int32), empty, empty
            a, b = self._indptr[row], self._indptr[row + 1]
            return self._indices[a:b], self._weights[a:b], self._essential[a:b]

    def fold(self) -> None:
        """Merge the overlay into the CSR arrays and rebuild the inverted index (O(non-zeros))."""
        with self._lock:
            if not self._overlay:
                if not self.bulk and self._postings is None:
                    self._index()
                return
            n_rows = max(self.base_rows, max(self._overlay) + 1)
            lengths = np.zeros(n_rows, np.int64)
            lengths[: self.base_rows] = np.diff(self._indptr)
            keep_row = np.ones(n_rows, bool)
            for row in self._overlay:
                keep_row[row] = False
            base_len = np.diff(self._indptr)
            owner = np.repeat(np.arange(self.base_rows), base_len)
            keep = keep_row[owner] if len(owner) else np.zeros(0, bool)
            parts_rows = [owner[keep]]
            parts_cols = [self._indices[keep]]
            parts_w = [self._weights[keep]]
            parts_e = [self._essential[keep]]
            for row, (cols, w, e) in self._overlay.items():
                lengths[row] = len(cols)
                parts_rows.append(np.full(len(cols), row, np.int64))
                parts_cols.append(cols)
                parts_w.append(w)
                parts_e.append(e)
            rows = np.concatenate(parts_rows)
            order = np.argsort(rows, kind="stable")
            self._indices = np.concatenate(parts_cols)[order].astype(np.int32)
            self._weights = np.concatenate(parts_w)[order].astype(np.float32)
            self._essential = np.concatenate(parts_e)[order].astype(np.float32)
            self._indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
            self._overlay = {}
            self._overlay_csr = None
            self._postings = None
            self._csr = None
            if not self.bulk:  # a bulk load indexes once, at its end
                self._index()

    def _index(self) -> None:
        """Build the column -> rows postings and the scipy views of the folded rows."""
        width = int(self._indices.max()) + 1 if len(self._indices) else 1
        order = np.argsort(self._indices, kind="stable")  # stable: rows ascend in each column
        owner = np.repeat(np.arange(self.base_rows, dtype=np.int32), np.diff(self._indptr))
        colptr = np.zeros(width + 1, np.int64)
        np.cumsum(np.bincount(self._indices, minlength=width), out=colptr[1:])
        self._weights, self._essential = _unit(self._weights), _unit(self._essential)
        self._postings = (
            colptr,
            owner[order],
            _permuted(self._weights, order),
            _permuted(self._essential, order),
        )
        self._csr = None  # built on the first dense query (_matrices)

    def state(self) -> dict[str, np.ndarray]:
        """Return the folded arrays and their inverted index (for a snapshot)."""
        with self._lock:
            self.fold()
            if self._postings is None:
                self._index()
            assert self._postings is not None
            colptr, owner, weights, essential = self._postings
            return {
                "indptr": self._indptr,
                "indices": self._indices,
                "weights": self._weights,
                "essential": self._essential,
                "colptr": colptr,
                "owner": owner,
                "col_weights": weights,
                "col_essential": essential,
            }

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Replace every row with arrays from :meth:`state`."""
        with self._lock:
            self._indptr = np.asarray(arrays["indptr"], np.int64)
            self._indices = np.asarray(arrays["indices"], np.int32)
            self._weights = np.asarray(arrays["weights"], np.float32)
            self._essential = np.asarray(arrays["essential"], np.float32)
            self._overlay = {}
            self._overlay_csr = None
            self._weights, self._essential = _unit(self._weights), _unit(self._essential)
            self._postings = (
                arrays["colptr"],
                arrays["owner"],
                _unit(np.asarray(arrays["col_weights"], np.float32)),
                _unit(np.asarray(arrays["col_essential"], np.float32)),
            )
            self._csr = None

    def nbytes(self) -> int:
        """Return the bytes held by the folded rows and their inverted index."""
        arrays: list[np.ndarray] = [self._indptr, self._indices, self._weights, self._essential]
        if self._postings is not None:
            arrays.extend(self._postings)
        # A shared all-ones array (every learner skill weighs 1) holds one element.
        return int(sum(a.nbytes if a.strides != (0,) else a.itemsize for a in arrays))

    def _matrices(self) -> tuple[Any, Any] | None:
        """Return the scipy CSR views (weights, essential) of the folded rows, built once."""
        with self._lock:
            if self._csr is None and self.base_rows:
                width = len(self._postings[0]) - 1 if self._postings is not None else 0
                if width <= 0:
                    width = int(self._indices.max()) + 1 if len(self._indices) else 1
                shape = (self.base_rows, width)
                ones = None
                data = []
                for arr in (self._weights, self._essential):
                    if arr.strides == (0,) and len(arr):  # scipy needs a real array
                        ones = np.ones(len(arr), np.float32) if ones is None else ones
                        arr = ones
                    data.append(sp.csr_matrix((arr, self._indices, self._indptr), shape=shape))
                self._csr = (data[0], data[1])
            return self._csr

    def _overlay_matrix(self) -> tuple[np.ndarray, Any, Any]:
        """Return (rows, weights CSR, essential CSR) of the overlay, built once per change."""
        with self._lock:
            if self._overlay_csr is None:
                rows = np.array(sorted(self._overlay), np.int64)
                entries = [self._overlay[int(r)] for r in rows]
                lengths = np.array([len(e[0]) for e in entries], np.int64)
                indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
                cols = np.concatenate([e[0] for e in entries]) if entries else np.zeros(0)
                width = int(cols.max()) + 1 if len(cols) else 1
                shape = (len(rows), width)
                w = np.concatenate([e[1] for e in entries]) if entries else np.zeros(0)
                ess = np.concatenate([e[2] for e in entries]) if entries else np.zeros(0)
                self._overlay_csr = (
                    rows,
                    sp.csr_matrix((w.astype(np.float32), cols.astype(np.int32), indptr), shape),
                    sp.csr_matrix((ess.astype(np.float32), cols.astype(np.int32), indptr), shape),
                )
            return self._overlay_csr

    def product(self, x: np.ndarray, n: int, *, essential_only: bool = False) -> np.ndarray:
        """Return, for rows 0..n-1, the sum over each row's entries of weight * x[column].

        A query naming few skills walks those skills' posting lists (cost: the rows holding
        them); a dense query, or one before the first fold, multiplies the CSR matrix.
        """
        with self._lock:
            if self._postings is None and self.base_rows and not self.bulk:
                self._index()
            postings = self._postings
            ov_rows, ov_w, ov_e = self._overlay_matrix()
            base_rows = self.base_rows
        out = np.zeros(n, np.float32)
        rows = min(base_rows, n)
        if rows > 0 and postings is not None:
            colptr, owner, weights, essential = postings
            data = essential if essential_only else weights
            cols = np.flatnonzero(x[: len(colptr) - 1] != 0)  # bool nonzero: far cheaper
            if len(cols) * 8 < len(colptr):
                for c in cols.tolist():
                    a, b = int(colptr[c]), int(colptr[c + 1])
                    # One column holds a row at most once, so fancy "+=" adds every entry.
                    hit = owner[a:b]
                    if rows < base_rows:
                        keep = hit < rows
                        out[hit[keep]] += data[a:b][keep] * x[c]
                    else:
                        out[hit] += data[a:b] * x[c]
            elif (csr := self._matrices()) is not None:
                mat = csr[1] if essential_only else csr[0]
                out[:rows] = (mat @ _fit(x, mat.shape[1]))[:rows]
        elif rows > 0 and len(self._indices):
            shape = (base_rows, int(self._indices.max()) + 1)
            data = self._essential if essential_only else self._weights
            mat = sp.csr_matrix((data, self._indices, self._indptr), shape=shape)
            out[:rows] = (mat @ _fit(x, mat.shape[1]))[:rows]
        if len(ov_rows):
            ov = ov_e if essential_only else ov_w
            keep = ov_rows < n
            out[ov_rows[keep]] = (ov @ _fit(x, ov.shape[1]))[keep]
        return out

    def product_rows(
        self, x: np.ndarray, rows: np.ndarray, *, essential_only: bool = False
    ) -> np.ndarray:
        """Return ``product`` restricted to ``rows`` (cost: those rows' entries only)."""
        out = np.zeros(len(rows), np.float32)
        if len(rows) == 0:
            return out
        with self._lock:
            if self._postings is None and self.base_rows:
                self._index()
            csr = self._matrices()
            overlay = dict(self._overlay) if self._overlay else {}
            base_rows = self.base_rows
        rows = np.asarray(rows, np.int64)
        in_base = rows < base_rows
        if csr is not None and in_base.any():
            mat = csr[1] if essential_only else csr[0]
            out[in_base] = mat[rows[in_base]] @ _fit(x, mat.shape[1])
        if overlay:
            xx = _fit(x, len(x))
            for i, r in enumerate(rows.tolist()):
                entry = overlay.get(r)
                if entry is not None:
                    cols, w, e = entry
                    valid = cols < len(xx)
                    out[i] = float(((e if essential_only else w)[valid] * xx[cols[valid]]).sum())
        return out


def _unit(arr: np.ndarray) -> np.ndarray:
    """Return ``arr``, or one shared read-only 1.0 standing for every entry when all are 1."""
    if len(arr) and arr.strides != (0,) and arr.min() == 1.0 and arr.max() == 1.0:
        return np.broadcast_to(np.float32(1.0), arr.shape)
    return arr


def _permuted(arr: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Return ``arr[order]`` (a shared all-ones array stays shared)."""
    return arr if arr.strides == (0,) else arr[order]


def _fit(x: np.ndarray, width: int) -> np.ndarray:
    """Return ``x`` cut or zero-padded to ``width`` (new skills have no column in old rows)."""
    if len(x) >= width:
        return x[:width].astype(np.float32, copy=False)
    out = np.zeros(width, np.float32)
    out[: len(x)] = x
    return out
