"""The `make scale` requests: one of each kind per sampled learner or vacancy, timed.

Each kind is answered once through the approximate index and once with the graphs detached
(the exact answer), so recall@10 is measured on the same calls; then by 8 callers at once.
Every kind also counts the requests that answered at least one item: an empty answer is fast
and has no recall, so a kind whose answers are all empty measured nothing (``empty_kinds``).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

Request = Callable[[], dict[str, Any]]
#: Below this share of answered requests a kind's timings are mostly of empty answers.
THIN_SHARE = 0.5


def log(msg: str) -> None:
    """Print a progress line."""
    print(f"[scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def exact(m: Any) -> Iterator[None]:
    """Detach the HNSW graphs so the same functions answer by an exact scan (one thread only)."""
    saved = (m.vacancies.ann, m.learners.ann)
    m.vacancies.ann = m.learners.ann = None
    try:
        yield
    finally:
        m.vacancies.ann, m.learners.ann = saved


def requests(m: Any, count: int, seed: int = 7) -> dict[str, list[Request]]:
    """Return ``count`` requests of each kind, on random learners and open vacancies."""
    from services.matcher.recommend.candidates import candidates_for_vacancy
    from services.matcher.recommend.paths import courses_for_learner, retraining_path
    from services.matcher.recommend.ranking import jobs_for_learner

    rng = np.random.default_rng(seed)
    li, vi = m.learners, m.vacancies
    slugs = {code: slug for slug, code in m.region_codes.items()}
    lrows = rng.choice(np.flatnonzero(li.alive[: li.n]), count)
    open_rows = np.flatnonzero(vi.alive[: vi.n] & vi.column("open") & (vi.column("n_required") > 1))
    vrows = rng.choice(open_rows, count)
    pay = vi.column("pay")
    salary = int(np.nanpercentile(pay, 25))
    out: dict[str, list[Request]] = {"jobs": [], "candidates": [], "courses": [], "path": []}
    for lr, vr in zip(lrows.tolist(), vrows.tolist(), strict=True):
        lid, vid = str(li.ids[lr]), str(vi.ids[vr])
        region = slugs[int(li.column("region")[lr])]

        def jobs(lid: str = lid, region: str = region) -> dict[str, Any]:
            return jobs_for_learner(
                m, learner_id=lid, region=[region], salary_min=salary, language=["ru"]
            )

        def cands(vid: str = vid) -> dict[str, Any]:
            return candidates_for_vacancy(m, vacancy_id=vid)

        def courses(lid: str = lid, vid: str = vid) -> dict[str, Any]:
            return courses_for_learner(m, learner_id=lid, vacancy_id=vid, occupation_uri=None)

        def path(lid: str = lid, vid: str = vid) -> dict[str, Any]:
            return retraining_path(m, learner_id=lid, vacancy_id=vid, occupation_uri=None)

        out["jobs"].append(jobs)
        out["candidates"].append(cands)
        out["courses"].append(courses)
        out["path"].append(path)
    return out


def answer_ids(kind: str, result: dict[str, Any]) -> list[str]:
    """Return the ids a response ranks (candidates and trainable together for a vacancy)."""
    if kind == "jobs":
        return [i["vacancy_id"] for i in result["items"]]
    if kind == "candidates":
        return [f"c:{i['learner_id']}" for i in result["candidates"]] + [
            f"t:{i['learner_id']}" for i in result["trainable"]
        ]
    if kind == "courses":
        return [i["course_id"] for i in result["items"]]
    return [s["course_id"] for s in result["steps"]]


def _pcts(samples: list[float]) -> dict[str, float]:
    arr = np.array(samples) * 1000
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 2),
        "p99_ms": round(float(np.percentile(arr, 99)), 2),
    }


def measure(m: Any, reqs: dict[str, list[Request]], threads: int) -> dict[str, Any]:
    """Time every request kind alone, then with ``threads`` callers; recall against exact."""
    out: dict[str, Any] = {}
    for kind, calls in reqs.items():
        calls[0]()  # warm-up
        seq, cpu, got = [], [], []
        for call in calls:
            t, c = time.perf_counter(), time.thread_time()
            got.append(answer_ids(kind, call()))
            seq.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
        # CPU time of the calling thread: what the request costs on a core of its own (the
        # wall time also holds every wait for a core on this shared machine).
        row: dict[str, Any] = {"sequential": _pcts(seq), "cpu": _pcts(cpu)}
        answered = [t for t, ids in zip(seq, got, strict=True) if ids]
        row["asked"], row["answered"] = len(calls), len(answered)
        # The timings of the answered requests alone: what ranking something costs.
        row["answered_p50_ms"] = _pcts(answered)["p50_ms"] if answered else None
        with exact(m):
            ex_t, hits = [], []
            for call, ids in zip(calls, got, strict=True):
                t = time.perf_counter()
                truth = answer_ids(kind, call())
                ex_t.append(time.perf_counter() - t)
                if truth:
                    hits.append(len(set(ids) & set(truth)) / len(truth))
        row["exact"] = _pcts(ex_t)
        row["recall_at_10"] = round(float(np.mean(hits)), 4) if hits else None
        row["concurrent"] = concurrent(calls, threads)
        out[kind] = row
        log(f"{kind}: {row}")
    return out


def empty_kinds(rows: dict[str, Any]) -> list[str]:
    """Return the request kinds of a ``measure`` result that answered no request at all."""
    return [kind for kind, row in rows.items() if not row.get("answered")]


def thin_kinds(rows: dict[str, Any]) -> list[str]:
    """Return the kinds that answered something, but fewer than THIN_SHARE of their requests."""
    return [
        kind
        for kind, row in rows.items()
        if row.get("answered") and row["answered"] < THIN_SHARE * row["asked"]
    ]


def concurrent(calls: list[Request], threads: int) -> dict[str, float]:
    """Run ``calls`` from ``threads`` callers at once; return latency percentiles and req/s."""
    lat: list[float] = []
    lock = threading.Lock()

    def timed(call: Request) -> None:
        t = time.perf_counter()
        call()
        with lock:
            lat.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(timed, calls))
    wall = time.perf_counter() - t0
    return {**_pcts(lat), "req_s": round(len(calls) / wall, 1)}
