"""Time reads of one process while another process writes: index patched from the log, or rebuilt.

Fills a fresh litemongo store (a temp dir, opened as the services open theirs) with N courses
(the real ``Course`` model and its indexes), forks a writer process (the other gunicorn worker)
that writes to the courses at a steady rate (an update, an insert, a delete of one it inserted,
in turn), and times in this process, each call right after one of the writer's commits:

- ``by_id``: ``Course.objects(id=...).first()`` (a mongomock query on ``_id``);
- ``indexed``: ``Course.objects.imported_as(provider, external_id).first()`` (a compound index);
- ``listing``: the learner service's plain course list: current courses of two providers,
  taught in Russian, ordered by id, counted, the second page of 20 (``get_all_plain``'s shape).

Modes alternate in blocks in this one process: ``rebuild`` is litemongo's behaviour (the index
rebuilt from every document after another connection's commit; the patch disabled on this
process's collection store), ``patch`` the change log's (:mod:`services.common.db.changelog`).
Wall and CPU (``thread_time``) milliseconds, and the index rebuilds and patches per mode. Last,
the writer's cost of the log's triggers: upserts by id on a file with them and one without.

    .venv/bin/python -m scripts.bench_reads_refresh --sizes 3000 30000
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bson import ObjectId
from litemongo import sqlite_store  # type: ignore[attr-defined]

from services.common.clock import utcnow
from services.common.db import close_db, database, init_db, litestore
from services.common.settings import BaseSettings
from services.learner.courses.models import Course
from services.learner.settings import ALIAS

PROVIDERS = tuple(f"Provider {p}" for p in range(24))
LANGUAGES = ("ru", "kk", "en")
LEVELS = ("beginner", "intermediate", "advanced")
TEXT = "Курс по анализу данных: Python, SQL, статистика и визуализация. " * 8


def course_son(i: int) -> dict[str, Any]:
    """A course about the size of an imported one."""
    course = Course(
        provider=PROVIDERS[i % len(PROVIDERS)],
        external_id=f"ext-{i}",
        title=f"Course {i}: data analysis",
        description=TEXT,
        institution="Institute",
        subject="Data",
        language=LANGUAGES[i % 3],
        hours=10.0 + i % 40,
        level=LEVELS[i % 3],
        price_kzt=0 if i % 4 == 0 else 25_000,
        skills=[
            {"uri": f"http://data.europa.eu/esco/skill/s{i % 211}-{k}", "label": f"s{k}"}
            for k in range(5)
        ],
        retired=i % 17 == 0,
    )
    course.clean()
    son: dict[str, Any] = course.to_mongo().to_dict()
    return son | {"_id": ObjectId()}


def write(
    collection: Any, rng: random.Random, ids: list[ObjectId], mine: list[Any], n: int
) -> None:
    """One write of the other worker: an update, an insert or a delete, in turn."""
    kind = n % 3
    if kind == 0:
        collection.update_one({"_id": rng.choice(ids)}, {"$set": {"updated_at": utcnow()}})
    elif kind == 1:
        son = course_son(10**7 + n)
        collection.insert_one(son)
        mine.append(son["_id"])
    else:
        collection.delete_one({"_id": mine.pop(0)})


def writer(ids: list[ObjectId], every: float, on: Any, done: Any, writes: Any) -> None:
    """The other process: write every ``every`` s while ``on`` is set, until ``done``."""
    collection = database(ALIAS)["courses"]
    rng = random.Random(3)
    mine: list[Any] = []
    n = 0
    while not done.is_set():
        if not on.wait(0.05):
            continue
        write(collection, rng, ids, mine, n)
        n += 1
        with writes.get_lock():
            writes.value += 1
        time.sleep(every)


def ms(values: list[float]) -> str:
    """Return ``p50 p99 max`` in milliseconds."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return "".join(f"{v * 1000:9.2f}" for v in (statistics.median(ordered), p99, ordered[-1]))


