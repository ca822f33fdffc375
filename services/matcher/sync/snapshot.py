"""Index snapshots: vectors, filter columns, skill matrices and HNSW graphs with their feed cursors.

A snapshot is a directory written beside the old one and renamed into place, so a crash leaves
the previous snapshot whole. It records the feed cursors read *before* the state was copied:
every event up to them is in the snapshot, and the events after them are replayed on start
(the handlers are upserts, so an event that was already in the snapshot changes nothing).

Start-up (``app._start``), before the worker starts following the feeds: ``restore`` loads
the snapshot and moves the stored cursors back to it, or raises ``Unusable`` (missing, another
format, embedder or dimension, corrupt, or ahead of the store), and the start rebuilds instead.

Checkpoints (``sync/checkpoint.py``, in the web process that holds the indexes) save with the
cursors the worker sent *after* the changes they cover (the pipe keeps order), never the
worker's stored cursors, which may run ahead of what the web process has applied.
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

# 2: the course index has a teaching-language column; 3: the vacancy index has an employment
# type column; 4: vacancy and learner rows pack language levels. Older snapshots are rebuilt.
FORMAT = 4
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
    # Read after the rows, so every column and region they use is in them; copied in one C
    # call first, because the reader thread may add to them meanwhile.
    meta["vocab"] = list(matcher.vocab.keys)
    meta["labels"] = dict(matcher.labels)
    meta["region_codes"] = dict(matcher.region_codes)
    meta["course_prereqs"] = {k: list(v) for k, v in dict(matcher.course_prereqs).items()}
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


class Unusable(Exception):
    """A snapshot that cannot be restored: missing, stale or corrupt (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_shapes(src: Path, meta: dict[str, Any], columns: Any) -> None:
    """Raise ValueError unless every array of one index has the rows its metadata states."""
    n, dim = int(meta["n"]), meta["dim"]
    if len(meta["ids"]) != n:
        raise ValueError(f"{src.name}: {len(meta['ids'])} ids for {n} rows")
    vecs = np.load(src / "vecs.npy", mmap_mode="r")
    if vecs.shape[0] != n or (n and vecs.shape[1] != dim):
        raise ValueError(f"{src.name}: vectors of shape {vecs.shape} for {n} rows of {dim}")
    for name in ("alive", *(f"col_{k}" for k in columns)):
        rows = np.load(src / f"{name}.npy", mmap_mode="r").shape[0]
        if rows != n:
            raise ValueError(f"{src.name}: {name} has {rows} rows, not {n}")
    if meta["ann"] and not (src / "hnsw.bin").is_file():
        raise ValueError(f"{src.name}: the HNSW graph is missing")


def _load_index(index: VectorIndex, src: Path, meta: dict[str, Any]) -> None:
    """Fill an empty index from ``src``."""
    import hnswlib

    _check_shapes(src, meta, index.dtypes)
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


def read_meta(
    directory: Path, model: str, dim: int | None, *, check_dim: bool = True
) -> dict[str, Any]:
    """Return a snapshot's metadata, or raise Unusable saying why it cannot be restored.

    ``dim`` is the dimension the embedding cache holds for ``model`` (None: it holds none to
    compare with; a store reset since the save is caught by the cursors instead).
    """
    meta_path = Path(directory) / "meta.json"
    if not meta_path.exists():
        raise Unusable(f"no snapshot in {directory}")
    try:
        meta = json.loads(meta_path.read_text())
        if not isinstance(meta, dict):
            raise ValueError("meta.json is not an object")
        indexes = meta["indexes"]
        cursors = {str(k): int(v) for k, v in meta["cursors"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Unusable(f"corrupt snapshot metadata: {exc!r}") from exc
    if meta.get("format") != FORMAT:
        raise Unusable(f"snapshot format {meta.get('format')!r}, this code reads {FORMAT}")
    if meta.get("model") != model:
        raise Unusable(f"snapshot of embedder {meta.get('model')!r}, the matcher runs {model!r}")
    for name in INDEXES:
        info = indexes.get(name) if isinstance(indexes, dict) else None
        if not isinstance(info, dict):
            raise Unusable(f"corrupt snapshot metadata: no {name} index")
        if not check_dim:
            continue
        if info.get("n") and dim is not None and info.get("dim") != dim:
            raise Unusable(f"snapshot {name} vectors of dimension {info.get('dim')}, not {dim}")
    meta["cursors"] = cursors
    return meta


def load_checked(
    matcher: Any, directory: Path, dim: int | None, *, check_dim: bool = True
) -> dict[str, Any]:
    """Fill the matcher's empty indexes from a snapshot; return its metadata, or raise Unusable.

    On Unusable the indexes may be half filled: the caller discards them (``reset_indexes``).
    """
    directory = Path(directory)
    meta = read_meta(directory, matcher.model_name, dim, check_dim=check_dim)
    t0 = time.perf_counter()
    try:
        for key in meta["vocab"]:
            matcher.vocab.col(key)
        matcher.labels.update(meta["labels"])
        matcher.region_codes.update(meta["region_codes"])
        matcher.course_prereqs.update({k: tuple(v) for k, v in meta["course_prereqs"].items()})
        for name in INDEXES:
            _load_index(getattr(matcher, name), directory / name, meta["indexes"][name])
    except Exception as exc:  # a truncated or foreign file: any error means "rebuild"
        raise Unusable(f"corrupt snapshot: {exc!r}") from exc
    matcher.state = "ready"
    meta["load_seconds"] = round(time.perf_counter() - t0, 2)
    log.info("snapshot %s loaded in %.2f s", directory, meta["load_seconds"])
    return meta


def load(matcher: Any, directory: Path) -> dict[str, int] | None:
    """Fill the matcher's empty indexes from a snapshot; return its cursors (None if unusable).

    For the benchmarks (no store): the dimension is not checked against the embedding cache.
    """
    try:
        meta = load_checked(matcher, directory, None, check_dim=False)
    except Unusable as exc:
        log.info("snapshot %s not loaded: %s", directory, exc)
        return None
    return dict(meta["cursors"])


def stored_cursors() -> dict[str, int]:
    """Return the feed cursors stored in the matcher's database (the worker's positions)."""
    from services.common.db import database
    from services.common.feed import CURSORS
    from services.matcher.db import ALIAS

    return {str(d["_id"]): int(d["seq"]) for d in database(ALIAS)[CURSORS].find({})}


def cached_dim(model: str) -> int | None:
    """Return the dimension of the vectors the embedding cache holds for ``model``, if any."""
    from services.common.db import database
    from services.matcher.db import ALIAS
    from services.matcher.sync.cache import COLLECTION

    entry = database(ALIAS)[COLLECTION].find_one({"m": model}, {"d": 1})
    return int(entry["d"]) if entry and entry.get("d") else None


def restore(matcher: Any, directory: Path) -> dict[str, Any]:
    """Load a snapshot and move the stored feed cursors back to it, so only newer events replay.

    Call it before the feed followers (the worker) start: they read their cursors from the
    store and resume from the snapshot's. Raises Unusable (indexes possibly half filled) when
    the snapshot is missing, stale or corrupt, or claims events the store has never seen (the
    store was reset after it was written).
    """
    from services.common.db import database
    from services.common.feed import CURSORS
    from services.matcher.db import ALIAS

    dim = cached_dim(matcher.model_name)
    stored = stored_cursors()
    meta = read_meta(directory, matcher.model_name, dim)
    ahead = {k: v for k, v in meta["cursors"].items() if v > stored.get(k, 0)}
    if ahead:
        raise Unusable(f"snapshot cursors {ahead} are ahead of the store's {stored}")
    meta = load_checked(matcher, directory, dim)
    for name, seq in meta["cursors"].items():
        database(ALIAS)[CURSORS].update_one({"_id": name}, {"$set": {"seq": seq}}, upsert=True)
    return meta
