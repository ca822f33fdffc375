"""The matcher's app factory."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from services.common.app import create_service_app
from services.matcher.bridge import WorkerBridge
from services.matcher.embedding import Embedder
from services.matcher.engine import Matcher
from services.matcher.models import ALIAS
from services.matcher.priority_views import bp as priority_bp
from services.matcher.reports_views import bp as reports_bp  # ministry hook
from services.matcher.settings import Settings
from services.matcher.sync import Sync
from services.matcher.views import bp

log = logging.getLogger("qabilet.matcher")


def create_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    learner_client: Any = None,
    jobs_client: Any = None,
) -> Flask:
    """Build the matcher app; outside tests it rebuilds its indexes and follows the feeds."""
    settings = settings or Settings.from_env()
    app = create_service_app(
        "matcher",
        settings,
        alias=ALIAS,
        blueprints=[bp, reports_bp, priority_bp],
        title="Qabilet matcher",
        feed=False,
    )
    matcher = Matcher(
        settings, embedder=embedder, learner_client=learner_client, jobs_client=jobs_client
    )
    app.extensions["matcher"] = matcher
    if settings.testing:
        # Tests load and sync explicitly (matcher.load(), sync.sync_once()), in this process.
        sync = Sync(matcher)
        matcher.fetch_learner = sync.fetch_learner
        matcher.fetch_vacancy = sync.fetch_vacancy
        app.extensions["matcher_sync"] = sync
        matcher.load()
    else:
        # Everything slow (ESCO, label embeddings, feeds, tagging) runs in a worker process;
        # this one only answers from its indexes (see worker.py).
        bridge = WorkerBridge(matcher)
        matcher.remote = bridge
        matcher.fetch_learner = bridge.fetcher("learner")
        matcher.fetch_vacancy = bridge.fetcher("vacancy")
        app.extensions["matcher_sync"] = bridge
        threading.Thread(
            target=_start, args=(matcher, bridge), name="matcher-start", daemon=True
        ).start()
    return app


def _start(matcher: Matcher, bridge: WorkerBridge) -> None:
    """Start the worker at once, rebuild the indexes from the store, then mirror its changes."""
    bridge.start()
    try:
        counts = matcher.load()
        log.info("indexes rebuilt: %s", counts)
    except Exception:
        log.exception("index rebuild failed")
        return
    bridge.loaded()
