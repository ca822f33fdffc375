"""The worker's matcher: every index write is relayed to the web process instead of kept here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from services.matcher.recommend.state import Matcher
from services.matcher.settings import Settings

#: Sends one message down the pipe to the web process.
Send = Callable[[Any], None]


class _IndexStub:
    """Stands for one index of the web process: removals are sent there."""

    def __init__(self, kind: str, send: Send) -> None:
        self.kind = kind
        self.send = send
        self.n = 0

    def remove(self, item_id: str) -> None:
        """Tell the web process to drop a row."""
        self.send(("remove", self.kind, item_id))

    def status(self) -> dict[str, Any]:
        """Return what this process knows of the index (how many upserts it sent)."""
        return {"sent": self.n}


class WorkerMatcher(Matcher):
    """A matcher whose index writes go to the web process instead of local indexes."""

    def __init__(self, settings: Settings, send: Send) -> None:
        super().__init__(settings, staged=True)
        self.send = send
        for kind in ("vacancies", "learners", "courses"):
            setattr(self, kind, _IndexStub(kind, send))

    def _publish(self, kind: str, doc: dict[str, Any], vector: np.ndarray) -> None:
        stub: _IndexStub = getattr(self, kind)
        stub.n += 1
        self.send(("upsert", kind, doc, np.asarray(vector, np.float32)))

    def index_vacancy(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Send a vacancy row to the web process."""
        self._publish("vacancies", doc, vector)

    def index_learner(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Send a learner row to the web process."""
        self._publish("learners", doc, vector)

    def index_course(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Send a course row to the web process."""
        self._publish("courses", doc, vector)
