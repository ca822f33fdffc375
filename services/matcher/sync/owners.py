"""The interactive lane: reads from the owning services ahead of the feed backlog.

A person's own edit is re-read in full; a first visit is read *quick* (no tagging of its free
text, see feeds.py) and queued here for a full read ahead of the backlog's next event. Each
read's phases are timed for ``GET /sync/status``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from services.common.errors import Problem
from services.matcher.recommend.state import Matcher
from services.matcher.sync.models import LearnerCopy, VacancyCopy


class OwnerReads:
    """Read one learner or vacancy from its owner now and apply it like a feed event."""

    m: Matcher
    applied: dict[str, int]
    priority_reads: int
    _local: threading.local
    deferred: deque[tuple[str, str]]
    _deferred_set: set[tuple[str, str]]
    _deferred_lock: threading.Lock
    seen_latest: dict[str, int]
    read_timings: deque[dict[str, float]]
    refines: OrderedDict[str, dict[str, Any]]

    def _lock_of(self, item: str) -> threading.Lock:
        raise NotImplementedError

    if TYPE_CHECKING:  # provided by FirstPass (refine.py); declared for the type checker only

        def _first_pass(self) -> bool: ...
        def _queue_for_refine(self) -> None: ...
        def drop_refine(self, item: str) -> None: ...

    @contextmanager
    def _phase(self, name: str) -> Iterator[None]:
        """Time one phase of an interactive read (a no-op for backlog events)."""
        phases: dict[str, float] | None = getattr(self._local, "phases", None)
        t = time.perf_counter()
        try:
            yield
        finally:
            if phases is not None:
                phases[name] = phases.get(name, 0.0) + (time.perf_counter() - t) * 1000

    def _quick(self) -> bool:
        """Tell whether free text goes untagged now (a first visit, or a bulk first pass)."""
        return bool(getattr(self._local, "quick", False)) or self._first_pass()

    def _skip_resolve(self) -> bool:
        """Tell whether declared labels stay unmapped now (a first visit: the model waits)."""
        return bool(getattr(self._local, "quick", False))

    def defer(self, kind: str, item_id: str) -> None:
        """Queue an item indexed without tagging for a full read ahead of the backlog.

        In a bulk first pass the event itself goes to the refine queue instead (refine.py).
        """
        if self._first_pass():
            self._queue_for_refine()
            return
        with self._deferred_lock:
            if (kind, item_id) not in self._deferred_set:
                self._deferred_set.add((kind, item_id))
                self.deferred.append((kind, item_id))

    def run_deferred(self, limit: int | None = 1) -> int:
        """Read up to ``limit`` deferred items again with tagging; return how many were read."""
        done = 0
        while limit is None or done < limit:
            with self._deferred_lock:
                if not self.deferred:
                    break
                key = self.deferred.popleft()
                self._deferred_set.discard(key)
            if self.priority(*key) == "unavailable":
                self.defer(*key)  # the owner is down: try again later
                break
            done += 1
        return done

    def requeue_pending(self) -> int:
        """Queue the copies a previous process indexed without tagging (after a restart)."""
        n = 0
        for kind, model in (("learner", LearnerCopy), ("vacancy", VacancyCopy)):
            for doc in model.objects(tags_pending=True).only("id"):
                if f"{kind}:{doc.id}" in self.refines:
                    continue  # first-passed: its refine entry reads it in full
                self.defer(kind, str(doc.id))
                n += 1
        return n

    def on_learner(self, kind: str, lid: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def on_vacancy(self, kind: str, vid: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def priority(self, kind: str, item_id: str, *, quick: bool = False) -> str:
        """Re-read one learner or vacancy from its owner now, ahead of the feed backlog.

        The owner's head seq is read first: the record read after it includes every event up
        to that seq, so those events, when the backlog reaches them, are skipped as older.
        Returns "indexed", "gone" (the owner has no such item) or "unavailable".

        ``quick`` (a first visit waiting for its answer) indexes the item without tagging its
        free text — declared skills and one embedding — and defers the tagging to a full read
        ahead of the backlog's next event. Each read's phases are timed for /sync/status.
        """
        phases: dict[str, float] = {}
        self._local.phases, self._local.quick = phases, quick
        t = time.perf_counter()
        try:
            result = self._priority(kind, item_id, phases)
        finally:
            self._local.phases, self._local.quick = None, False
        phases["total"] = (time.perf_counter() - t) * 1000
        self.read_timings.append(phases)
        return result

    def _priority(self, kind: str, item_id: str, phases: dict[str, float]) -> str:
        client = self.m.learner_client if kind == "learner" else self.m.jobs_client
        try:
            if getattr(self._local, "quick", False):
                # The feed head the follower last saw is a lower bound read before the record
                # too (its page came earlier): the backlog skips the events up to it. Events
                # after it are replayed in order and end at the state read here; a first visit
                # saves a head read (a scan of the owner's feed on the embedded store).
                head = self.seen_latest.get("learner" if kind == "learner" else "jobs", 0)
            else:
                with self._phase("owner_head"):
                    head = int(client.get("/changes", after=2**62, limit=1).get("latest") or 0)
        except Problem:
            return "unavailable"
        path = f"/learners/{item_id}" if kind == "learner" else f"/vacancies/{item_id}"
        item = f"{kind}:{item_id}"
        t = time.perf_counter()
        with self._lock_of(item):
            phases["item_lock_wait"] = (time.perf_counter() - t) * 1000
            try:
                with self._phase("owner_read"):
                    status, data = client.request("GET", path)
            except Problem:
                return "unavailable"
            if status == 404:
                if kind == "learner":
                    self.on_learner("learner.deleted", item_id, {})
                else:
                    self.on_vacancy("vacancy.deleted", item_id, {})
                self.drop_refine(item)
                self.applied[item] = max(head, self.applied.get(item, -1))
                return "gone"
            if status != 200 or not isinstance(data, dict) or str(data.get("id")) != item_id:
                return "unavailable"
            if kind == "learner":
                self.on_learner("learner.updated", item_id, data)
            else:
                closed = data.get("status") == "closed"
                self.on_vacancy("vacancy.closed" if closed else "vacancy.updated", item_id, data)
            self.drop_refine(item)  # this read is newer than any first-passed event
            self.applied[item] = max(head, self.applied.get(item, -1))
            self.priority_reads += 1
        return "indexed"

    def fetch_learner(self, lid: str) -> bool:
        """Index a learner the feed has not reached yet, read from the learner service.

        After a first start the learner feed carries thousands of catalogue events ahead of a
        new learner; asking the owner directly lets that learner see recommendations at once.
        The later feed events are upserts of the same profile, so nothing is applied twice.
        """
        data = self._read_owner(self.m.learner_client, f"/learners/{lid}", lid)
        if data is None:
            return False
        self.on_learner("learner.updated", lid, data)
        return True

    def fetch_vacancy(self, vid: str) -> bool:
        """Index a vacancy the feed has not reached yet, read from the jobs service."""
        data = self._read_owner(self.m.jobs_client, f"/vacancies/{vid}", vid)
        if data is None:
            return False
        closed = data.get("status") == "closed"
        self.on_vacancy("vacancy.closed" if closed else "vacancy.updated", vid, data)
        return True

    @staticmethod
    def _read_owner(client: Any, path: str, id_: str) -> dict[str, Any] | None:
        try:
            status, data = client.request("GET", path)
        except Problem:
            return None
        if status != 200 or not isinstance(data, dict) or str(data.get("id")) != id_:
            return None
        return data


def read_summary(timings: Iterable[dict[str, float]]) -> dict[str, Any]:
    """Return the p50 and p99 of each phase of the recent interactive reads, in ms."""
    rows = list(timings)
    out: dict[str, Any] = {"reads": len(rows)}
    for name in sorted({k for r in rows for k in r}):
        values = sorted(r.get(name, 0.0) for r in rows)
        out[name] = {
            "p50_ms": round(values[len(values) // 2], 1),
            "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))], 1),
        }
    return out
