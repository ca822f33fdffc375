"""How far the worker's indexing is, summarised for /sync/status, `make status` and banners."""

from __future__ import annotations

from typing import Any


def indexing_summary(
    p: dict[str, Any],
    *,
    worker: dict[str, Any],
    interactive: dict[str, Any],
    start: dict[str, Any],
    snapshots: dict[str, Any] | None,
) -> dict[str, Any]:
    """Summarise the worker's last progress report ``p`` with the web process's own figures."""
    sync = p.get("sync") or {}
    feeds = sync.get("feeds") or {}
    first_pass = sync.get("first_pass") or {"active": False, "done": 0}
    refine = sync.get("refine") or {"queued": 0, "done": 0}
    queued = int(refine.get("queued") or 0)
    done_events = sum(int(f.get("cursor") or 0) for f in feeds.values())
    total_events = done_events + sum(int(f.get("lag") or 0) for f in feeds.values())
    started = "feeds_started" in (p.get("timings") or {})
    stage = p.get("stage", "starting")
    # Every published change is in the indexes (some perhaps from a first pass).
    caught_up = bool(p) and started and total_events == done_events
    complete = caught_up and stage == "full"
    labels = f"ESCO labels {p.get('labels_done', 0)} of {p.get('labels_total', 0)}"
    if not p:
        message = "the matcher is starting"
    elif complete and not queued:
        message = "the matcher is up to date"
    elif caught_up:
        # Every change is in; what is left refines them: first-passed items read in full (answers
        # on them say provisional) and the label stages (alt labels, occupation labels).
        left = [f"first-pass items {refine.get('done', 0)} done, {queued} to go"] if queued else []
        left += [labels] if stage != "full" else []
        message = f"the matcher has every change; refining: {', '.join(left)}"
    else:
        message = f"the matcher is still indexing: {done_events} of {total_events} changes"
        if first_pass.get("active"):
            message += f" (first pass: {first_pass.get('done', 0)} items, refined later)"
        if stage != "full":
            message += f", {labels}"
    return {
        "done": complete,
        "caught_up": caught_up,
        "stage": stage,
        "occupation_stage": p.get("occupation_stage", "none"),
        "events_done": done_events,
        "events_total": total_events,
        "first_pass": first_pass,
        "refine": refine,
        "refined": complete and not queued,
        "labels_done": p.get("labels_done", 0),
        "labels_total": p.get("labels_total", 0),
        "seconds": p.get("seconds"),
        "timings": p.get("timings", {}),
        "esco_error": p.get("esco_error"),
        **worker,
        "message": message,
        "interactive": interactive,
        "start": start,
        "snapshots": snapshots,
    }


def feed_status(p: dict[str, Any], indexing: dict[str, Any]) -> dict[str, Any]:
    """Return the feed status of the worker's last report ``p``, every key present."""
    sync = dict(p.get("sync") or {})
    sync.setdefault("feeds", {})
    sync.setdefault("handled", {})
    sync.setdefault("failed_events", 0)
    sync.setdefault("write_backs", 0)
    sync.setdefault("last_error", None)
    sync.setdefault("last_sync_at", None)
    sync["indexing"] = indexing
    return sync
