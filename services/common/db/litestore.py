"""litemongo's SQLite store with connections any thread may use (one thread at a time).

litemongo opens each collection file with ``sqlite3.connect(path)``, which binds the connection
to the thread that opened it. litemongo also keeps, per connection, an in-memory hash index of
each collection, rebuilt from every document whenever ``PRAGMA data_version`` says another
connection has committed to the file. With one client per request thread nearly every query
after another thread's write paid that rebuild (O(collection), under the store lock). One client
per process, shared by its threads, rebuilds only after another process (the other gunicorn
worker) has written: this process's own writes go through the same connection, which mongomock
keeps its index in step with as it writes.

Why sharing the connections is safe here:

- every use runs under the directory's :class:`~services.common.db.lock.StoreLock` (see
  :mod:`.embedded`), so no two threads ever use a connection at once;
- a mongomock cursor reads its whole result into a list on its first ``next()`` and an
  aggregation its input when called (both under the lock: ``_SerialisedCursor``), so no SQLite
  statement stays half-read while the lock is released;
- litemongo commits each write inside the call that makes it (``with connection:``), so no
  SQLite transaction is ever left open for another thread to join or end;
- the client is per process (:class:`~services.common.db.embedded.EmbeddedClient` keys it by
  pid): SQLite connections must not be used across ``fork``.

The seam is the store litemongo's ``MongoClient`` accepts; only :meth:`CollectionStore.open`
is litemongo's own code again, with ``check_same_thread=False`` (pinned: litemongo==0.2.0).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from litemongo import sqlite_store  # type: ignore[attr-defined]


class CollectionStore(sqlite_store.CollectionStore):  # type: ignore[misc]
    """A collection file whose connection is not bound to the thread that opened it."""

    def open(self) -> None:
        """Open the file as litemongo does, save for the thread check."""
        self._connection = sqlite3.connect(self._path, check_same_thread=False)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._cur = self._connection.cursor()
        key_format = self._init_info()
        self._documents = sqlite_store.TableDict(
            self.DOCUMENTS,
            self._connection,
            self._cur,
            codec_options=self._codec_options,
            key_format=key_format,
        )
        self.indexes = sqlite_store.IndexDict(
            self.INDEXES,
            self._connection,
            self._cur,
            codec_options=self._codec_options,
            key_format=key_format,
        )
        row = self._connection.execute(
            f"SELECT value FROM {self.INFO} WHERE key = 'force_created'"  # nosec
        ).fetchone()
        self._is_force_created = bool(row and row[0])
        # TTL indexes are only kept in memory by mongomock, so restore them from disk
        self._ttl_indexes = {
            name: index
            for name, index in self.indexes.items()
            if index.get("expireAfterSeconds") is not None
        }
        self._query_index = None
        self._data_version = None


class DatabaseStore(sqlite_store.DatabaseStore):  # type: ignore[misc]
    """A database directory whose collections are :class:`CollectionStore` files."""

    def __getitem__(self, col_name: str) -> CollectionStore:
        if col_name not in self._collections:
            self._collections[col_name] = CollectionStore(
                self._dirpath / col_name, codec_options=self._codec_options
            )
        found: CollectionStore = self._collections[col_name]
        return found


class ServerStore(sqlite_store.ServerStore):  # type: ignore[misc]
    """A store directory whose databases are :class:`DatabaseStore` directories."""

    def __getitem__(self, db_name: str) -> DatabaseStore:
        if db_name not in self._databases:
            self._databases[db_name] = DatabaseStore(self._dirpath / db_name)
        found: DatabaseStore = self._databases[db_name]
        return found


def shared_client(path: Path) -> Any:
    """Return a litemongo client of the store at ``path`` that any thread may use serially."""
    import litemongo

    return litemongo.MongoClient(ServerStore(path))  # type: ignore[attr-defined]
