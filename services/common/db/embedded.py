"""A MongoClient look-alike over litemongo files: one client per process behind one store lock.

Every store operation runs under the directory's :class:`StoreLock`, so the threads of a process
share one litemongo client (and with it litemongo's in-memory indexes, which another thread's
write then keeps current instead of making stale; see :mod:`.litestore` for why the sharing is
safe). Services never see this: mongoengine is handed an :class:`EmbeddedClient` whose
databases, collections and cursors route each call through the lock to the process's client.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .lock import StoreLock, store_lock


class _Serialised:
    """Proxy that runs every method of the wrapped object under the store lock."""

    _wrap_types: tuple[type, ...] = ()

    def __init__(self, lock: StoreLock, target: Callable[[], Any]) -> None:
        object.__setattr__(self, "_lock", lock)
        object.__setattr__(self, "_target", target)

    def _wrap(self, value: Any) -> Any:
        from litemongo._vendor.mongomock.collection import Collection, Cursor
        from litemongo._vendor.mongomock.command_cursor import CommandCursor

        if isinstance(value, (Cursor, CommandCursor)):
            return _SerialisedCursor(self._lock, value)
        if isinstance(value, Collection):
            # e.g. with_options(): a collection of the process's client, used at once
            return _Serialised(self._lock, lambda: value)
        return value

    def __getattr__(self, name: str) -> Any:
        lock = self._lock
        with lock:
            attr = getattr(self._target(), name)
        if not inspect.isroutine(attr):
            return self._wrap(attr)

        def call(*args: Any, **kwargs: Any) -> Any:
            with lock:
                # Resolve again: after a fork the target belongs to this process's new client.
                result = getattr(self._target(), name)(*args, **kwargs)
                return self._wrap(result)

        return call


class _SerialisedCursor(_Serialised):
    def __init__(self, lock: StoreLock, cursor: Any) -> None:
        super().__init__(lock, lambda: cursor)
        object.__setattr__(self, "_cursor", cursor)

    def _wrap(self, value: Any) -> Any:
        if value is self._cursor:
            return self
        return super()._wrap(value)

    def __iter__(self) -> _SerialisedCursor:
        return self

    def __next__(self) -> Any:
        with self._lock:
            return next(self._cursor)

    def __getitem__(self, index: Any) -> Any:
        with self._lock:
            return self._wrap(self._cursor[index])

    def __enter__(self) -> _SerialisedCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SerialisedCollection(_Serialised):
    def __init__(self, client: EmbeddedClient, db_name: str, name: str) -> None:
        super().__init__(client.lock, lambda: client.store_client()[db_name][name])
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "full_name", f"{db_name}.{name}")
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_db_name", db_name)

    def __getitem__(self, sub: str) -> _SerialisedCollection:
        return _SerialisedCollection(self._client, self._db_name, f"{self.name}.{sub}")

    @property
    def database(self) -> _SerialisedDatabase:
        return _SerialisedDatabase(self._client, self._db_name)


class _SerialisedDatabase(_Serialised):
    def __init__(self, client: EmbeddedClient, name: str) -> None:
        super().__init__(client.lock, lambda: client.store_client()[name])
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_client", client)

    def __getitem__(self, name: str) -> _SerialisedCollection:
        return _SerialisedCollection(self._client, self.name, name)

    def get_collection(self, name: str, **_: Any) -> _SerialisedCollection:
        return self[name]

    def create_collection(self, name: str, **kwargs: Any) -> _SerialisedCollection:
        with self._lock:
            self._client.store_client()[self.name].create_collection(name, **kwargs)
        return self[name]

    @property
    def client(self) -> EmbeddedClient:
        return self._client


class EmbeddedClient:
    """A MongoClient look-alike over litemongo files: one client per process, one lock."""

    def __init__(self, host: str | list[str] = "", **_: Any) -> None:
        # mongoengine hands the host over as a one-item list.
        self.path = Path(host[0] if isinstance(host, list) else host).absolute()
        self.path.mkdir(parents=True, exist_ok=True)
        self.lock = store_lock(self.path)
        self._shared: Any = None
        self._shared_pid = 0
        # Clients made before a fork: never used again, but kept so that no garbage collection
        # closes SQLite connections that the parent process still uses.
        self._inherited: list[Any] = []
        self._guard = threading.Lock()

    def store_client(self) -> Any:
        """Return this process's litemongo client, made on first use (call under the lock)."""
        client = self._shared
        if client is None or self._shared_pid != os.getpid():
            with self._guard:
                if self._shared is None or self._shared_pid != os.getpid():
                    from .litestore import shared_client

                    if self._shared is not None:
                        self._inherited.append(self._shared)
                    self._shared = shared_client(self.path)
                    self._shared_pid = os.getpid()
                client = self._shared
        return client

    is_primary = True

    def __getitem__(self, name: str) -> _SerialisedDatabase:
        return _SerialisedDatabase(self, name)

    def get_database(self, name: str, **_: Any) -> _SerialisedDatabase:
        return self[name]

    def list_database_names(self) -> list[str]:
        with self.lock:
            return list(self.store_client().list_database_names())

    def drop_database(self, name: str) -> None:
        with self.lock:
            self.store_client().drop_database(name)

    def close(self) -> None:
        """Close this process's client (one made before a fork is left to its process)."""
        # Not under the store lock: closing happens under the binding guard of connections.py,
        # which a thread inside an atomic block may be waiting for.
        with self._guard:
            client, self._shared = self._shared, None
            if client is not None and self._shared_pid != os.getpid():
                self._inherited.append(client)
            elif client is not None:
                with contextlib.suppress(Exception):
                    client.close()
