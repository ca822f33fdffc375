"""Race helpers: run the same work from many threads released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def hammer(n_threads: int, per_thread: int, fn: Callable[[int, int], Any]) -> list[Any]:
    """Run ``fn(thread, i)`` from many threads at once; return every result."""
    results: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n_threads)

    def run(t: int) -> None:
        barrier.wait()
        for i in range(per_thread):
            out = fn(t, i)
            with lock:
                results.append(out)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in another thread, wait for it and return its result (or raise its error)."""
    out: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if errors:
        raise errors[0]
    return out[0]
