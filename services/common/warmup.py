"""Warm a worker's in-memory read models and report tallies right after it starts.

A gunicorn worker builds its read models (services.common.listing) and the ministry's report
tallies on first use. Cold, that first use cost the first users of a fresh start several seconds
each (measured with `make load` 100 s after `make run`: GET /courses p99 8 s, the providers
report 10 s and a 504, and every other request of the service waiting behind them), while a
second run a minute later had a p99 of 140 ms. Each worker now does that work on a background
thread as it starts, before anyone asks; a request arriving meanwhile builds nothing twice (the
read models and tallies have their own locks) and simply gets the warm answer sooner.

Off under ``QABILET_TESTING`` (as every background thread) and with ``QABILET_WARM_UP=0``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from flask import Flask

log = logging.getLogger("qabilet.warmup")

#: A named piece of warming: a call that builds (and keeps) some in-memory state of the app.
Step = tuple[str, Callable[[], object]]


def run(app: Flask, steps: Sequence[Step]) -> dict[str, float]:
    """Run each step inside the app's context; return the seconds each took.

    A step that fails is logged and skipped: the request path builds the same state on demand.
    """
    took: dict[str, float] = {}
    for name, step in steps:
        began = time.perf_counter()
        try:
            with app.app_context():
                step()
        except Exception:  # a warm-up never stops a worker; requests build the state themselves
            log.exception("warm-up step %s failed", name)
            continue
        took[name] = round(time.perf_counter() - began, 3)
    log.info("warm-up done: %s", took)
    return took


def start(app: Flask, steps: Sequence[Step]) -> threading.Thread:
    """Run ``steps`` on a daemon thread of this worker and return the thread."""
    thread = threading.Thread(target=run, args=(app, steps), name="warm-up", daemon=True)
    thread.start()
    return thread
