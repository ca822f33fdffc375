"""The int8 exact scan: the same top-k as float32 brute force, kept in step with writes."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from services.matcher.bench.latency import clustered_vectors
from services.matcher.ml.compact import Int8Rows, quantise
from services.matcher.ml.index import VectorIndex
from services.matcher.ml.scan import exact_top_k
from services.matcher.sync import snapshot

pytest.importorskip("torch")

DIM = 48


def _index(vecs: np.ndarray, *, background_build: bool = False) -> VectorIndex:
    index = VectorIndex(
        "t",
        {"region": np.int32},
        ann_threshold=10**9,
        compact_min_rows=1,
        background_build=background_build,
    )
    for i, v in enumerate(vecs):
        index.upsert(f"i{i}", v, region=i % 4)
    return index


def _brute(
    vecs: np.ndarray, q: np.ndarray, k: int, mask: np.ndarray | None = None
) -> tuple[list[int], np.ndarray]:
    """Return the float32 top-k rows (lowest row first among ties) and their scores."""
    unit = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    sims = (unit @ q).astype(np.float64)
    if mask is not None:
        sims = np.where(mask, sims, -np.inf)
    order = np.argsort(-sims, kind="stable")[:k]
    order = order[np.isfinite(sims[order])]
    return order.tolist(), sims[order]


def _agree(rows: np.ndarray, sims: np.ndarray, want: list[int], want_sims: np.ndarray) -> None:
    """Same scores in order, same rows but for near-ties (float32 vs float64 rounding)."""
    assert len(rows) == len(want)
    assert np.allclose(sims, want_sims, atol=1e-5)
    if len(want):
        edge = want_sims[-1] + 1e-5
        sure = {r for r, s in zip(want, want_sims, strict=True) if s > edge}
        assert sure <= set(rows.tolist())


def _queries(vecs: np.ndarray, count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        q = vecs[rng.integers(len(vecs))] + 0.1 * rng.standard_normal(DIM).astype(np.float32)
        out.append((q / np.linalg.norm(q)).astype(np.float32))
    return out


def test_int8_scan_equals_float32_brute_force_with_and_without_masks() -> None:
    vecs = clustered_vectors(4000, DIM, clusters=40, seed=3)
    index = _index(vecs)
    rows, _ = index.search(vecs[0], 10, exact=True)
    assert index.compact.rows is not None and index.compact.rows.built == 4000
    mask = index.column("region") == 1
    for q in _queries(vecs, 20, 4):
        for k in (1, 10, 100):
            _agree(*index.search(q, k, exact=True), *_brute(vecs, q, k))
            rows, sims = index.search(q, k, mask, exact=True)
            _agree(rows, sims, *_brute(vecs, q, k, mask))
            assert all(r % 4 == 1 for r in rows.tolist())


def test_random_vectors_with_many_near_ties_still_give_the_exact_answer() -> None:
    # Unclustered vectors: scores crowd together, so the error bound admits many rows.
    rng = np.random.default_rng(5)
    vecs = rng.standard_normal((3000, DIM)).astype(np.float32)
    for q in _queries(vecs, 10, 6):
        codes = Int8Rows(vecs, 3000, DIM)
        unit = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
        codes.set_rows(0, unit)
        codes.built = 3000
        _agree(*exact_top_k(unit, 3000, q, 10, None, codes), *_brute(vecs, q, 10))


def test_duplicate_rows_tie_and_k_beyond_the_passing_rows() -> None:
    base = clustered_vectors(200, DIM, clusters=5, seed=7)
    vecs = np.concatenate([base, base[:50], base[:50]])  # rows 200-299 repeat rows 0-49
    index = _index(vecs)
    q = base[10]
    rows, sims = index.search(q, 3, exact=True)
    assert sorted(rows.tolist()) == [10, 210, 260]
    assert np.allclose(sims, 1.0, atol=1e-5)
    mask = np.zeros(len(vecs), bool)
    mask[[3, 150, 299]] = True
    rows, sims = index.search(q, 50, mask, exact=True)  # k > passing rows: all three, best first
    assert sorted(rows.tolist()) == [3, 150, 299]
    _agree(rows, sims, *_brute(vecs, q, 50, mask))
    rows, _ = index.search(q, 10_000, exact=True)  # k > N
    assert len(rows) == len(vecs)


def test_writes_after_the_build_keep_the_int8_copy_in_step() -> None:
    vecs = clustered_vectors(1500, DIM, clusters=15, seed=8)
    index = _index(vecs[:1000])
    index.search(vecs[0], 5, exact=True)  # builds the copy
    first = index.compact.rows
    assert first is not None and first.built == 1000
    for i in range(1000, 1500):  # appended rows, across a growth of the matrix
        index.upsert(f"i{i}", vecs[i], region=i % 4)
    moved = vecs[1200] * -1.0
    index.set_vector("i7", moved)  # row 7 now points the other way
    index.remove("i20")
    current = vecs.copy()
    current[7] = moved
    alive = np.ones(1500, bool)
    alive[20] = False
    assert index.compact.rows is not None and index.compact.rows.built == 1500
    for q in [*_queries(current, 10, 9), -vecs[1200] / np.linalg.norm(vecs[1200])]:
        _agree(*index.search(q, 10, exact=True), *_brute(current, q, 10, alive))
    rows, _ = index.search(-vecs[1200] / np.linalg.norm(vecs[1200]), 1, exact=True)
    assert rows.tolist() == [7]


def test_a_replaced_matrix_is_quantised_again_and_a_background_build_serves_float32() -> None:
    vecs = clustered_vectors(2000, DIM, clusters=20, seed=10)
    index = _index(vecs[:1000], background_build=True)
    # float32 while the copy builds
    _agree(*index.search(vecs[1], 5, exact=True), *_brute(vecs[:1000], vecs[1], 5))
    _wait_built(index, 1000)
    # As a snapshot restore does: the matrix is swapped for another.
    unit = vecs[1000:] / np.linalg.norm(vecs[1000:], axis=1, keepdims=True)
    with index.lock:
        index.vecs = unit.astype(np.float32)
    q = _queries(vecs[1000:], 1, 11)[0]
    _agree(*index.search(q, 5, exact=True), *_brute(vecs[1000:], q, 5))
    _wait_built(index, 1000)
    assert index.compact.rows is not None and index.compact.rows.source is index.vecs
    _agree(*index.search(q, 5, exact=True), *_brute(vecs[1000:], q, 5))


def _wait_built(index: VectorIndex, n: int) -> None:
    for _ in range(500):
        codes = index.compact.rows
        if codes is not None and codes.source is index.vecs and not index.compact.building:
            break
        time.sleep(0.01)
    assert index.compact.rows is not None and index.compact.rows.built == n


def test_quantise_gives_zero_rows_a_zero_scale_and_bounds_each_element() -> None:
    block = np.array([[0.0, 0.0, 0.0], [0.5, -0.25, 0.1]], np.float32)
    codes, inv, l1 = quantise(block)
    assert codes[0].tolist() == [0, 0, 0] and inv[0] == 0.0 and l1 == pytest.approx(0.85)
    assert codes[1].tolist() == [127, -64, 25]
    assert np.all(np.abs(codes[1] * inv[1] - block[1]) <= 0.5 / 254 + 1e-7)


def test_a_restored_snapshot_scans_a_fresh_int8_copy_of_the_loaded_matrix(tmp_path: Path) -> None:
    vecs = clustered_vectors(1200, DIM, clusters=12, seed=12)
    index = _index(vecs)
    index.search(vecs[0], 5, exact=True)
    meta = snapshot._save_index(index, tmp_path / "t")
    fresh = VectorIndex("t", {"region": np.int32}, ann_threshold=10**9, compact_min_rows=1)
    snapshot._load_index(fresh, tmp_path / "t", meta)
    for q in _queries(vecs, 5, 13):
        _agree(*fresh.search(q, 10, exact=True), *_brute(vecs, q, 10))
    codes = fresh.compact.rows
    assert codes is not None and codes.source is fresh.vecs and codes.built == 1200
    assert np.array_equal(codes.codes[:1200], index.compact.rows.codes[:1200])  # type: ignore[union-attr]
