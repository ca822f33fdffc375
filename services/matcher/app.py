"""The matcher's app factory."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, cast

from flask import Flask

from services.common.app import create_service_app
from services.matcher.api.priority_views import bp as priority_bp
from services.matcher.api.reports_views import bp as reports_bp  # ministry hook
from services.matcher.api.views import bp
from services.matcher.db import ALIAS
from services.matcher.ml.embedding import Embedder
from services.matcher.recommend.state import Matcher
from services.matcher.settings import Settings
from services.matcher.sync.bridge import WorkerBridge
from services.matcher.sync.checkpoint import (
    Checkpoints,
    restore_or_rebuild,
    snapshot_dir,
    start_info,
)
from services.matcher.sync.feeds import Sync
from services.matcher.sync.rebuild import rebuild_indexes

log = logging.getLogger("qabilet.matcher")


def create_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    learner_client: Any = None,
    jobs_client: Any = None,
) -> Flask:
    """Build the matcher app; outside tests it restores or rebuilds its indexes, follows feeds."""
    settings = settings or Settings.from_env()
    app = create_service_app(
        "matcher",
        settings,
        alias=ALIAS,
        blueprints=[bp, reports_bp, priority_bp],
        title="Qabilet matcher",
        feed=False,
    )
    if settings.testing:
        # Tests load and sync explicitly (rebuild_indexes, sync.sync_once()), in this process.
        matcher = Matcher(
            settings,
            embedder=embedder,
            learner_client=learner_client,
            jobs_client=jobs_client,
            owners=Sync,
        )
        app.extensions["matcher"] = matcher
        app.extensions["matcher_sync"] = matcher.owners
        rebuild_indexes(matcher)
        return app
    # Everything slow (ESCO, label embeddings, feeds, tagging) runs in a worker process; this
    # one only answers from its indexes (see sync/worker.py).
    matcher = Matcher(
        settings,
        embedder=embedder,
        learner_client=learner_client,
        jobs_client=jobs_client,
        remote=WorkerBridge,
    )
    bridge = cast(WorkerBridge, matcher.remote)
    app.extensions["matcher"] = matcher
    app.extensions["matcher_sync"] = bridge
    threading.Thread(
        target=_start, args=(matcher, bridge), name="matcher-start", daemon=True
    ).start()
    return app


def _start(matcher: Matcher, bridge: WorkerBridge) -> None:
    """Fill the indexes from the snapshot (or rebuild them), start the worker, mirror its changes.

    A usable snapshot is restored *before* the worker starts: restoring moves the stored feed
    cursors back to the snapshot's, so the worker replays only the events after them. Without
    one the worker starts at once and the rebuild reads the copies it has stored.
    """
    t0 = time.monotonic()
    directory = snapshot_dir(matcher.settings)
    meta, reason = restore_or_rebuild(matcher, directory)
    if meta is not None:
        bridge.resume_from(meta["cursors"])
    bridge.start()
    if meta is None:
        try:
            counts = rebuild_indexes(matcher)
            log.info("indexes rebuilt: %s", counts)
        except Exception:
            log.exception("index rebuild failed")
            bridge.start_info = {"source": "rebuild", "reason": reason, "error": "failed"}
            return
    bridge.loaded()
    bridge.start_info = start_info(meta, reason, time.monotonic() - t0)
    log.info("matcher indexes ready: %s", bridge.start_info)
    checkpoints = Checkpoints(
        matcher, bridge, directory, restored=meta["cursors"] if meta is not None else None
    )
    bridge.snapshot_status = checkpoints.status
    checkpoints.start()
