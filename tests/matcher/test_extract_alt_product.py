"""The alt-label product through torch's sgemm gives the skills numpy's gave (issue 9, p95).

With a real model torch is loaded, and the alt-label product (every alt label against a call's
few query rows) goes through torch's sgemm, which measured faster than numpy's BLAS. Not a
timing: the same values, the same best skills, whole or split over two threads.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from services.matcher.ml.alt_labels import AltLabels, default_product, numpy_product

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QABILET_SHARED_DATA", ROOT.parent / "shared" / "data"))

# torch takes 8-16 s to import here: with the model's tests.
pytestmark = pytest.mark.slow


def _both(owners: np.ndarray, n: int, dim: int = 64, seed: int = 5) -> tuple[AltLabels, AltLabels]:
    from services.matcher.ml.alt_labels import torch_product

    rng = np.random.default_rng(seed)
    vecs = rng.standard_normal((len(owners), dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return AltLabels(vecs, owners, n, numpy_product), AltLabels(vecs, owners, n, torch_product)


@pytest.mark.parametrize("rows", [1, 3, 7])
def test_torch_and_numpy_give_each_skill_the_same_best_alt_label(rows: int) -> None:
    from services.matcher.ml.threads import model_threads

    rng = np.random.default_rng(11)
    n = 3000
    owners = np.sort(rng.integers(0, n, 20_000))
    old, new = _both(owners, n)
    q = rng.standard_normal((rows, 64)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    want = old.best(q)
    for threads in (1, 2):
        with model_threads(threads):
            got = new.best(q)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
        has = old.has
        assert np.array_equal(
            np.argsort(-np.where(has, got, -9), axis=1)[:, :20],
            np.argsort(-np.where(has, want, -9), axis=1)[:, :20],
        )
    assert new._helper is not None  # the two-thread call split the product


def test_a_loaded_torch_is_the_default() -> None:
    import torch  # noqa: F401  (a real model has loaded it)

    from services.matcher.ml.alt_labels import torch_product

    assert default_product() is torch_product


@pytest.mark.skipif(not (SHARED / "esco").exists(), reason="shared ESCO data not found")
def test_the_extract_call_finds_the_same_skills_either_way() -> None:
    from services.matcher.esco.release import load_skills
    from services.matcher.ml.alt_labels import torch_product
    from services.matcher.ml.embedding import FakeEmbedder
    from services.matcher.ml.extraction import SkillExtractor
    from services.matcher.ml.threads import request_threads

    # Every ESCO skill and its ~85k alt labels (the fake model's vectors), no ranker.
    ex = SkillExtractor(load_skills(SHARED / "esco"), FakeEmbedder(), ranker=None)
    assert ex._alt is not None
    texts = [
        ("Write SQL queries and build dashboards in Power BI. Manage a small team.", "en"),
        ("Опыт работы с Excel и 1С. Ведение первичной документации.", "ru"),
        ("Develop REST services in Python; review code; mentor junior developers.", "en"),
    ]
    for text, lang in texts:
        answers = []
        for product in (numpy_product, torch_product):
            ex._alt.product = product
            with request_threads():
                ranked = ex.extract(text, lang=lang, top_k=10, min_confidence=0)
                default = ex.extract(text, lang=lang)
            answers.append(([e.uri for e in ranked], [e.uri for e in default]))
        assert answers[0] == answers[1], text
        assert answers[0][0], "the ranking is not empty"


def test_the_embedder_counts_the_threads_each_request_batch_ran_with() -> None:
    # What the latency printout's "calls took 2 threads" reads; background batches are not counted.
    from services.matcher.ml.embedding import Embedder, load_model
    from services.matcher.ml.threads import request_threads

    emb = Embedder("fake", model=load_model("fake"))
    emb.encode(["Write SQL queries."], "query")
    assert emb.request_batches == {}
    with request_threads():
        emb.encode(["Write SQL queries.", "Cook meat dishes."], "query")
    assert sum(emb.request_batches.values()) == 1 and set(emb.request_batches) <= {1, 2}
