"""Snapshots of the web process's indexes, saved as changes arrive, with the cursors they reflect.

The cursor rule: a snapshot records, per feed, the cursor the worker sent *after* sending the
changes of every event up to it (sync/worker.py sends ``("cursor", feed, seq)`` before fetching
the page after ``seq``; the pipe keeps order and one reader thread applies messages in order),
read *before* the arrays are copied. So every event up to the saved cursors is in the snapshot,
and a change applied while the arrays are written belongs to a later event, which the restart
replays. Replaying an event that is already in the snapshot is harmless: every handler is an
upsert of the full item (or a removal), so applying it twice leaves the same row.

Saves are due after ``QABILET_SNAPSHOT_EVERY`` changes (but never taking more than a tenth of
the time: after a save of s seconds the next count-triggered one waits 10 s x s), after
``QABILET_SNAPSHOT_QUIET`` seconds without changes when some are unsaved, and at a clean exit.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.matcher.recommend.state import Matcher
from services.matcher.settings import Settings
from services.matcher.sync import snapshot
from services.matcher.sync.bridge import WorkerBridge

log = logging.getLogger("qabilet.matcher.snapshot")

#: Both feeds must have a known cursor before a snapshot can say what it reflects.
FEEDS = frozenset({"jobs", "learner"})
#: A count-triggered save waits this many times the last save's duration after it.
SAVE_SHARE = 10.0
TICK_S = 1.0


def snapshot_dir(settings: Settings) -> Path:
    """Return where the matcher keeps its snapshot."""
    return Path(settings.snapshot_dir or settings.data_dir / "snapshot")


def iso(ts: float | None) -> str | None:
    """Return a Unix time as an ISO-8601 UTC string."""
    return datetime.fromtimestamp(ts, UTC).isoformat() if ts else None


class Checkpoints:
    """Saves the indexes of one web process with the feed cursors they reflect."""

    def __init__(
        self,
        matcher: Matcher,
        bridge: WorkerBridge,
        directory: Path,
        *,
        restored: dict[str, int] | None,
    ) -> None:
        self.m = matcher
        self.bridge = bridge
        self.directory = directory
        self.every = matcher.settings.snapshot_every
        self.quiet = matcher.settings.snapshot_quiet
        self._lock = threading.Lock()
        # What the last save (or the restored snapshot) holds: the changes counter and cursors.
        self.saved_applied = 0
        self.saved_cursors = dict(restored) if restored is not None else None
        self.last: dict[str, Any] | None = None
        self.saves = 0
        self.error: str | None = None
        self._not_before = 0.0
        self._stop = threading.Event()

    def pending(self) -> int:
        """Return how many index changes arrived since the last save."""
        applied, _ = self.bridge.position()
        return applied - self.saved_applied

    def dirty(self) -> bool:
        """Return whether the indexes hold changes or cursors no snapshot has."""
        applied, cursors = self.bridge.position()
        return applied != self.saved_applied or cursors != self.saved_cursors

    def due(self, now: float) -> bool:
        """Return whether a save is due at monotonic time ``now``."""
        if not self.every or not self.dirty():
            return False
        if self.pending() >= self.every and now >= self._not_before:
            return True
        return now - self.bridge.last_change >= self.quiet

    def save(self, why: str) -> dict[str, Any] | None:
        """Save a snapshot now if the indexes hold unsaved changes; return its summary."""
        with self._lock:
            applied, cursors = self.bridge.position()
            if not FEEDS <= cursors.keys():
                return None  # the worker has not said where both feeds stand yet
            if applied == self.saved_applied and cursors == self.saved_cursors:
                return None
            try:
                summary = snapshot.save(self.m, self.directory, cursors)
            except Exception as exc:  # a full disk must not stop the service; try again later
                log.exception("snapshot not saved")
                self.error = repr(exc)
                self._not_before = time.monotonic() + 60.0
                return None
            self.saved_applied, self.saved_cursors = applied, cursors
            self.saves += 1
            self.error = None
            self._not_before = time.monotonic() + SAVE_SHARE * float(summary["seconds"])
            self.last = {
                **summary,
                "why": why,
                "cursors": cursors,
                "changes": applied,
                "saved_at": iso(time.time()),
            }
            return self.last

    def run(self) -> None:
        """Save whenever one is due, until stopped."""
        while not self._stop.wait(TICK_S):
            if self.due(time.monotonic()):
                self.save("changes" if self.pending() >= self.every else "quiet")

    def start(self) -> None:
        """Save in a background thread, and once more at a clean exit."""
        if not self.every:
            return
        threading.Thread(target=self.run, name="matcher-snapshot", daemon=True).start()
        atexit.register(self.close)

    def close(self) -> None:
        """Stop saving; save the unsaved changes (a clean exit costs one save, if any)."""
        self._stop.set()
        if self.every and self.dirty():
            self.save("shutdown")

    def status(self) -> dict[str, Any]:
        """Return what /sync/status shows of the snapshots."""
        applied, cursors = self.bridge.position()
        return {
            "directory": str(self.directory),
            "every": self.every,
            "quiet_s": self.quiet,
            "saves": self.saves,
            "last": self.last,
            "unsaved_changes": applied - self.saved_applied,
            "cursors_applied": cursors,
            "error": self.error,
        }


def restore_or_rebuild(
    matcher: Matcher, directory: Path
) -> tuple[dict[str, Any] | None, str | None]:
    """Restore the snapshot into the matcher: (its metadata, None), or (None, why to rebuild).

    Never raises: a missing, stale or corrupt snapshot is logged with its reason and the half
    filled indexes are discarded.
    """
    try:
        meta = snapshot.restore(matcher, directory)
    except snapshot.Unusable as exc:
        reason = exc.reason
    except Exception as exc:  # the store itself failed: the rebuild will say more
        log.exception("snapshot restore failed")
        reason = f"restore failed: {exc!r}"
    else:
        return meta, None
    log.warning("starting without a snapshot (%s): rebuilding the indexes", reason)
    matcher.reset_indexes()
    matcher.state = "new"
    return None, reason


def start_info(meta: dict[str, Any] | None, reason: str | None, seconds: float) -> dict[str, Any]:
    """Return what /sync/status shows of how this process's indexes were filled."""
    if meta is None:
        return {"source": "rebuild", "reason": reason, "seconds": round(seconds, 2)}
    saved_at = float(meta.get("saved_at") or 0)
    return {
        "source": "snapshot",
        "saved_at": iso(saved_at),
        "age_at_start_s": round(time.time() - saved_at, 1) if saved_at else None,
        "cursors": meta["cursors"],
        "load_seconds": meta.get("load_seconds"),
        "seconds": round(seconds, 2),
    }
