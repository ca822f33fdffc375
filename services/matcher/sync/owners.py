"""The feed followers' reads from the owning services, ahead of the feed backlog."""

from __future__ import annotations

import threading
from typing import Any

from services.common.errors import Problem
from services.matcher.recommend.state import Matcher


class OwnerReads:
    """Read one learner or vacancy from its owner now and apply it like a feed event."""

    m: Matcher
    applied: dict[str, int]
    priority_reads: int

    def _lock_of(self, item: str) -> threading.Lock:
        raise NotImplementedError

    def on_learner(self, kind: str, lid: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def on_vacancy(self, kind: str, vid: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def priority(self, kind: str, item_id: str) -> str:
        """Re-read one learner or vacancy from its owner now, ahead of the feed backlog.

        The owner's head seq is read first: the record read after it includes every event up
        to that seq, so those events, when the backlog reaches them, are skipped as older.
        Returns "indexed", "gone" (the owner has no such item) or "unavailable".
        """
        client = self.m.learner_client if kind == "learner" else self.m.jobs_client
        try:
            head = int(client.get("/changes", after=2**62, limit=1).get("latest") or 0)
        except Problem:
            return "unavailable"
        path = f"/learners/{item_id}" if kind == "learner" else f"/vacancies/{item_id}"
        item = f"{kind}:{item_id}"
        with self._lock_of(item):
            try:
                status, data = client.request("GET", path)
            except Problem:
                return "unavailable"
            if status == 404:
                if kind == "learner":
                    self.on_learner("learner.deleted", item_id, {})
                else:
                    self.on_vacancy("vacancy.deleted", item_id, {})
                self.applied[item] = max(head, self.applied.get(item, -1))
                return "gone"
            if status != 200 or not isinstance(data, dict) or str(data.get("id")) != item_id:
                return "unavailable"
            if kind == "learner":
                self.on_learner("learner.updated", item_id, data)
            else:
                closed = data.get("status") == "closed"
                self.on_vacancy("vacancy.closed" if closed else "vacancy.updated", item_id, data)
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
