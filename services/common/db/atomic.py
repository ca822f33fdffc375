"""``atomic(alias)``: a block of store operations with no other writer of the store in between."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator

from mongoengine.connection import get_db

from .connections import is_embedded
from .lock import StoreLock

LEASE_SECONDS = 30.0
_LEASE_DEPTH = threading.local()


@contextlib.contextmanager
def atomic(alias: str) -> Iterator[None]:
    """Run a block of store operations with no other writer of ``alias`` in between.

    Embedded: the store lock itself. Real server: a lease document per database, because the
    change feed needs its sequence numbers to become visible in order (a reader that saw seq 6
    must never later find seq 5), and mongoengine has no multi-document transactions.
    """
    db = get_db(alias)
    if is_embedded(alias):
        lock: StoreLock = db.client.lock
        with lock:
            yield
        return
    depth: dict[str, int] = _LEASE_DEPTH.__dict__.setdefault("by_alias", {})
    if depth.get(alias, 0):
        # Re-entrant like the embedded lock: append_event() nests inside the caller's block.
        depth[alias] += 1
        try:
            yield
        finally:
            depth[alias] -= 1
        return
    owner = uuid.uuid4().hex
    locks = db["_locks"]
    deadline = time.monotonic() + LEASE_SECONDS
    while True:
        now = time.time()
        try:
            got = locks.find_one_and_update(
                {"_id": "atomic", "$or": [{"until": {"$lt": now}}, {"owner": None}]},
                {"$set": {"owner": owner, "until": now + LEASE_SECONDS}},
                upsert=True,
            )
        except Exception as exc:  # DuplicateKeyError: someone else holds the lease
            if type(exc).__name__ != "DuplicateKeyError":
                raise
            got = None
        if got is not None or locks.find_one({"_id": "atomic", "owner": owner}):
            break
        if time.monotonic() > deadline:
            raise TimeoutError("could not obtain the store lease")
        time.sleep(0.002)
    depth[alias] = 1
    try:
        yield
    finally:
        depth[alias] = 0
        locks.update_one({"_id": "atomic", "owner": owner}, {"$set": {"owner": None}})