def bench(n: int, blocks: int, per_block: int, every: float) -> None:
    """Fill a store with ``n`` courses and print reader latencies per operation and mode."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    try:
        settings = BaseSettings.from_env(env={}, data_dir=tmp, service="bench")
        init_db(settings, ALIAS)
        t0 = time.perf_counter()
        Course.ensure_indexes()
        collection = database(ALIAS)["courses"]
        sons = [course_son(i) for i in range(n)]
        for start in range(0, n, 500):
            collection.insert_many(sons[start : start + 500])
        ids = [s["_id"] for s in sons]
        print(f"\nN = {n:,} courses (filled in {time.perf_counter() - t0:.1f} s)", flush=True)
        db = database(ALIAS)
        with db.client.lock:
            store = db.client.store_client()._store[db.name]["courses"]
        rng = random.Random(7)
        picks = [rng.randrange(n) for _ in range(blocks * per_block)]

        def listing(_: int) -> Any:
            qs = (
                Course.objects.current()
                .from_providers(PROVIDERS[3:5])
                .taught_in(["ru"])
                .order_by("id")
            )
            return qs.count(), list(qs.skip(20).limit(20))

        ops: list[tuple[str, Callable[[int], Any]]] = [
            ("by_id", lambda r: Course.objects(id=ids[picks[r]]).first()),
            (
                "indexed",
                lambda r: Course.objects.imported_as(
                    PROVIDERS[picks[r] % len(PROVIDERS)], f"ext-{picks[r]}"
                ).first(),
            ),
            ("listing", listing),
        ]
        context = multiprocessing.get_context("fork")
        on, done, writes = context.Event(), context.Event(), context.Value("l", 0)
        child = context.Process(target=writer, args=(ids, every, on, done, writes), daemon=True)
        child.start()
        patched = store._apply_changes

        def after_next_write() -> None:
            seen = writes.value
            while writes.value == seen:
                time.sleep(0.0005)

        print(
            f"  {'operation':<10}{'mode':<9}{'n':>4}{'wall p50':>9}{'p99':>9}{'max':>9}"
            f"{'cpu p50':>9}{'p99':>9}{'max':>9}{'rebuilds':>9}{'patches':>8}"
        )
        try:
            for name, op in ops:
                op(0)
                on.set()
                walls: dict[str, list[float]] = {"rebuild": [], "patch": []}
                cpus: dict[str, list[float]] = {"rebuild": [], "patch": []}
                counts = {mode: [0, 0] for mode in walls}
                r = 0
                for block in range(blocks):
                    for mode in ("rebuild", "patch") if block % 2 == 0 else ("patch", "rebuild"):
                        store._apply_changes = patched if mode == "patch" else (lambda: False)
                        before = (store.rebuilds, store.patches)
                        for _ in range(per_block):
                            after_next_write()
                            w0, c0 = time.perf_counter(), time.thread_time()
                            op(r % len(picks))
                            cpus[mode].append(time.thread_time() - c0)
                            walls[mode].append(time.perf_counter() - w0)
                            r += 1
                        counts[mode][0] += store.rebuilds - before[0]
                        counts[mode][1] += store.patches - before[1]
                on.clear()
                for mode in ("rebuild", "patch"):
                    print(
                        f"  {name:<10}{mode:<9}{len(walls[mode]):>4}{ms(walls[mode])}"
                        f"{ms(cpus[mode])}{counts[mode][0]:>9}{counts[mode][1]:>8}",
                        flush=True,
                    )
        finally:
            store._apply_changes = patched
            done.set()
            child.join(30)
    finally:
        close_db(ALIAS)
        shutil.rmtree(tmp, ignore_errors=True)


def write_cost(count: int) -> None:
    """Print the wall ms of upserts by id on a file with the log's triggers and one without."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-refresh-w-"))
    try:
        stores = {
            "litemongo": sqlite_store.CollectionStore(tmp / "plain"),
            "with log": litestore.CollectionStore(tmp / "logged"),
        }
        sons = [course_son(i) for i in range(count)]
        times: dict[str, list[float]] = {name: [] for name in stores}
        for i, son in enumerate(sons * 2):  # inserts, then updates of the same keys
            for name, store in stores.items() if i % 2 else reversed(stores.items()):
                t0 = time.perf_counter()
                store._documents[son["_id"]] = son
                times[name].append(time.perf_counter() - t0)
        print(f"\nwrite cost ({count} inserts + {count} upserts each, alternating)")
        for name, values in times.items():
            print(
                f"  {name:<10} p50 {statistics.median(values) * 1000:.3f} ms, "
                f"mean {statistics.fmean(values) * 1000:.3f} ms"
            )
        for store in stores.values():
            store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark for each size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 30000])
    parser.add_argument("--blocks", type=int, default=4, help="alternating blocks per mode")
    parser.add_argument("--per-block", type=int, default=5, help="timed calls per block")
    parser.add_argument("--every", type=float, default=0.02, help="seconds between writes")
    parser.add_argument("--write-cost", type=int, default=2000, help="upserts (0: skip)")
    args = parser.parse_args(argv)
    print(
        f"{args.blocks} blocks x {args.per_block} calls per mode and cell, each after one of "
        f"the other process's writes (one every {args.every * 1000:.0f} ms); "
        f"python {sys.version.split()[0]}"
    )
    for n in args.sizes:
        bench(n, args.blocks, args.per_block, args.every)
    if args.write_cost:
        write_cost(args.write_cost)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
