"""A banner on the pages that depend on the matcher while it is still indexing the catalogue.

On a first start the matcher answers within seconds but needs minutes to embed the catalogue;
pages say so in their own language instead of leaving people to wonder why lists are short.
The matcher's progress is read at most every few seconds per gateway worker.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app, request

from gateway.auth import current_principal
from gateway.proxy import proxy_of_app
from services.common.errors import Problem

from . import bp

REFRESH_SECONDS = 5.0
# Pages whose answers come from the matcher's indexes.
ROLES = frozenset({"learner", "employer"})

_guard = threading.Lock()


def matcher_progress() -> dict[str, Any] | None:
    """Return the matcher's indexing progress (None when it is done or does not answer)."""
    _cache: dict[str, Any] = current_app.extensions.setdefault(
        "qabilet_indexing", {"at": -REFRESH_SECONDS, "value": None}
    )
    now = time.monotonic()
    with _guard:
        if now - _cache["at"] < REFRESH_SECONDS:
            return _cache["value"]
        _cache["at"] = now
    value: dict[str, Any] | None = None
    try:
        answer = proxy_of_app().send("matcher", "GET", "/sync/status")
        data = answer.json() if answer.status == 200 else None
        info = (data or {}).get("indexing") if isinstance(data, dict) else None
        value = still_indexing(info)
    except Problem:  # the matcher is down: the pages' own calls say so
        value = None
    with _guard:
        _cache["value"] = value
    return value


def still_indexing(info: Any) -> dict[str, Any] | None:
    """Return the matcher's ``indexing`` summary while a banner is due, else None.

    Due until every change is read, then while first-passed items are refined (their ranking is
    provisional until then: services/matcher/sync/refine.py). The label stages that go on after
    that (alt and occupation labels) refine tagging a little and need no banner.
    """
    if not isinstance(info, dict):
        return None
    caught_up = info.get("caught_up", info.get("done"))
    if caught_up and not int((info.get("refine") or {}).get("queued") or 0):
        return None
    return info


@bp.app_context_processor
def indexing_banner() -> dict[str, Any]:
    """Give learner and employer pages the matcher's progress while it indexes."""
    if not request or request.path.startswith(("/api/", "/static/")):
        return {"indexing": None}
    principal = current_principal()
    if principal is None or principal.role not in ROLES:
        return {"indexing": None}
    return {"indexing": matcher_progress()}
