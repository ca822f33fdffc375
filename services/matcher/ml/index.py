"""In-memory vector index: a contiguous float32 matrix, filter columns, optional HNSW graph.

Vectors are L2-normalised once on insert, so cosine similarity is one ``M @ q`` over the matrix
followed by ``argpartition``; from ``compact_min_rows`` rows the exact scan reads an int8 copy
and re-scores its shortlist in float32 (``compact``, ``scan``: the same answer from a quarter of
the bytes). Filters are boolean masks over rows applied *before* the top-k is taken. Above
``ann_threshold`` live rows an HNSW graph (hnswlib, inner product) answers instead; a filter is
applied to an over-fetched unfiltered answer (hnswlib's filter callback only when that cannot
find enough), and when few rows pass (under 5% or 50,000) they are scanned exactly (cheaper
than a graph walk that rejects almost every node).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.matcher.ml.compact import Int8Copy
from services.matcher.ml.coverage import SkillRows
from services.matcher.ml.scan import exact_top_k, gather_dot, top_k

__all__ = ["AnnParams", "VectorIndex", "top_k"]

log = logging.getLogger("qabilet.matcher.index")

#: Below this share of passing rows a filtered query scans the passing rows exactly.
SELECTIVE_SHARE = 0.05
#: ... and below this many: gathering 50k rows reads ~77 MB, a few ms, while a graph walk
#: through hnswlib's Python filter callback that rejects most nodes costs tens of ms.
EXACT_ROWS = 50_000
#: From this many rows the exact scan reads the int8 copy (below, the matrix sits in cache).
COMPACT_MIN_ROWS = 50_000
#: Most rows an unfiltered graph query may fetch to keep ``k`` that pass a filter.
POSTFILTER_MAX = 2000
#: Rows added to a graph per call while it is built (progress is reported between blocks).
ANN_BLOCK = 50_000


@dataclass(frozen=True)
class AnnParams:
    """HNSW parameters (see the bench report for the recall they give here)."""

    m: int = 16
    ef_construction: int = 128
    ef_search: int = 128
    #: Threads adding rows while a graph is built (the service builds on one, beside requests).
    build_threads: int = 1


class VectorIndex:
    """Vectors of one kind of item by id, with filter columns and skill rows."""

    def __init__(
        self,
        name: str,
        columns: dict[str, Any],
        *,
        ann_threshold: int = 100_000,
        ann: AnnParams | None = None,
        background_build: bool = False,
        compact_min_rows: int = COMPACT_MIN_ROWS,
    ) -> None:
        self.name = name
        self.dim: int | None = None
        self.ann_threshold = ann_threshold
        self.ann_params = ann or AnnParams()
        self.background_build = background_build
        self.dtypes = {k: np.dtype(v) for k, v in columns.items()}
        self.capacity = 0
        self.n = 0
        self.ids: list[str | None] = []
        self.rows: dict[str, int] = {}
        self.vecs = np.zeros((0, 0), np.float32)
        self.alive = np.zeros(0, bool)
        self.cols: dict[str, np.ndarray] = {k: np.zeros(0, d) for k, d in self.dtypes.items()}
        self.skills = SkillRows()
        self.ann: Any = None
        self.ann_building = False
        self.ann_progress = 0
        self._ann_pending: dict[int, bool] = {}
        #: Writes so far: a report computed from the copies is current while this stands still.
        self.changes = 0
        self._bulk = False
        #: Held while rows move (growth, restore, graph saves): readers take arrays under it.
        self.lock = threading.RLock()
        #: The int8 copy of ``vecs`` for the exact scan (rebuilt when ``vecs`` is replaced).
        self.compact = Int8Copy(compact_min_rows, self.lock)

    # ----- writing -----

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Load many items: no HNSW build until the end, skill rows folded once at the end."""
        self._bulk = True
        self.skills.bulk = True
        try:
            yield
        finally:
            self._bulk = False
            self.skills.bulk = False
            self.skills.fold()
            self.build_ann_if_due()

    def __len__(self) -> int:
        return len(self.rows)

    def _grow(self, need: int) -> None:
        cap = max(1024, self.capacity)
        while cap < need:
            cap *= 2
        if cap == self.capacity:
            return
        assert self.dim is not None
        vecs = np.zeros((cap, self.dim), np.float32)
        if self.n:
            vecs[: self.n] = self.vecs[: self.n]
        alive = np.zeros(cap, bool)
        alive[: self.n] = self.alive[: self.n]
        cols = {}
        for k, arr in self.cols.items():
            new = np.zeros(cap, self.dtypes[k])
            new[: self.n] = arr[: self.n]
            cols[k] = new
        self.compact.grow(self.vecs, vecs, cap, self.n)
        # Readers hold the old arrays: swapping references keeps their snapshot consistent.
        self.vecs, self.alive, self.cols, self.capacity = vecs, alive, cols, cap

    def upsert(
        self,
        item_id: str,
        vector: np.ndarray,
        *,
        skills: tuple[list[int], list[float], list[bool]] | None = None,
        **values: Any,
    ) -> int:
        """Insert or replace one item; return its row."""
        vec = np.asarray(vector, np.float32).ravel()
        norm = float(np.linalg.norm(vec))
        if norm > 0:
            vec = vec / norm
        with self.lock:
            if self.dim is None:
                self.dim = int(vec.shape[0])
            if vec.shape[0] != self.dim:
                raise ValueError(
                    f"{self.name}: vector of {vec.shape[0]} dims, index has {self.dim}"
                )
            row = self.rows.get(item_id)
            if row is None:
                row = self.n
                self._grow(row + 1)
                self.ids.append(item_id)
                self.rows[item_id] = row
                self.n = row + 1
            self.vecs[row] = vec
            self.compact.written(self.vecs, row)
            for key, value in values.items():
                self.cols[key][row] = value
            self.alive[row] = True
            if skills is not None:
                self.skills.set(row, *skills)
            self._ann_changed(row, alive=True)
        self.build_ann_if_due()
        return row

    def set_vector(self, item_id: str, vector: np.ndarray) -> bool:
        """Replace the vector of an indexed item (normalised here)."""
        vec = np.asarray(vector, np.float32).ravel()
        norm = float(np.linalg.norm(vec))
        with self.lock:
            row = self.rows.get(item_id)
            if row is None:
                return False
            if vec.shape[0] != self.dim:
                raise ValueError(
                    f"{self.name}: vector of {vec.shape[0]} dims, index has {self.dim}"
                )
            self.vecs[row] = vec / norm if norm > 0 else vec
            self.compact.written(self.vecs, row)
            self._ann_changed(row, alive=True)
            return True

    def set_values(self, item_id: str, **values: Any) -> bool:
        """Change filter columns of an item without touching its vector."""
        with self.lock:
            row = self.rows.get(item_id)
            if row is None:
                return False
            for key, value in values.items():
                self.cols[key][row] = value
            self.changes += 1
            return True

    def remove(self, item_id: str) -> bool:
        """Drop an item (its row becomes a tombstone until the next rebuild)."""
        with self.lock:
            row = self.rows.pop(item_id, None)
            if row is None:
                return False
            self.ids[row] = None
            self.alive[row] = False
            self.skills.clear(row)
            self._ann_changed(row, alive=False)
            return True

    def row_of(self, item_id: str) -> int | None:
        """Return the row of an item, if indexed."""
        return self.rows.get(item_id)

    def vector(self, item_id: str) -> np.ndarray | None:
        """Return a copy of the vector of an item."""
        row = self.rows.get(item_id)
        return None if row is None else self.vecs[row].copy()

    def column(self, key: str) -> np.ndarray:
        """Return the live view of a filter column over rows 0..n-1."""
        return self.cols[key][: self.n]

    # ----- reading -----

    def live_mask(self) -> np.ndarray:
        """Return a fresh boolean mask of live rows."""
        return self.alive[: self.n].copy()

    def sims_all(self, q: np.ndarray) -> np.ndarray:
        """Return the cosine similarity of ``q`` to every row (tombstones included)."""
        n = self.n
        if n == 0 or self.dim is None:
            return np.zeros(0, np.float32)
        vecs = self.vecs  # snapshot: a concurrent grow swaps the reference, never the rows
        return np.asarray(vecs[:n] @ np.asarray(q, np.float32), np.float32)

    def sims_rows(self, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Return the cosine similarity of ``q`` to the given rows (gathered block by block)."""
        return gather_dot(self.vecs, np.asarray(q, np.float32), rows)

    def search(
        self, q: np.ndarray, k: int, mask: np.ndarray | None = None, *, exact: bool | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (rows, similarities) of the top ``k`` live rows passing ``mask``, best first."""
        n = self.n
        passing = self.alive[:n] if mask is None else (mask[:n] & self.alive[:n])
        count = int(passing.sum())
        if count == 0 or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        use_ann = self.ann is not None if exact is None else not exact
        few = count <= max(k, SELECTIVE_SHARE * n, min(EXACT_ROWS, n // 2))
        if use_ann and self.ann is not None and not few:
            if mask is None:
                rows, sims = self._ann_search(q, k, None)
            else:
                rows, sims = self._ann_postfilter(q, k, passing, count / n)
            if len(rows) >= min(k, count):
                return rows, sims
        # Gathering a passing row moves 2 x 4 x dim bytes, scanning one int8 row dim bytes.
        gather = few or count < SELECTIVE_SHARE * n
        codes = None
        if not (gather and 8 * count <= n):
            # Only a scan that reads it builds the int8 copy (+dim bytes per row resident).
            with self.lock:  # the matrix and its int8 copy as one snapshot
                vecs = self.vecs
                codes = self.compact.ready(
                    vecs, n, lambda: (self.vecs, self.n), background=self.background_build
                )
        else:
            vecs = self.vecs
        if gather and (codes is None or 8 * count <= n):
            # Few pass: scan only those rows, cost proportional to how many pass.
            idx = np.flatnonzero(passing)
            return top_k(gather_dot(vecs, np.asarray(q, np.float32), idx), k, idx)
        return exact_top_k(vecs, n, q, k, None if count == n else passing, codes)

    def ann_candidates(self, q: np.ndarray, k: int, mask: np.ndarray | None) -> np.ndarray:
        """Return up to ``k`` rows passing ``mask`` that are nearest to ``q`` (approximate)."""
        return self.search(q, k, mask)[0]

    # ----- approximate index -----

    def _ann_changed(self, row: int, *, alive: bool) -> None:
        self.changes += 1
        if self.ann_building:
            self._ann_pending[row] = alive
        elif self.ann is not None:
            self._ann_apply(self.ann, row, alive)

    def _ann_apply(self, ann: Any, row: int, alive: bool) -> None:
        if alive:
            if ann.get_current_count() >= ann.get_max_elements():
                ann.resize_index(max(ann.get_max_elements() * 2, 1024))
            ann.add_items(self.vecs[row : row + 1], np.array([row]))
        else:
            try:
                ann.mark_deleted(row)
            except RuntimeError:  # never added, or already deleted
                pass

    def build_ann_if_due(self) -> None:
        """Start the HNSW build once the index has reached its threshold (not while bulk)."""
        if self._bulk or self.ann is not None or self.ann_building:
            return
        if len(self.rows) < self.ann_threshold:
            return
        self.ann_building = True
        if self.background_build:
            threading.Thread(target=self.build_ann, name=f"hnsw-{self.name}", daemon=True).start()
        else:
            self.build_ann()

    def build_ann(self) -> None:
        """Build the HNSW graph over the live rows, then apply what changed meanwhile."""
        import hnswlib

        with self.lock:
            self.ann_building = True
            self._ann_pending = {}
            rows = np.flatnonzero(self.alive[: self.n])
            dim = self.dim
        p = self.ann_params
        log.info("building HNSW for %s over %d rows", self.name, len(rows))
        ann = hnswlib.Index(space="ip", dim=dim)
        ann.init_index(
            max_elements=max(len(rows) * 2, 1024), ef_construction=p.ef_construction, M=p.m
        )
        ann.set_num_threads(p.build_threads)
        # In blocks, so /sync/status and the logs show how far a long build has come; each
        # block's vectors are copied when it is added (a copy of the whole matrix would add
        # 1.5 GB at 1M rows). A row changed since the build began is also in _ann_pending
        # and is applied again at the end, so a block copied later is never the last word.
        self.ann_progress = 0
        for a in range(0, len(rows), ANN_BLOCK):
            block = rows[a : a + ANN_BLOCK]
            with self.lock:
                vecs = self.vecs[block]
            ann.add_items(vecs, block)
            self.ann_progress = min(a + ANN_BLOCK, len(rows))
            if len(rows) > ANN_BLOCK:
                log.info("HNSW for %s: %d/%d rows", self.name, self.ann_progress, len(rows))
        ann.set_ef(p.ef_search)
        ann.set_num_threads(1)
        with self.lock:
            for row, alive in self._ann_pending.items():
                self._ann_apply(ann, row, alive)
            self._ann_pending = {}
            self.ann = ann
            self.ann_building = False
        log.info("HNSW for %s ready", self.name)

    def _ann_postfilter(
        self, q: np.ndarray, k: int, passing: np.ndarray, share: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ask the graph for enough unfiltered neighbours that ``k`` pass, else filter inside it.

        Filtering afterwards is one vectorised lookup; hnswlib's filter callback is a Python
        call per visited node, which dominates the query when the filter rejects many.
        """
        want = int(np.ceil(1.5 * k / max(share, 1e-9))) + 10
        if want <= POSTFILTER_MAX:
            rows, sims = self._ann_search(q, want, None)
            keep = passing[rows]
            if int(keep.sum()) >= k:
                return rows[keep][:k], sims[keep][:k]
        return self._ann_search(q, k, passing)

    def _ann_search(
        self, q: np.ndarray, k: int, passing: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        ann = self.ann
        q2 = np.asarray(q, np.float32).reshape(1, -1)
        with self.lock:
            ann.set_ef(max(self.ann_params.ef_search, min(2 * k, k + 200)))
            live = len(self.rows)
            kk = min(k, live)
            try:
                if passing is None:
                    labels, dist = ann.knn_query(q2, k=kk)
                else:
                    allowed = passing

                    def keep(label: int) -> bool:
                        return bool(label < len(allowed) and allowed[label])

                    labels, dist = ann.knn_query(q2, k=kk, filter=keep)
            except RuntimeError:  # fewer than k reachable: the caller falls back to exact
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
        rows = labels[0].astype(np.int64)
        # hnswlib's inner-product distance is 1 - dot.
        return rows, (1.0 - dist[0]).astype(np.float32)

    def status(self) -> dict[str, Any]:
        """Return sizes and the index kind, for /sync/status."""
        return {
            "items": len(self.rows),
            "rows": self.n,
            "dim": self.dim,
            "approximate": self.ann is not None,
            "building_approximate": self.ann_building,
            "approximate_rows_built": self.ann_progress,
            "ann_threshold": self.ann_threshold,
            "memory_mb": round(self.vecs.nbytes / 1e6, 1),
            "int8_mb": round(self.compact.nbytes / 1e6, 1),
        }
