"""The gateway's in-process rate-limit counters: the same limits, one clean-up thread a second."""

from __future__ import annotations

import time

from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from gateway.ratelimit import SweptMemoryStorage, storage_uri


def _timers_started(storage: MemoryStorage, seconds: float = 0.3) -> int:
    """Hit a counter in bursts for ``seconds``; return how many sweep timers were started."""
    seen = {id(storage.timer)}
    timers = [storage.timer]  # kept alive so ids are not reused
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(50):
            storage.incr("k", 60)
        if id(storage.timer) not in seen:
            seen.add(id(storage.timer))
            timers.append(storage.timer)
        time.sleep(0.02)  # longer than limits' own 10-ms timer
    return len(seen) - 1


def test_memory_uri_means_the_swept_storage() -> None:
    assert isinstance(storage_from_string(storage_uri("memory://")), SweptMemoryStorage)
    assert storage_uri("redis://cache:6379/0") == "redis://cache:6379/0"


def test_the_sweep_starts_at_most_one_thread_a_second_where_limits_starts_one_per_burst() -> None:
    assert _timers_started(MemoryStorage()) >= 5  # the behaviour this class exists to avoid
    assert _timers_started(SweptMemoryStorage()) <= 1


def test_limits_are_the_same_and_a_window_past_its_end_starts_again() -> None:
    limiter = FixedWindowRateLimiter(SweptMemoryStorage())
    three = parse("3/second")
    assert [limiter.hit(three, "client") for _ in range(4)] == [True, True, True, False]
    time.sleep(1.05)
    assert limiter.hit(three, "client")  # the counter expired when read, sweep or not
