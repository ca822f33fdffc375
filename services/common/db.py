"""The store: a real MongoDB when ``MONGODB_URI`` is set, else litemongo files, serialised.

litemongo (mongomock's engine over SQLite) binds each client to the thread that made it, and
two clients doing read-modify-write at once lose updates. Measured here: 400 ``$inc`` from two
processes ended at 275. So in embedded mode every thread gets its own client and every store
operation runs under one lock: a re-entrant in-process lock plus an ``flock`` on a file in the
data directory, so several gunicorn workers sharing the files are serialised too. Services never
see this: mongoengine is handed a client whose databases, collections and cursors route each call
through the lock to the calling thread's own litemongo client.
"""

from __future__ import annotations

import contextlib
import fcntl
import inspect
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import mongoengine
from bson import ObjectId
from bson.errors import InvalidId
from mongoengine.connection import get_db

from .errors import NotFound
from .settings import BaseSettings

D = TypeVar("D", bound=mongoengine.Document)

LOCK_FILE = ".store.lock"

_log = logging.getLogger("qabilet.db")


class StoreLock:
    """A lock held across threads (re-entrant per thread) and processes (flock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mutex = threading.RLock()
        self._local = threading.local()
        self._fd: int | None = None
        self._fd_pid = 0

    def _file(self) -> int:
        # flock belongs to the open file description, which a forked child shares with its
        # parent: each process must open its own.
        if self._fd is None or self._fd_pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            self._fd_pid = os.getpid()
        return self._fd

    def acquire(self) -> None:
        """Take the lock; nested calls from the same thread only count."""
        self._mutex.acquire()
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            try:
                fcntl.flock(self._file(), fcntl.LOCK_EX)
            except BaseException:
                self._mutex.release()
                raise
        self._local.depth = depth + 1

    def release(self) -> None:
        """Release one level of the lock."""
        depth = self._local.depth - 1
        self._local.depth = depth
        if depth == 0:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        self._mutex.release()

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


_LOCKS: dict[Path, StoreLock] = {}
_LOCKS_GUARD = threading.Lock()


def store_lock(data_dir: Path) -> StoreLock:
    """Return the one lock object of a data directory in this process."""
    path = (data_dir / LOCK_FILE).absolute()
    with _LOCKS_GUARD:
        if path not in _LOCKS:
            data_dir.mkdir(parents=True, exist_ok=True)
            _LOCKS[path] = StoreLock(path)
        return _LOCKS[path]


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
            # e.g. with_options(): a collection of the calling thread's client, used at once
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
                # Resolve again: the bound target belongs to the calling thread's client.
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
        super().__init__(client.lock, lambda: client.thread_client()[db_name][name])
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
        super().__init__(client.lock, lambda: client.thread_client()[name])
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_client", client)

    def __getitem__(self, name: str) -> _SerialisedCollection:
        return _SerialisedCollection(self._client, self.name, name)

    def get_collection(self, name: str, **_: Any) -> _SerialisedCollection:
        return self[name]

    def create_collection(self, name: str, **kwargs: Any) -> _SerialisedCollection:
        with self._lock:
            self._client.thread_client()[self.name].create_collection(name, **kwargs)
        return self[name]

    @property
    def client(self) -> EmbeddedClient:
        return self._client


class EmbeddedClient:
    """A MongoClient look-alike over litemongo files: thread-local clients, one lock."""

    def __init__(self, host: str | list[str] = "", **_: Any) -> None:
        # mongoengine hands the host over as a one-item list.
        self.path = Path(host[0] if isinstance(host, list) else host).absolute()
        self.path.mkdir(parents=True, exist_ok=True)
        self.lock = store_lock(self.path)
        self._local = threading.local()
        self._all: list[Any] = []
        self._all_guard = threading.Lock()

    def thread_client(self) -> Any:
        """Return this thread's own litemongo client, creating it on first use."""
        client = getattr(self._local, "client", None)
        if client is None or getattr(self._local, "pid", None) != os.getpid():
            import litemongo

            client = litemongo.MongoClient(str(self.path))  # type: ignore[attr-defined]
            self._local.client = client
            self._local.pid = os.getpid()
            with self._all_guard:
                self._all.append(client)
        return client

    is_primary = True

    def __getitem__(self, name: str) -> _SerialisedDatabase:
        return _SerialisedDatabase(self, name)

    def get_database(self, name: str, **_: Any) -> _SerialisedDatabase:
        return self[name]

    def list_database_names(self) -> list[str]:
        with self.lock:
            return list(self.thread_client().list_database_names())

    def drop_database(self, name: str) -> None:
        with self.lock:
            self.thread_client().drop_database(name)

    def close(self) -> None:
        with self._all_guard:
            clients, self._all = self._all, []
        for client in clients:
            with contextlib.suppress(Exception):
                client.close()
        self._local = threading.local()


