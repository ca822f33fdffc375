"""Time a feed page read on the embedded store, and how long it holds the store lock.

Fills a fresh litemongo store (a temp dir, opened the way the services open theirs) with N
events through ``append_event``, then reads pages of 64 at the head (after=0), the middle and
the tail, two ways: ``read_changes`` as the services serve it, and the plain
``find({"_id": {"$gt": after}}).sort("_id", 1).limit(n)`` under the lock that it replaced
("scan"). Each read is timed "quiet" (no write since this thread's last query) and "busy" (another
thread appended an event just before, as request threads do while a consumer follows the feed:
mongomock then rebuilds its index of the collection from every document first).

    .venv/bin/python -m scripts.bench_feed --sizes 5000 50000
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.common.db import atomic, close_db, database, init_db
from services.common.db.lock import StoreLock
from services.common.feed import CHANGES, append_event, read_changes
from services.common.settings import BaseSettings

ALIAS = "bench_feed"
LIMIT = 64


class LockTimer:
    """Measures how long the store lock is held at its outermost level (one thread at a time)."""

    def __init__(self, lock: StoreLock) -> None:
        self.lock = lock
        self.held: list[float] = []
        self._depth = 0
        self._since = 0.0
        acquire, release = lock.acquire, lock.release

        def timed_acquire() -> None:
            acquire()
            if self._depth == 0:
                self._since = time.perf_counter()
            self._depth += 1

        def timed_release() -> None:
            self._depth -= 1
            if self._depth == 0:
                self.held.append(time.perf_counter() - self._since)
            release()

        # Instance attributes win over the class's methods, and __enter__ calls self.acquire().
        lock.acquire = timed_acquire  # type: ignore[method-assign]
        lock.release = timed_release  # type: ignore[method-assign]

    def take(self) -> float:
        """Return the total lock time since the last call, and forget it."""
        total = sum(self.held)
        self.held.clear()
        return total


def scan(after: int, limit: int) -> list[dict[str, Any]]:
    """The page read the fast path replaced: a full scan and sort in mongomock."""
    db = database(ALIAS)
    with atomic(ALIAS):
        docs = list(db[CHANGES].find({"_id": {"$gt": after}}).sort("_id", 1).limit(limit))
        db["counters"].find_one({"_id": CHANGES})
    return docs


def fast(after: int, limit: int) -> list[dict[str, Any]]:
    """The page read the services serve."""
    return [e.model_dump() for e in read_changes(ALIAS, after, limit).events]


def event_data(i: int) -> dict[str, Any]:
    """A payload about the size of a learner or vacancy event."""
    return {
        "id": f"rec-{i}",
        "title": f"Record {i} " + "x" * 120,
        "skills": [f"skill-{i % 97}", f"skill-{i % 31}", f"skill-{i % 7}"],
        "region": "astana",
    }


def fill(n: int) -> None:
    """Append ``n`` events, printing progress."""
    start = time.perf_counter()
    step = max(1, n // 10)
    for i in range(1, n + 1):
        append_event(ALIAS, "record.updated", f"rec-{i}", event_data(i))
        if i % step == 0 or i == n:
            rate = i / (time.perf_counter() - start)
            print(f"  filled {i:>7,}/{n:,} ({rate:,.0f} events/s)", flush=True)


def append_from_other_thread(i: int) -> None:
    """Append one event from another thread (another litemongo connection)."""
    t = threading.Thread(target=append_event, args=(ALIAS, "record.updated", f"w-{i}", {"i": i}))
    t.start()
    t.join()


def time_reads(
    read: Callable[[int, int], list[dict[str, Any]]],
    after: int,
    busy: bool,
    timer: LockTimer,
    repeat: int,
) -> tuple[list[float], list[float]]:
    """Return (wall seconds, lock seconds) of ``repeat`` page reads."""
    walls, locks = [], []
    for r in range(repeat):
        if busy:
            append_from_other_thread(r)
        else:
            # Bring this thread's view of the collection up to date: nothing left to rebuild.
            database(ALIAS)[CHANGES].find_one({"_id": 1})
        timer.take()
        t0 = time.perf_counter()
        docs = read(after, LIMIT)
        walls.append(time.perf_counter() - t0)
        locks.append(timer.take())
        assert docs, "a page read returned nothing"
    return walls, locks


def ms(values: list[float]) -> str:
    """Return ``p50/max`` in milliseconds."""
    return f"{statistics.median(values) * 1000:7.2f}/{max(values) * 1000:7.2f}"


def bench(n: int, repeat: int) -> None:
    """Fill a fresh store with ``n`` events and print the page-read table."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-feed-"))
    try:
        settings = BaseSettings.from_env(env={}, data_dir=tmp, service="bench")
        init_db(settings, ALIAS)
        print(f"\nN = {n:,} events (store in {tmp})", flush=True)
        fill(n)
        timer = LockTimer(database(ALIAS).client.lock)
        print(f"  {'page':<8}{'read':<6}{'mode':<7}{'wall p50/max ms':>19}{'lock p50/max ms':>19}")
        for label, after in (("head", 0), ("middle", n // 2), ("tail", n - LIMIT)):
            for name, read in (("scan", scan), ("fast", fast)):
                for busy in (False, True):
                    walls, locks = time_reads(read, after, busy, timer, repeat)
                    mode = "busy" if busy else "quiet"
                    print(f"  {label:<8}{name:<6}{mode:<7}{ms(walls):>19}{ms(locks):>19}")
    finally:
        close_db(ALIAS)
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark for each size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=7, help="reads per cell")
    args = parser.parse_args(argv)
    print(f"page size {LIMIT}; {args.repeat} reads per cell; python {sys.version.split()[0]}")
    for n in args.sizes:
        bench(n, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
