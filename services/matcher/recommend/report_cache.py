"""The matcher's ministry reports kept from their last computation while nothing has changed.

A report (the skills gap) reads every open vacancy, learner and course copy from the store:
~1 s at the demo's size on the embedded store, several while the worker refines the catalogue
and both cores are busy. A report is served from its last computation while the indexes it is
computed from have not changed since (the ``changes`` counters of the vacancy, learner and
course indexes): then it is exact. When they have changed:

- a report that computes fast (under ``SLOW`` seconds last time) is computed again at once, so
  a small world (every test) always reads current figures;
- a slow one is served from its last computation if that is under ``MAX_AGE`` seconds old,
  marked ``current: false``, while one background thread computes the new one; older than that,
  the request computes it.

Every answer says when its figures were computed (``as_of.updated_at``) and whether they are
current. One cache per web process (the reports are per process anyway).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.matcher.recommend.state import Matcher

#: A computation slower than this may be served from the last one while a new one runs.
SLOW = 0.25
#: The oldest figures served while a newer computation runs.
MAX_AGE = 30.0


@dataclass
class _Entry:
    version: tuple[int, ...]
    data: dict[str, Any]
    at: float  # time.monotonic() of the computation's start
    wall: datetime
    cost: float


def version_of(m: Matcher) -> tuple[int, ...]:
    """Return the write counters of the indexes the reports are computed from."""
    return (m.vacancies.changes, m.learners.changes, m.courses.changes)


class ReportCache:
    """Reports by key (name and parameters), current while the indexes stand still."""

    def __init__(self, *, slow: float = SLOW, max_age: float = MAX_AGE) -> None:
        self.slow = slow
        self.max_age = max_age
        self._entries: dict[Hashable, _Entry] = {}
        self._lock = threading.Lock()
        self._running: set[Hashable] = set()
        self.computed = 0

    def get(
        self, key: Hashable, m: Matcher, compute: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """Return the report for ``key`` with its ``as_of`` (computing it when it is due)."""
        version = version_of(m)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry.version == version:
            return _answer(entry, current=True)
        if (
            entry is not None
            and entry.cost >= self.slow
            and time.monotonic() - entry.at < self.max_age
        ):
            self._refresh_in_background(key, m, compute)
            return _answer(entry, current=False)
        return _answer(self._compute(key, m, compute), current=True)

    def _compute(self, key: Hashable, m: Matcher, compute: Callable[[], dict[str, Any]]) -> _Entry:
        # The version is read before the copies: a write during the computation makes the
        # next request compute again rather than call these figures current.
        version = version_of(m)
        start, wall = time.monotonic(), datetime.now(UTC)
        data = compute()
        entry = _Entry(version, data, start, wall, time.monotonic() - start)
        with self._lock:
            previous = self._entries.get(key)
            if previous is None or previous.at <= entry.at:
                self._entries[key] = entry
            self.computed += 1
        return entry

    def _refresh_in_background(
        self, key: Hashable, m: Matcher, compute: Callable[[], dict[str, Any]]
    ) -> None:
        with self._lock:
            if key in self._running:
                return
            self._running.add(key)

        def run() -> None:
            try:
                self._compute(key, m, compute)
            finally:
                with self._lock:
                    self._running.discard(key)

        threading.Thread(target=run, name="report-refresh", daemon=True).start()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no background computation runs (for tests); True when idle."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if not self._running:
                    return True
            time.sleep(0.01)
        return False


def _answer(entry: _Entry, *, current: bool) -> dict[str, Any]:
    return {
        **entry.data,
        "as_of": {"updated_at": entry.wall.isoformat(timespec="seconds"), "current": current},
    }
