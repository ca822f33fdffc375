"""The vector index: exact top-k, HNSW above the threshold, filters before top-k, skill rows."""

from __future__ import annotations

import numpy as np
import pytest

from services.matcher.bench.latency import clustered_vectors
from services.matcher.ml.coverage import SkillRows
from services.matcher.ml.index import VectorIndex, top_k

DIM = 32


def _index(n: int, *, ann_threshold: int = 10**9, seed: int = 0) -> tuple[VectorIndex, np.ndarray]:
    vecs = clustered_vectors(n, DIM, clusters=20, seed=seed)
    index = VectorIndex("t", {"region": np.int32}, ann_threshold=ann_threshold)
    for i, v in enumerate(vecs):
        index.upsert(f"i{i}", v, region=i % 4)
    return index, vecs


def _brute(vecs: np.ndarray, q: np.ndarray, k: int, mask: np.ndarray | None = None) -> set[int]:
    sims = vecs @ q
    if mask is not None:
        sims = np.where(mask, sims, -np.inf)
    return set(np.argsort(-sims)[:k].tolist())


def test_exact_search_equals_brute_force_with_and_without_a_mask() -> None:
    index, vecs = _index(1500)
    rng = np.random.default_rng(1)
    for _ in range(5):
        q = vecs[rng.integers(len(vecs))] + 0.05 * rng.standard_normal(DIM).astype(np.float32)
        q /= np.linalg.norm(q)
        rows, sims = index.search(q, 10)
        assert set(rows.tolist()) == _brute(vecs, q, 10)
        assert np.all(np.diff(sims) <= 1e-6)
        mask = index.column("region") == 2
        rows, _ = index.search(q, 10, mask)
        assert set(rows.tolist()) == _brute(vecs, q, 10, mask)


def test_hnsw_is_built_above_the_threshold_and_recalls_the_exact_top_10() -> None:
    index, vecs = _index(3000, ann_threshold=1000)
    assert index.ann is not None and index.status()["approximate"]
    rng = np.random.default_rng(2)
    recalls = []
    for _ in range(30):
        q = vecs[rng.integers(len(vecs))]
        rows, _ = index.search(q, 10)
        recalls.append(len(set(rows.tolist()) & _brute(vecs, q, 10)) / 10)
    assert np.mean(recalls) >= 0.9


def test_hnsw_filter_returns_k_passing_rows_only() -> None:
    index, vecs = _index(3000, ann_threshold=1000)
    mask = index.column("region") == 1
    rng = np.random.default_rng(3)
    recalls = []
    for _ in range(20):
        q = vecs[rng.integers(len(vecs))]
        rows, _ = index.search(q, 10, mask)
        assert len(rows) == 10 and bool(mask[rows].all())
        recalls.append(len(set(rows.tolist()) & _brute(vecs, q, 10, mask)) / 10)
    assert np.mean(recalls) >= 0.85


def test_a_very_selective_filter_scans_the_passing_rows_exactly() -> None:
    index, vecs = _index(3000, ann_threshold=1000)
    mask = np.zeros(index.n, bool)
    mask[[5, 700, 2999]] = True
    rows, _ = index.search(vecs[0], 10, mask)
    assert sorted(rows.tolist()) == [5, 700, 2999]


def test_hnsw_sees_updates_and_deletions_after_it_is_built() -> None:
    index, vecs = _index(2000, ann_threshold=1000)
    q = -vecs[0]
    index.upsert("newcomer", q)
    rows, sims = index.search(q, 1)
    assert index.ids[int(rows[0])] == "newcomer" and sims[0] == pytest.approx(1.0, abs=1e-4)
    index.remove("newcomer")
    rows, _ = index.search(q, 5)
    assert "newcomer" not in {index.ids[int(r)] for r in rows}
    assert len(index) == 2000


def test_vectors_are_normalised_once_on_insert() -> None:
    index = VectorIndex("t", {})
    index.upsert("a", np.array([3.0, 4.0]))
    index.upsert("b", np.array([0.0, 2.0]))
    rows, sims = index.search(np.array([0.0, 1.0], np.float32), 2)
    assert [index.ids[int(r)] for r in rows] == ["b", "a"]
    assert sims.tolist() == pytest.approx([1.0, 0.8])


