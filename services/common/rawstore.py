"""Raw documents straight from the store, below mongoengine: bulk reads and scrubbing.

The in-memory read models (``listing.py``) load and refresh whole collections, and deletion
must leave no bytes of personal data in the embedded store's files. Both need the store itself,
not a query through mongomock's engine; on a real MongoDB server they are plain queries.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from mongoengine.connection import get_db

# The submodules, not the package: ``db.records`` reads through this module while the package
# is still being imported.
from .db.atomic import atomic
from .db.connections import bound_store, database, is_embedded

_log = logging.getLogger("qabilet.db")


def store_key(alias: str) -> tuple[str, str]:
    """Return what identifies the store behind ``alias`` (in-process caches key on it)."""
    return bound_store(alias).key


def fetch_by_ids(alias: str, collection: str, ids: Iterable[Any]) -> list[dict[str, Any]]:
    """Return the raw documents of ``collection`` with these ids (missing ones are skipped).

    Embedded: a primary-key read of the SQLite file, which needs no in-process index at all (a
    mongomock query first brings that index up to date with the other worker's writes: a patch
    of the changed documents, see :mod:`services.common.db.changelog`). Real server: an ``$in``
    query on ``_id``.
    """
    wanted = list(ids)
    if not wanted:
        return []
    db = get_db(alias)
    if not is_embedded(alias):
        return list(db[collection].find({"_id": {"$in": wanted}}))
    with db.client.lock:
        store = db.client.store_client()._store[db.name]
        if collection not in store:
            return []
        return list(store[collection]._documents.get_many(wanted))


def fetch_one(alias: str, collection: str, doc_id: Any) -> dict[str, Any] | None:
    """Return the raw document of ``collection`` with this id, or None (as ``fetch_by_ids``)."""
    found = fetch_by_ids(alias, collection, [doc_id])
    return found[0] if found else None


def all_documents(alias: str, collection: str) -> list[dict[str, Any]]:
    """Return every raw document of ``collection`` in natural order (a full load).

    Embedded: straight from the SQLite file in row order, the order mongomock's ``find({})``
    gives, without its filter pass and per-document deep copy (a third of the time here).
    """
    db = get_db(alias)
    if not is_embedded(alias):
        return list(db[collection].find({}))
    with db.client.lock:
        store = db.client.store_client()._store[db.name]
        if collection not in store:
            return []
        return list(store[collection]._documents.values())


def scrub(alias: str, collections: Iterable[str]) -> None:
    """Rewrite embedded store files so deleted or overwritten data leaves no bytes behind.

    SQLite keeps old row images in free pages and in its write-ahead log; VACUUM rebuilds the
    file from live rows only and a TRUNCATE checkpoint empties the log. The cost grows with the
    file, which is acceptable for deletions (rare) on the embedded store (development and small
    deployments). A real MongoDB server reclaims space on its own schedule (``compact``).
    """
    if not is_embedded(alias):
        return
    db = database(alias)
    with atomic(alias):
        store = db.client.store_client()._store[db.name]
        for name in collections:
            connection = store[name]._connection
            for attempt in range(3):
                try:
                    connection.execute("VACUUM")
                    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    break
                except sqlite3.OperationalError as exc:
                    # Another connection may still be finishing a read of this file.
                    if attempt == 2:
                        _log.warning("could not scrub %s: %s", name, exc)
                    time.sleep(0.05)
