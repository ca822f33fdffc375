"""The worker's interactive lane: extraction, title matching and a person's own re-reads.

Requests from the web process run on a small thread pool ahead of everything else; while one
runs, the background lanes (label warm-up, feed backlog) wait between small slices.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from services.matcher.ml.threads import request_threads
from services.matcher.recommend.state import Matcher
from services.matcher.sync.feeds import Sync
from services.matcher.sync.relay import Send

log = logging.getLogger("qabilet.matcher.worker")


class InteractiveLane:
    """Runs the web process's calls first; background lanes pause while one runs."""

    def __init__(
        self, matcher: Matcher, sync: Sync, send: Send, progress: Callable[[], dict[str, Any]]
    ) -> None:
        self.m = matcher
        self.sync = sync
        self.send = send
        self.progress = progress
        self._running = 0
        self._idle = threading.Condition()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="interactive")

    def wait(self) -> None:
        """Block a background lane while an interactive job runs (at most a second a slice)."""
        with self._idle:
            self._idle.wait_for(lambda: self._running == 0, timeout=1.0)

    def submit(self, req_id: int, op: str, args: dict[str, Any]) -> None:
        """Run one call on the pool; its reply goes down the pipe when done."""
        self._pool.submit(self._job, req_id, op, args)

    def _job(self, req_id: int, op: str, args: dict[str, Any]) -> None:
        pause = bool(args.get("pause", True))
        if pause:
            with self._idle:
                self._running += 1
        try:
            result: Any = ("ok", self._run(op, args))
        except Exception as exc:  # the caller turns it into a problem response
            log.exception("interactive %s failed", op)
            result = ("error", repr(exc))
        finally:
            if pause:
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()
        self.send(("reply", req_id, result))

    def _run(self, op: str, args: dict[str, Any]) -> Any:
        if op == "extract":
            with request_threads():  # the second core when nothing else wants it (ml/embedding)
                return self._extract(args)
        if op == "match":
            om = self.m.occupation_matcher()
            if om is None:
                return None
            with request_threads():
                ranked = om.match(args["title"], top_k=args.get("top_k", 10))
            return [{"uri": o.uri, "label": o.label, "score": o.score} for o in ranked]
        if op == "priority":
            return self.sync.priority(args["kind"], args["id"], quick=bool(args.get("quick")))
        if op == "status":
            return self.progress()
        raise ValueError(f"unknown operation {op}")

    def _extract(self, args: dict[str, Any]) -> list[dict[str, Any]] | None:
        ex = self.m.extractor()
        if ex is None:
            return None
        found = ex.extract(
            args["text"],
            lang=args.get("lang"),
            top_k=args.get("top_k", 10),
            min_confidence=args.get("min_confidence"),
        )
        return [
            {
                "uri": e.uri,
                "label": e.label,
                "confidence": e.confidence,
                "evidence_sentence": e.evidence_sentence,
                "matched": getattr(e, "matched", None),
                "source": getattr(e, "source", None),
            }
            for e in found
        ]