def test_top_k_ignores_minus_infinity() -> None:
    rows, scores = top_k(np.array([0.1, -np.inf, 0.5, -np.inf]), 3)
    assert rows.tolist() == [2, 0] and scores.tolist() == pytest.approx([0.5, 0.1])


def test_skill_rows_products_match_a_dense_matrix_across_overlay_and_folds() -> None:
    rng = np.random.default_rng(4)
    rows = SkillRows(fold_at=7)
    dense = np.zeros((40, 25), np.float32)
    dense_req = np.zeros((40, 25), np.float32)
    for _ in range(120):
        r = int(rng.integers(40))
        cols = rng.choice(25, size=int(rng.integers(0, 6)), replace=False).tolist()
        weights = rng.choice([1.0, 2.0], size=len(cols)).tolist()
        required = [w == 2.0 for w in weights]
        rows.set(r, cols, weights, required)
        dense[r] = 0
        dense_req[r] = 0
        dense[r, cols] = weights
        dense_req[r, cols] = required
        x = (rng.random(25) < 0.4).astype(np.float32)
        assert rows.product(x, 40) == pytest.approx(dense @ x)
        assert rows.product(x, 40, essential_only=True) == pytest.approx(dense_req @ x)
    rows.fold()
    x = np.ones(25, np.float32)
    assert rows.product(x, 40) == pytest.approx(dense.sum(axis=1))


def test_background_hnsw_build_applies_changes_made_while_it_ran() -> None:
    import time

    vecs = clustered_vectors(1200, DIM, clusters=20, seed=5)
    index = VectorIndex("t", {}, ann_threshold=1000, background_build=True)
    for i, v in enumerate(vecs[:1000]):
        index.upsert(f"i{i}", v)
    for i, v in enumerate(vecs[1000:], start=1000):  # arrive while the graph is being built
        index.upsert(f"i{i}", v)
    index.remove("i1100")
    deadline = time.monotonic() + 30
    while index.ann is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert index.ann is not None and index.ann.get_current_count() >= 1000
    for probe in ("i1150", "i1199", "i3"):
        rows, _ = index.search(vecs[int(probe[1:])], 1)
        assert index.ids[int(rows[0])] == probe
    rows, _ = index.search(vecs[1100], 10)
    assert "i1100" not in {index.ids[int(r)] for r in rows}


def test_sparse_queries_walk_the_inverted_index_and_agree_with_a_dense_matrix() -> None:
    rng = np.random.default_rng(6)
    width, n = 400, 300
    rows = SkillRows(fold_at=50)
    dense = np.zeros((n, width), np.float32)
    dense_req = np.zeros((n, width), np.float32)

    def put(r: int) -> None:
        cols = rng.choice(width, size=int(rng.integers(0, 9)), replace=False).tolist()
        weights = rng.choice([1.0, 2.0], size=len(cols)).tolist()
        rows.set(r, cols, weights, [w == 2.0 for w in weights])
        dense[r] = 0
        dense_req[r] = 0
        dense[r, cols] = weights
        dense_req[r, cols] = [w == 2.0 for w in weights]

    for r in range(n):
        put(r)
    rows.fold()
    for r in rng.choice(n, 20, replace=False).tolist():  # left in the overlay
        put(int(r))
    assert rows._overlay and rows._postings is not None
    for _ in range(10):
        x = np.zeros(width + 5, np.float32)  # the vocabulary grew past the folded columns
        x[rng.choice(width, 6, replace=False)] = rng.choice([1.0, 2.0], 6)
        assert rows.product(x, n) == pytest.approx(dense @ x[:width])
        assert rows.product(x, n, essential_only=True) == pytest.approx(dense_req @ x[:width])
        assert rows.product(x, n // 2) == pytest.approx((dense @ x[:width])[: n // 2])
        some = rng.choice(n, 25, replace=False)
        assert rows.product_rows(x, some) == pytest.approx((dense @ x[:width])[some])
    copy = SkillRows()
    copy.load_state(rows.state())
    x = np.zeros(width, np.float32)
    x[rng.choice(width, 5, replace=False)] = 1.0
    assert copy.product(x, n) == pytest.approx(dense @ x)
