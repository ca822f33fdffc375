"""Time reads, writes and queries on the embedded store, quiet and under another's writes.

Fills a fresh litemongo store (a temp dir, opened the way the services open theirs) with N
learner profiles (the real ``Learner`` model: a unique ``email_key`` index and three others),
then times, per operation, "quiet" (no other writer) and "busy" (another writer updates a
learner every few ms, as under load: ``--writer thread``, another request thread of this
process, whose writes share this process's client and so keep its index current; ``--writer
process``, the other gunicorn worker, whose commits this process patches into its index of the
collection from the file's change log before its next query; ``scripts.bench_reads_refresh``
compares that with litemongo's rebuild from every document):

- ``objects``: ``Learner.objects(id=...).first()``, the read the services made;
- ``raw``: ``rawstore.fetch_by_ids``, the primary-key read of the SQLite file;
- ``find_by_id``: the Document the services now get (``records.find_by_id``);
- ``insert``: ``Learner(...).save()``, whose unique check is a mongomock query;
- ``insert_keyed``: the uniqueness held by a key document's primary key instead (a variant
  measured, not used by the services: see ``keyed_insert``);
- ``update``: ``Learner.objects(id=...).update_one(...)``, a partial update by id;
- ``save``: a learner read by id, changed and ``save()``d (unique checks, then an update);
- ``query``: ``Learner.objects(email_key=...).first()``, a query on an indexed field;
- ``query_scan``: ``Learner.objects(name=...).first()``, a query no index serves (a scan).

Busy calls each start right after one of the other writer's writes (under load nearly every
query does).

    .venv/bin/python -m scripts.bench_reads_contended --sizes 3000 30000 [--writer process]
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.process
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bson import ObjectId

from services.common.clock import utcnow
from services.common.db import atomic, close_db, database, find_by_id, init_db
from services.common.rawstore import fetch_by_ids
from services.common.settings import BaseSettings
from services.learner.learners.models import Learner
from services.learner.settings import ALIAS

REGIONS = ("astana", "almaty", "shymkent", "karaganda")
KEYED = "learners_keyed"  # the same documents without the unique index
KEYS = "learner_keys"  # one document per unique value: its _id
CV = "Опыт работы с данными, Python и SQL; курсы AI-Sana. " * 25


def profile(i: int) -> Learner:
    """A learner about the size of a seeded one (skills, languages, a CV)."""
    return Learner(
        name=f"Learner {i}",
        email=f"learner{i}@example.kz",
        region=REGIONS[i % len(REGIONS)],
        programme="ai-sana",
        languages=[{"code": "ru", "level": "C1"}, {"code": "kk", "level": "B2"}],
        skills=[
            {"uri": f"http://data.europa.eu/esco/skill/s{i % 97}-{k}", "label": f"skill {k}"}
            | {"source": "self", "level": 3}
            for k in range(6)
        ],
        cv_text=CV,
        consent=True,
    )


def fill(n: int, collection: Any) -> list[ObjectId]:
    """Insert ``n`` learners in batches (one thread: its index stays current) and return ids."""
    template = profile(0)
    template.clean()
    son = template.to_mongo().to_dict()
    ids = [ObjectId() for _ in range(n)]
    for start in range(0, n, 500):
        collection.insert_many(
            [
                son
                | {"_id": ids[i], "name": f"Learner {i}", "email": f"learner{i}@example.kz"}
                | {"email_key": f"learner{i}@example.kz", "region": REGIONS[i % len(REGIONS)]}
                for i in range(start, min(n, start + 500))
            ]
        )
    return ids


def keyed_insert(son: dict[str, Any]) -> None:
    """Insert with the uniqueness of ``email_key`` held by a primary key instead of an index.

    The variant measured for the unique-index inserts: a key document whose ``_id`` is the
    unique value (a duplicate fails on the SQLite primary key, no mongomock query), then the
    record into a collection with no unique index (its insert needs no query either).
    """
    db = database(ALIAS)
    with atomic(ALIAS):
        db[KEYS].insert_one({"_id": "email_key:" + son["email_key"]})
        db[KEYED].insert_one(son)


def update_by_id(oid: ObjectId) -> None:
    """A partial update by id (``objects(id=).update_one``): mongomock finds the document first."""
    Learner.objects(id=oid).update_one(set__updated_at=utcnow())


def save_loaded(oid: ObjectId) -> None:
    """Load a learner by id, change it and ``save()`` it (what the profile handlers do)."""
    learner = find_by_id(Learner, oid)
    assert learner is not None
    learner.updated_at = utcnow()
    learner.save()


class Writer:
    """Another writer: while on, updates a learner of its target collection every ``every`` s.

    ``kind`` "thread" is another request thread of this process (since the store's client is
    shared per process, its writes keep this thread's index current); "process" is another
    gunicorn worker on the same files (a forked process: its commits make this process rebuild
    the collection's index before its next query). Multiprocessing primitives serve both.
    """

    def __init__(
        self, ids: list[ObjectId], keyed_ids: list[ObjectId], every: float, kind: str
    ) -> None:
        context = multiprocessing.get_context("fork")
        self.ids, self.keyed_ids, self.every = ids, keyed_ids, every
        self.keyed = context.Value("b", 0)  # 1: write to the keyed collection
        self.on = context.Event()
        self.done = context.Event()
        self.gate = context.Lock()
        self.writes = context.Value("l", 0)
        self.runner: threading.Thread | multiprocessing.process.BaseProcess
        if kind == "process":
            self.runner = context.Process(target=self.run, daemon=True)
        else:
            self.runner = threading.Thread(target=self.run, daemon=True)

    def start(self) -> None:
        """Start the writer (paused)."""
        self.runner.start()

    def stop(self) -> None:
        """Stop the writer and wait for it."""
        self.done.set()
        self.runner.join(30)

    def run(self) -> None:
        db = database(ALIAS)
        rng = random.Random(1)
        while not self.done.is_set():
            if not self.on.wait(0.05):
                continue
            with self.gate:
                if self.on.is_set():
                    keyed = bool(self.keyed.value)
                    oid = rng.choice(self.keyed_ids if keyed else self.ids)
                    target = KEYED if keyed else "learners"
                    db[target].update_one({"_id": oid}, {"$set": {"updated_at": utcnow()}})
                    with self.writes.get_lock():
                        self.writes.value += 1
            time.sleep(self.every)

    def start_writing(self, target: str) -> None:
        """Write to ``target`` from now on."""
        with self.gate:
            self.keyed.value = int(target == KEYED)
            self.on.set()

    def pause(self) -> None:
        """Stop writing; return once no write is under way."""
        with self.gate:
            self.on.clear()

    def after_next_write(self) -> None:
        """Return once the other writer has written again."""
        seen = self.writes.value
        while self.writes.value == seen:
            time.sleep(0.0005)


def timed(op: Callable[[int], Any], repeat: int, writer: Writer | None) -> list[float]:
    """Return the wall seconds of ``repeat`` calls of ``op`` (busy: each after a foreign write)."""
    walls = []
    for r in range(repeat):
        if writer is not None:
            writer.after_next_write()
        t0 = time.perf_counter()
        op(r)
        walls.append(time.perf_counter() - t0)
    return walls


def figures(values: list[float]) -> str:
    """Return ``p50 p99 max`` in milliseconds."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return "".join(f"{v * 1000:10.2f}" for v in (statistics.median(ordered), p99, ordered[-1]))


def bench(n: int, repeat: int, busy_repeat: int, every: float, kind: str) -> None:
    """Fill a fresh store with ``n`` learners (twice: indexed and keyed) and print the table."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-reads-"))
    try:
        settings = BaseSettings.from_env(env={}, data_dir=tmp, service="bench")
        init_db(settings, ALIAS)
        t0 = time.perf_counter()
        Learner.ensure_indexes()
        ids = fill(n, Learner._get_collection())
        db = database(ALIAS)
        for field in ("region", "programme", "skills.uri"):
            db[KEYED].create_index(field)  # the same indexes, less the unique one
        keyed_ids = fill(n, db[KEYED])
        db[KEYS].insert_many([{"_id": f"email_key:learner{i}@example.kz"} for i in range(n)])
        print(f"\nN = {n:,} learners (filled in {time.perf_counter() - t0:.1f} s)", flush=True)
        rng = random.Random(7)
        picks = [rng.choice(ids) for _ in range(max(repeat, busy_repeat))]
        numbers = [rng.randrange(n) for _ in picks]
        emails = [f"learner{i}@example.kz" for i in numbers]
        names = [f"Learner {i}" for i in numbers]
        serial = iter(range(10**6, 10**7))

        def new_son() -> dict[str, Any]:
            learner = profile(next(serial))
            learner.clean()
            return dict(learner.to_mongo().to_dict())

        # (name, operation, the collection the other thread writes to)
        ops: list[tuple[str, Callable[[int], Any], str]] = [
            ("objects", lambda r: Learner.objects(id=picks[r]).first(), "learners"),
            ("raw", lambda r: fetch_by_ids(ALIAS, "learners", [picks[r]]), "learners"),
            ("find_by_id", lambda r: find_by_id(Learner, picks[r]), "learners"),
            ("insert", lambda r: profile(next(serial)).save(), "learners"),
            ("insert_keyed", lambda r: keyed_insert(new_son()), KEYED),
            ("update", lambda r: update_by_id(picks[r]), "learners"),
            ("save", lambda r: save_loaded(picks[r]), "learners"),
            ("query", lambda r: Learner.objects(email_key=emails[r]).first(), "learners"),
            ("query_scan", lambda r: Learner.objects(name=names[r]).first(), "learners"),
        ]
        writer = Writer(ids, keyed_ids, every, kind)
        writer.start()
        print(f"  {'operation':<14}{'mode':<7}{'n':>5}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
        for name, op, target in ops:
            # The other thread's first write to a collection builds its own index: not timed.
            writer.start_writing(target)
            writer.after_next_write()
            writer.pause()
            op(0)  # this thread's index is current now: "quiet" means nothing to rebuild
            walls = timed(op, repeat, None)
            print(f"  {name:<14}{'quiet':<7}{repeat:>5}{figures(walls)}", flush=True)
            writer.start_writing(target)
            walls = timed(op, busy_repeat, writer)
            writer.pause()
            print(f"  {name:<14}{'busy':<7}{busy_repeat:>5}{figures(walls)}", flush=True)
        writer.stop()
    finally:
        close_db(ALIAS)
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark for each size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 30000])
    parser.add_argument("--repeat", type=int, default=200, help="quiet calls per cell")
    parser.add_argument("--busy-repeat", type=int, default=20, help="busy calls per cell")
    parser.add_argument("--every", type=float, default=0.005, help="seconds between writes")
    parser.add_argument(
        "--writer",
        choices=("thread", "process"),
        default="thread",
        help="the busy writer: another thread of this process, or another process",
    )
    args = parser.parse_args(argv)
    print(
        f"{args.repeat} quiet / {args.busy_repeat} busy calls per cell; a write every "
        f"{args.every * 1000:.0f} ms when busy (another {args.writer}); "
        f"python {sys.version.split()[0]}"
    )
    for n in args.sizes:
        bench(n, args.repeat, args.busy_repeat, args.every, args.writer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