_ALIASES: dict[str, BaseSettings] = {}


def _detach_documents(alias: str) -> None:
    """Drop every cached collection of documents stored under ``alias``.

    mongoengine's own disconnect finds documents through a registry keyed by class name, so when
    two services in one process both define e.g. ``Vacancy``, one of them keeps a collection of
    a closed (or another test's) store.
    """
    stack: list[type] = [mongoengine.Document]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        meta = getattr(cls, "_meta", {}) or {}
        if meta.get("db_alias") == alias and not meta.get("abstract"):
            cls._disconnect()  # type: ignore[attr-defined]


def init_db(settings: BaseSettings, alias: str) -> None:
    """Register the service's database under ``alias`` (lazy: nothing connects yet)."""
    mongoengine.disconnect(alias)
    _detach_documents(alias)
    if settings.mongodb_uri:
        # connect=False: pymongo is not fork-safe, and gunicorn forks after the app is built.
        mongoengine.connect(
            db=settings.db_name,
            alias=alias,
            host=settings.mongodb_uri,
            connect=False,
            uuidRepresentation="standard",
            tz_aware=True,
        )
    else:
        mongoengine.connect(
            db=settings.db_name,
            alias=alias,
            # One directory (and so one lock) per service: services never wait on each other.
            host=str((Path(settings.data_dir) / alias).absolute()),
            mongo_client_class=EmbeddedClient,
        )
    _ALIASES[alias] = settings


def close_db(alias: str) -> None:
    """Close the connection of ``alias``."""
    mongoengine.disconnect(alias)
    _detach_documents(alias)
    _ALIASES.pop(alias, None)


def database(alias: str) -> Any:
    """Return the pymongo-style database of ``alias`` (serialised in embedded mode)."""
    return get_db(alias)


def is_embedded(alias: str) -> bool:
    """Tell whether ``alias`` runs on the embedded store."""
    return not _ALIASES[alias].mongodb_uri


def ping(alias: str) -> None:
    """Raise if the database of ``alias`` cannot answer a query."""
    db = get_db(alias)
    if is_embedded(alias):
        db["_ping"].find_one({})
    else:
        db.client.admin.command("ping")


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


def object_id(value: str | ObjectId | None) -> ObjectId | None:
    """Return ``value`` as an ObjectId, or None when it cannot be one."""
    if isinstance(value, ObjectId):
        return value
    try:
        return ObjectId(value) if isinstance(value, str) else None
    except InvalidId:
        return None


def get_or_404(model: type[D], record_id: str | ObjectId, what: str) -> D:
    """Return the ``model`` record with this id, or raise 404 naming it."""
    oid = object_id(record_id)
    record = model.objects(id=oid).first() if oid is not None else None  # type: ignore[attr-defined]
    if record is None:
        raise NotFound(f"no {what} with id {record_id}")
    return record  # type: ignore[no-any-return]


def stored_time(value: datetime) -> datetime:
    """Return ``value`` in UTC at the millisecond precision BSON keeps.

    Truncating before the write makes a write's response equal every later read.
    """
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def utcnow() -> datetime:
    """Return the current time as the store keeps it."""
    return stored_time(datetime.now(UTC))
