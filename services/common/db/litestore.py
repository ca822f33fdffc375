"""litemongo's SQLite store with connections any thread may use (one thread at a time).

litemongo opens each collection file with ``sqlite3.connect(path)``, which binds the connection
to the thread that opened it. litemongo also keeps, per connection, an in-memory hash index of
each collection, rebuilt from every document whenever ``PRAGMA data_version`` says another
connection has committed to the file. With one client per request thread nearly every query
after another thread's write paid that rebuild (O(collection), under the store lock). One client
per process, shared by its threads, needs the index refreshed only after another process (the
other gunicorn worker) has written: this process's own writes go through the same connection,
which mongomock keeps its index in step with as it writes. That refresh is a patch (below).

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

Another process's commit costs the changed documents, not the collection: the file keeps a
change log (:mod:`.changelog`, triggers of SQLite's own), and when ``PRAGMA data_version`` says
another connection committed, :meth:`CollectionStore._get_query_index` patches the index with the
rows changed since the change this process last saw; it rebuilds as litemongo does only when
the log has been trimmed past that change (a process far behind) or the index is not in step.
The index after a patch is the one a rebuild would make: the same keys under every path, and the
same natural order (a row updated in place keeps its place; a new row's rowid is above every
row's that already existed, so the (re)created rows go last in rowid order).

The seam is the store litemongo's ``MongoClient`` accepts (pinned: litemongo==0.2.0). Of
litemongo's code, :meth:`CollectionStore.open` is its own again, with ``check_same_thread=False``
and the log installed; the patch uses these internals: ``_query_index`` (a vendored mongomock
``indexing.CollectionIndexes``: ``add`` replaces in place or appends, ``remove``, ``_docs`` the
keys it holds), ``_data_version`` and ``_query_index_is_stale`` (the ``data_version`` check),
``_documents._decode_doc``, the ``documents`` table's ``_id``/``doc`` columns holding encoded
keys in ROWID (natural) order, and mongomock's ``_get_query_index``, called after the patch so
that it finds the index current and only brings its paths in line with the declared indexes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from litemongo import sqlite_store  # type: ignore[attr-defined]

from . import changelog


class CollectionStore(sqlite_store.CollectionStore):  # type: ignore[misc]
    """A collection file any thread may use, whose index follows other processes' changes."""

    # How this process's index of the file was brought up to date (read by benchmarks, tests).
    rebuilds = 0  # from every document, as litemongo does
    patches = 0  # from the change log
    patched_keys = 0

    def open(self) -> None:
        """Open the file as litemongo does, save for the thread check, and install its log."""
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
        changelog.install(self._connection, self.DOCUMENTS)
        self._seen_change = 0  # the latest change the index reflects (set at each rebuild)
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

    def _get_query_index(self) -> Any:
        """Return the query index, patched from the log after another connection's commit."""
        stale = self._query_index_is_stale()
        if self._query_index is None or (stale and not self._apply_changes()):
            # The position first: whatever commits during the load is read again next time.
            self._query_index = None
            self._seen_change = changelog.last_id(self._connection)
            self.rebuilds += 1
        # Current now (mongomock's check sees no new commit): it only aligns the indexed paths.
        return super()._get_query_index()

    def _apply_changes(self) -> bool:
        """Patch the index with the rows changed since the last change seen; False: rebuild."""
        changes = changelog.changes_since(self._connection, self._seen_change)
        if changes is None:
            return False
        index: Any = self._query_index  # mongomock's indexing.CollectionIndexes (untyped)
        held = index._docs
        rows = {
            key: (rowid, doc)
            for key, rowid, doc in changelog.current_rows(
                self._connection, self.DOCUMENTS, changes.reborn
            )
        }
        decode = self._documents._decode_doc
        for key, reborn in changes.reborn.items():
            if reborn or key not in rows:
                index.remove(key)
            elif key not in held:
                return False  # updated in place but not held: not in step, so rebuild
            else:
                index.add(key, decode(rows[key][1]))
        # (Re)created rows come after every other, in rowid order, as a rebuild reads them.
        born = sorted(
            (key for key, reborn in changes.reborn.items() if reborn and key in rows),
            key=lambda key: rows[key][0],
        )
        for key in born:
            index.add(key, decode(rows[key][1]))
        self._seen_change = changes.last
        self.patches += 1
        self.patched_keys += len(changes.reborn)
        return True


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
