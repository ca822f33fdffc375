"""Index snapshots: vectors, filter columns, skill matrices and HNSW graphs with their feed cursors.

A snapshot is a directory written beside the old one and renamed into place, so a crash leaves
the previous snapshot whole. It records the feed cursors read *before* the state was copied:
every event up to them is in the snapshot, and the events after them are replayed on start
(the handlers are upserts, so an event that was already in the snapshot changes nothing).

Start-up, before the feed followers start (``app._start`` in place of ``rebuild_indexes``):

    if not snapshot.restore(matcher, settings.data_dir / "snapshot"):
        rebuild_indexes(matcher)

Checkpoint (periodically, from the process that holds the indexes):

    snapshot.save(matcher, settings.data_dir / "snapshot", cursors)

where ``cursors`` must be feed positions whose every change has been applied to these
indexes: in the web process, the cursors the worker sends *after* the changes they cover
(the pipe keeps order), not the worker's stored cursors, which may run ahead of the pipe.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from services.matcher.ml.index import VectorIndex

log = logging.getLogger("qabilet.matcher.snapshot")

# 2: the course index has a teaching-language column; older snapshots are rebuilt.
FORMAT = 2
INDEXES = ("vacancies", "learners", "courses")


def _save_index(index: VectorIndex, out: Path) -> dict[str, Any]:
    """Write one index into ``out``; return its metadata.

    Only the graph is written under the index lock (hnswlib must not add while it saves); the
    arrays are written from references taken under it. A row a feed thread rewrites meanwhile
    may be saved half old, half new, but its event is after the cursors read before saving, so
    the replay on start writes it again.
    """
    out.mkdir(parents=True)
    with index.lock:
        n = index.n
        vecs, alive, cols = index.vecs, index.alive, dict(index.cols)
        ids = list(index.ids[:n])
        building = index.ann_building
    np.save(out / "vecs.npy", vecs[:n])
    np.save(out / "alive.npy", alive[:n])
    for key, arr in cols.items():
        np.save(out / f"col_{key}.npy", arr[:n])
    for key, arr in index.skills.state().items():
        np.save(out / f"skills_{key}.npy", arr)
    # A graph still being built is left out: the loader builds it again above the threshold.
    with index.lock:
        has_ann = index.ann is not None and not building
        max_elements = index.ann.get_max_elements() if has_ann else 0
        if has_ann:
            index.ann.save_index(str(out / "hnsw.bin"))
    return {
        "n": n,
        "dim": index.dim,
        "ids": ids,
        "columns": {k: str(v) for k, v in index.dtypes.items()},
        "ann": has_ann,
        "ann_max_elements": max_elements,
    }


def save(matcher: Any, directory: Path, cursors: dict[str, int]) -> dict[str, Any]:
    """Write the matcher's index state with the feed cursors it reflects; return the summary."""
    t0 = time.perf_counter()
    directory = Path(directory)
    tmp = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    meta: dict[str, Any] = {
        "format": FORMAT,
        "model": matcher.model_name,
        "cursors": dict(cursors),
        "saved_at": time.time(),
        "indexes": {},
    }
    for name in INDEXES:
        meta["indexes"][name] = _save_index(getattr(matcher, name), tmp / name)
    meta["vocab"] = list(matcher.vocab.keys)
    meta["labels"] = dict(matcher.labels)
    meta["region_codes"] = dict(matcher.region_codes)
    meta["course_prereqs"] = {k: list(v) for k, v in matcher.course_prereqs.items()}
    (tmp / "meta.json").write_text(json.dumps(meta))
    old = directory.with_name(f"{directory.name}.old-{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
    size = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
    summary = {"seconds": round(time.perf_counter() - t0, 2), "mb": round(size / 1e6, 1)}
    log.info("snapshot written to %s: %s", directory, summary)
    return summary


def _load_index(index: VectorIndex, src: Path, meta: dict[str, Any]) -> None:
    """Fill an empty index from ``src``."""
    import hnswlib

    n = int(meta["n"])
    ids: list[str | None] = list(meta["ids"])
    with index.lock:
        index.dim = meta["dim"]
        vecs = np.load(src / "vecs.npy")
        index.vecs, index.n, index.capacity = vecs, n, n
        index.alive = np.load(src / "alive.npy")
        index.cols = {k: np.load(src / f"col_{k}.npy") for k in index.dtypes}
        index.ids = ids
        index.rows = {i: r for r, i in enumerate(ids) if i is not None}
        index.skills.load_state(
            {f.stem.removeprefix("skills_"): np.load(f) for f in src.glob("skills_*.npy")}
        )
        if meta["ann"] and index.dim:
            ann = hnswlib.Index(space="ip", dim=index.dim)
            ann.load_index(str(src / "hnsw.bin"), max_elements=int(meta["ann_max_elements"]))
            ann.set_num_threads(1)
            ann.set_ef(index.ann_params.ef_search)
            # Rows a feed added while the arrays were being written are not in them: their
            # events replay after the snapshot's cursors, so their graph nodes go.
            labels = np.asarray(ann.get_ids_list(), np.int64)
            for label in labels[labels >= n].tolist():
                ann.mark_deleted(label)
            index.ann = ann
    if index.ann is None:
        index.build_ann_if_due()


def load(matcher: Any, directory: Path) -> dict[str, int] | None:
    """Fill the matcher's empty indexes from a snapshot; return its cursors (None if unusable)."""
    directory = Path(directory)
    meta_path = directory / "meta.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    if meta.get("format") != FORMAT or meta.get("model") != matcher.model_name:
        log.info("snapshot %s is of another format or model: ignored", directory)
        return None
    t0 = time.perf_counter()
    for key in meta["vocab"]:
        matcher.vocab.col(key)
    matcher.labels.update(meta["labels"])
    matcher.region_codes.update(meta["region_codes"])
    matcher.course_prereqs.update({k: tuple(v) for k, v in meta["course_prereqs"].items()})
    for name in INDEXES:
        _load_index(getattr(matcher, name), directory / name, meta["indexes"][name])
    matcher.state = "ready"
    log.info("snapshot %s loaded in %.1f s", directory, time.perf_counter() - t0)
    return {str(k): int(v) for k, v in meta["cursors"].items()}


def restore(matcher: Any, directory: Path) -> bool:
    """Load a snapshot and move the stored feed cursors back to it, so only newer events replay.

    Call it before the feed followers (the worker) start: they read their cursors from the
    store and resume from the snapshot's.
    """
    from services.common.db import database
    from services.common.feed import CURSORS
    from services.matcher.db import ALIAS

    cursors = load(matcher, directory)
    if cursors is None:
        return False
    for name, seq in cursors.items():
        database(ALIAS)[CURSORS].update_one({"_id": name}, {"$set": {"seq": seq}}, upsert=True)
    return True
