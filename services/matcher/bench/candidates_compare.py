"""Candidates for a vacancy: the request path against the per-gap reference, on a snapshot.

    python -m services.matcher.bench.candidates_compare --snapshot var/scale/snap-1000000

The reference plans each distinct gap on its own (``plan_cover``: its own course options, its
own read of the course copies, the 0/1 program for every exact cover) and reads the learners'
copies once per list; the request path shares one course pool and one read per request and
enumerates small covers. Both run interleaved on the same vacancies (CPU time of the calling
thread); the answers (ids, scores, hours, courses) must be identical.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402


@contextlib.contextmanager
def milp_only() -> Iterator[None]:
    """Make every exact cover go through the 0/1 program, as before enumeration existed."""
    from services.matcher.ml import setcover

    saved = setcover._enumerated
    setcover._enumerated = lambda *args: None  # type: ignore[assignment]
    try:
        yield
    finally:
        setcover._enumerated = saved  # type: ignore[assignment]


def reference(m: Any, vacancy_id: str, limit: int = 10) -> dict[str, Any]:
    """Return candidates and trainable candidates with one ``plan_cover`` per distinct gap."""
    from services.matcher.recommend.paths import course_entries, plan_cover
    from services.matcher.recommend.ranking import (
        Blend,
        candidate_scores,
        learner_items,
        rank_rows,
        vacancy_row,
    )

    blend, k = Blend.of(m), m.settings.trainable_k
    vrow, li = vacancy_row(m, vacancy_id), m.learners
    mask = li.alive[: li.n] & li.cols["consent"][: li.n]
    coverage, missing, q = candidate_scores(m, vrow, mask)
    rows, cos = rank_rows(li, q, coverage, mask, limit, blend)
    candidates = learner_items(m, rows, cos, coverage, vrow, blend)
    tmask = mask & (missing >= 1) & (missing <= k)
    trows, tcos = rank_rows(li, q, coverage, tmask, limit, blend)
    plans: dict[Any, Any] = {}
    trainable = learner_items(m, trows, tcos, coverage, vrow, blend)
    for item in trainable:
        need = {s["key"] for s in item["missing_skills"] if s["essential"]}
        key = (frozenset(need), tuple(sorted(item["completed_courses"])))
        if key not in plans:
            plans[key] = plan_cover(m, need, item["completed_courses"])
        cover, options = plans[key]
        item.update(courses=course_entries(m, cover, options), hours=cover.hours)
    return {"candidates": candidates, "trainable": trainable}


def answer(result: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Return what must agree: ids and totals, and for trainable ones hours and courses."""
    return (
        [(i["learner_id"], i["score"]["total"]) for i in result["candidates"]],
        [
            (
                i["learner_id"],
                i["score"]["total"],
                i["hours"],
                [c["course_id"] for c in i["courses"]],
            )
            for i in result["trainable"]
        ],
    )


def main(argv: list[str] | None = None) -> int:
    """Load a snapshot, time both paths on the same vacancies, and print the comparison."""
    parser = argparse.ArgumentParser(prog="python -m services.matcher.bench.candidates_compare")
    parser.add_argument("--snapshot", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    from services.matcher.bench.scale import new_matcher
    from services.matcher.recommend.candidates import candidates_for_vacancy
    from services.matcher.sync import snapshot

    threadpool_limits(1)
    with tempfile.TemporaryDirectory() as tmp:
        m = new_matcher(Path(tmp), ann_threshold=100_000)
        if snapshot.load(m, args.snapshot) is None:
            print(f"no usable snapshot in {args.snapshot}", file=sys.stderr)
            return 1
        vi = m.vacancies
        rows = np.flatnonzero(vi.alive[: vi.n] & vi.column("open") & (vi.column("n_required") > 1))
        vids = [str(vi.ids[r]) for r in np.random.default_rng(7).choice(rows, args.requests)]
        with milp_only():
            reference(m, vids[0])
        candidates_for_vacancy(m, vacancy_id=vids[0])
        ref_t, new_t, same = [], [], 0
        for vid in vids:
            t = time.thread_time()
            with milp_only():
                ref = reference(m, vid)
            ref_t.append(time.thread_time() - t)
            t = time.thread_time()
            got = candidates_for_vacancy(m, vacancy_id=vid)
            new_t.append(time.thread_time() - t)
            same += answer(ref) == answer(got)

        def pct(xs: list[float]) -> str:
            a = np.array(xs) * 1000
            return f"p50 {np.percentile(a, 50):.2f} / p99 {np.percentile(a, 99):.2f} ms"

        print(
            f"{m.learners.n:,} learners, {len(vids)} vacancies, CPU: reference {pct(ref_t)}; "
            f"request path {pct(new_t)}; identical answers {same}/{len(vids)}"
        )
    return 0 if same == len(vids) else 2


if __name__ == "__main__":
    sys.exit(main())
