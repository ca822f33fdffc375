"""The national-scale request path: exact ranking of few passing rows, ties, unit skill weights.

With a graph, a filter passing few rows is ranked by scoring every passing row (best coverage
first, stopping once no row left can enter): the answer must be the brute-force blended top k.
The candidates path's shared coverage and sparse trainable rows must answer as the dense
reference (``bench/candidates_compare.reference``) on a state whose learners have a graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from services.matcher.bench.candidates_compare import answer, reference
from services.matcher.bench.scale_data import Corpus
from services.matcher.ml.coverage import SkillRows
from services.matcher.ml.index import VectorIndex, top_k
from services.matcher.recommend import ranking
from services.matcher.recommend.candidates import candidates_for_vacancy
from services.matcher.recommend.ranking import Blend, rank_rows
from tests.matcher.conftest import needs_esco, scale_matcher


def _clustered(rng: np.random.Generator, n: int, dim: int = 32) -> np.ndarray:
    centres = rng.normal(size=(20, dim))
    return (centres[rng.integers(0, 20, n)] + 0.4 * rng.normal(size=(n, dim))).astype(np.float32)


def _graph_index(vecs: np.ndarray) -> VectorIndex:
    index = VectorIndex("vacancies", {"open": bool}, ann_threshold=500)
    with index.bulk():
        for i, v in enumerate(vecs):
            index.upsert(f"v{i}", v, open=True)
    assert index.ann is not None
    return index


def _brute(
    index: VectorIndex, q: np.ndarray, coverage: np.ndarray, mask: np.ndarray, k: int, blend: Blend
) -> list[int]:
    totals = blend.total(index.vecs[: index.n] @ q, coverage)
    rows = np.flatnonzero(mask)
    return sorted(rows.tolist(), key=lambda r: (-totals[r], r))[:k]


@pytest.mark.parametrize("covered", [0.02, 0.5])
def test_few_passing_rows_with_a_graph_rank_as_the_brute_force_blend(covered: float) -> None:
    rng = np.random.default_rng(3)
    index = _graph_index(_clustered(rng, 4000))
    n = index.n
    blend = Blend(0.4, 2.0, 0.0)
    scored: list[int] = []
    sims_rows = index.sims_rows

    def counting(q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        scored.append(len(rows))
        return sims_rows(q, rows)

    index.sims_rows = counting  # type: ignore[method-assign]
    for trial in range(8):
        # Coverage on a share of rows (zeros elsewhere); 2,500 pass: more than a pruning block.
        coverage = np.where(rng.random(n) < covered, rng.random(n), 0).astype(np.float32)
        mask = np.zeros(n, bool)
        mask[rng.choice(n, 2500, replace=False)] = True
        q = index.vecs[rng.integers(0, n)].copy()
        scored.clear()
        rows, cos = rank_rows(index, q, coverage, mask, 10, blend)
        assert rows.tolist() == _brute(index, q, coverage, mask, 10, blend), trial
        np.testing.assert_allclose(cos, index.vecs[rows] @ q, atol=1e-6)
        if covered == 0.5:
            # High coverage makes a high k-th total early: later rows are never scored.
            assert sum(scored) < 2500, trial


def test_equal_scores_come_in_row_order() -> None:
    rows, scores = top_k(np.array([0.5, 0.9, 0.5, 0.9, 0.1], np.float32), 4)
    assert rows.tolist() == [1, 3, 0, 2]
    assert scores.tolist() == pytest.approx([0.9, 0.9, 0.5, 0.5])


def test_unit_skill_weights_are_held_once_and_give_the_same_products() -> None:
    rng = np.random.default_rng(1)
    entries = [
        sorted(rng.choice(300, rng.integers(1, 12), replace=False).tolist()) for _ in range(500)
    ]
    unit, weighted = SkillRows(), SkillRows()
    for row, cols in enumerate(entries):
        unit.set(row, cols, [1.0] * len(cols), [True] * len(cols))
        weighted.set(row, cols, [2.0] + [1.0] * (len(cols) - 1), [True] * len(cols))
    unit.fold()
    weighted.fold()
    nnz = sum(len(c) for c in entries)
    # Both hold all-ones essential flags once; the weights differ only in the weighted rows
    # (rows and postings: two float32 arrays of every entry against one shared element each).
    assert weighted.nbytes() - unit.nbytes() == 2 * 4 * nnz - 2 * 4
    restored = SkillRows()
    restored.load_state({k: np.array(v) for k, v in unit.state().items()})
    for x in (np.eye(301, dtype=np.float32)[7] * 3, rng.random(301).astype(np.float32)):
        # The first query walks one posting list, the second is dense (the CSR product).
        want = np.array([sum(x[c] for c in cols) for cols in entries], np.float32)
        for rows_ in (unit, restored):
            np.testing.assert_allclose(rows_.product(x, 500), want, rtol=1e-5)
            np.testing.assert_allclose(rows_.product(x, 500, essential_only=True), want, rtol=1e-5)
            picked = np.array([3, 99, 250])
            np.testing.assert_allclose(rows_.product_rows(x, picked), want[picked], rtol=1e-5)
    assert restored.nbytes() == unit.nbytes()


N = 2000


@pytest.fixture
def graph_state(corpus: Corpus, tmp_path: Path) -> Iterator[Any]:
    # 2,000 learners above a threshold of 1,000: their index has a graph, as at national size.
    for m in scale_matcher(corpus, tmp_path / "store", N, ann_threshold=1000):
        assert m.learners.ann is not None
        yield m


@needs_esco
def test_candidates_with_a_graph_answer_as_the_dense_reference(graph_state: Any) -> None:
    m, vi = graph_state, graph_state.vacancies
    rows = np.flatnonzero(vi.alive[: vi.n] & vi.column("open") & (vi.column("n_required") > 1))
    rng = np.random.default_rng(9)
    trainable = 0
    for vrow in rng.choice(rows, 10, replace=False).tolist():
        vid = str(vi.ids[vrow])
        got = answer(candidates_for_vacancy(m, vacancy_id=vid))
        assert got == answer(reference(m, vid)), vid
        trainable += len(got[1])
    assert trainable > 0  # the sparse trainable rows were compared, not only empty lists
    assert ranking.EXACT_RANK_ROWS >= 0.7 * N  # the consenting learners took the exact ranking


def test_a_scan_of_few_passing_rows_builds_no_int8_copy() -> None:
    rng = np.random.default_rng(4)
    vecs = _clustered(rng, 3000)
    index = VectorIndex("learners", {"open": bool}, ann_threshold=10**9, compact_min_rows=1)
    for i, v in enumerate(vecs):
        index.upsert(f"l{i}", v, open=True)
    few = np.zeros(index.n, bool)
    few[rng.choice(index.n, 100, replace=False)] = True
    q = index.vecs[5].copy()
    rows, _ = index.search(q, 10, few)
    want = np.flatnonzero(few)[np.argsort(-(index.vecs[np.flatnonzero(few)] @ q))][:10]
    assert rows.tolist() == want.tolist()
    assert index.compact.rows is None  # the gather read float32 rows: no copy held for it
    index.search(q, 10)  # a full scan reads (and so builds) the int8 copy
    assert index.compact.rows is not None
