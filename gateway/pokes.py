"""Tell the matcher at once when a person changed their own learner or vacancy record.

The matcher follows the owners' feeds, which can be thousands of events behind after an
import. A learner's own edit (CV, skills, consent, region) or an employer's (a vacancy changed,
closed, reopened, deleted) must show in recommendations and candidate lists within seconds, so
after forwarding it the gateway pokes ``POST /sync/priority`` with the id, off the request thread.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

from .proxy import Proxy
from .transport import Upstream

log = logging.getLogger("qabilet.gateway.pokes")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Past this many waiting pokes the matcher is down or swamped: the feed will carry the change.
MAX_WAITING = 1000


class Pokes:
    """A small pool that sends priority pokes to the matcher, dropping them when backed up."""

    def __init__(self, proxy: Proxy, *, enabled: bool = True) -> None:
        self.proxy = proxy
        self.enabled = enabled
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="matcher-poke")
        self.waiting = 0
        self.sent = 0
        self.failed = 0
        self.closed = False
        self._guard = threading.Lock()

    def after_write(
        self, service: str, method: str, params: dict[str, str], answer: Upstream
    ) -> None:
        """Poke the matcher if ``answer`` acknowledged a change to a learner or a vacancy."""
        if not self.enabled or method not in WRITES or not 200 <= answer.status < 300:
            return
        kind, item = _changed_item(service, method, params, answer)
        if kind is not None and item is not None:
            self.changed(kind, item)

    def changed(self, kind: str, item: str) -> None:
        """Poke the matcher about one learner or vacancy that was just created or changed."""
        if not self.enabled:
            return
        with self._guard:
            if self.closed or self.waiting >= MAX_WAITING:
                return
            self.waiting += 1
        self.pool.submit(self._send, kind, item)

    def close(self) -> None:
        """Stop poking: drop the pokes not started yet and wait for those in flight."""
        with self._guard:
            self.closed = True
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _send(self, kind: str, item: str) -> None:
        try:
            # Every matcher replica keeps its own copy, so each one hears about the change.
            replicas = self.proxy.replica_count("matcher")
            ok = True
            for replica in range(replicas):
                answer = self.proxy.call_json(
                    "matcher",
                    "POST",
                    "/sync/priority",
                    {"kind": kind, "id": item},
                    replica=replica if replicas > 1 else None,
                )
                ok = ok and answer.status < 300
        except Exception as exc:  # the feed carries the change anyway; never fail a request
            ok = False
            log.info("priority poke failed", extra={"fields": {"id": item, "error": str(exc)}})
        finally:
            # Pokes are rare: a kept-alive connection would outlive the gateway it served.
            release = getattr(self.proxy.transport, "release_thread", None)
            if release is not None:
                release()
        with self._guard:
            self.waiting -= 1
            self.sent += ok
            self.failed += not ok


def _changed_item(
    service: str, method: str, params: dict[str, str], answer: Upstream
) -> tuple[str | None, str | None]:
    if service == "learner" and "learner_id" in params:
        return "learner", params["learner_id"]
    if service == "jobs" and "vacancy_id" in params:
        return "vacancy", params["vacancy_id"]
    if service == "jobs" and method == "POST" and not params:
        body: Any = answer.json()
        if isinstance(body, dict) and "employer_id" in body and isinstance(body.get("id"), str):
            return "vacancy", body["id"]  # a new vacancy: its employer looks for candidates next
    return None, None


def init_pokes(app: Flask, proxy: Proxy, *, enabled: bool = True) -> Pokes:
    """Attach the poke pool to ``app``."""
    pokes = Pokes(proxy, enabled=enabled)
    app.extensions["qabilet_pokes"] = pokes
    return pokes


def pokes_of_app() -> Pokes:
    """Return the poke pool of the running app."""
    pokes: Pokes = current_app.extensions["qabilet_pokes"]
    return pokes
