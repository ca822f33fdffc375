"""Multi-document transactions on a real MongoDB (a replica set): the session seam and its retry.

Every store call of a thread runs inside that thread's open transaction, if there is one: the
client handed to mongoengine (:class:`SessionClient`) gives out databases and collections that
pass the transaction's session to each read and write, so the services' mongoengine code takes
part without naming a session. The seam is :class:`TransactionSeam` (start, run a call, commit,
abort): on a server it is pymongo's own ``ClientSession`` (:class:`PymongoSeam`); a client class
that cannot open sessions (mongomock in tests) supplies its own through ``transaction_seam``.

Two ways in, both re-entrant (an inner one joins the open transaction):

- :func:`run_transaction` (``transaction(alias, fn)``): optimistic. ``fn`` runs in a transaction
  and is run again, whole, on a ``TransientTransactionError`` (e.g. a write conflict); a commit
  whose result is unknown is retried as it is. pymongo's ``with_transaction`` does the same; the
  loop is written out so that what is retried is ours to test and to bound (120 s, like it).
- :func:`claimed_block` (``with atomic(alias)``): a ``with`` body cannot be run twice, so the
  transaction first writes the service's feed counter document. A second claimer meets MongoDB's
  write conflict before its body has run and retries just the claim; the document stays held
  until commit or abort, with no lease to outlive.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

import pymongo
from pymongo.client_session import ClientSession
from pymongo.errors import PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from ..errors import Unavailable

T = TypeVar("T")

# The feed's sequence counters (services.common.feed) live here: the block form claims one.
COUNTERS = "counters"
FEED_COUNTER = "changes"
TRANSACTION_SECONDS = 120.0  # pymongo's with_transaction gives up retrying after as long
TRANSIENT = "TransientTransactionError"
UNKNOWN_COMMIT = "UnknownTransactionCommitResult"
_MAX_TIME_EXPIRED = 50

# Collection methods that take part in the thread's transaction; the rest (indexes, drops,
# options) run outside it, as MongoDB restricts DDL inside transactions.
IN_TRANSACTION = frozenset(
    {
        "aggregate",
        "bulk_write",
        "count_documents",
        "delete_many",
        "delete_one",
        "distinct",
        "find",
        "find_one",
        "find_one_and_delete",
        "find_one_and_replace",
        "find_one_and_update",
        "insert_many",
        "insert_one",
        "replace_one",
        "update_many",
        "update_one",
    }
)


class TransactionSeam(Protocol):
    """What a transaction needs from the store: pymongo's ClientSession on a server."""

    def start_transaction(self) -> None:
        """Begin a transaction."""

    def run(self, method: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
        """Run one collection call inside the transaction."""

    def commit_transaction(self) -> None:
        """Commit (raises PyMongoError with labels, as pymongo does)."""

    def abort_transaction(self) -> None:
        """Abort, discarding every write of the transaction."""

    def end_session(self) -> None:
        """Release the session."""


class PymongoSeam:
    """The seam on a real server: a pymongo ClientSession, passed to every call."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session

    def start_transaction(self) -> None:
        """Begin with snapshot reads and majority writes, so a commit survives a failover."""
        self.session.start_transaction(
            read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority")
        )

    def run(self, method: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
        """Run one call with the session."""
        return method(*args, session=self.session, **kw)

    def commit_transaction(self) -> None:
        """Commit (pymongo retries a commit with w:majority itself)."""
        self.session.commit_transaction()

    def abort_transaction(self) -> None:
        """Abort if still open (the server may have aborted it on a conflict already)."""
        if self.session.in_transaction:
            self.session.abort_transaction()

    def end_session(self) -> None:
        """Return the server session to pymongo's pool."""
        self.session.end_session()


_ACTIVE = threading.local()


def active_seam(client: Any) -> TransactionSeam | None:
    """Return this thread's open transaction on ``client``, if any."""
    by_client: dict[int, TransactionSeam] = getattr(_ACTIVE, "by_client", {})
    return by_client.get(id(client))


@contextlib.contextmanager
def _opened(client: Any, seam: TransactionSeam) -> Iterator[None]:
    by_client: dict[int, TransactionSeam] = _ACTIVE.__dict__.setdefault("by_client", {})
    by_client[id(client)] = seam
    try:
        yield
    finally:
        by_client.pop(id(client), None)


class _BoundCollection:
    """A collection whose reads and writes join the calling thread's open transaction."""

    def __init__(self, target: Any, client: Any) -> None:
        self._target = target
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name == "with_options":
            return lambda *a, **kw: _BoundCollection(attr(*a, **kw), self._client)
        if name not in IN_TRANSACTION:
            return attr
        client = self._client

        def call(*args: Any, **kw: Any) -> Any:
            seam = active_seam(client)
            if seam is None or "session" in kw:
                return attr(*args, **kw)
            return seam.run(attr, args, kw)

        return call

    def __getitem__(self, sub: str) -> _BoundCollection:
        return _BoundCollection(self._target[sub], self._client)

    @property
    def database(self) -> _BoundDatabase:
        return _BoundDatabase(self._target.database, self._client)


class _BoundDatabase:
    """A database whose collections are :class:`_BoundCollection`."""

    def __init__(self, target: Any, client: Any) -> None:
        self._target = target
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name in ("get_collection", "create_collection"):
            return lambda *a, **kw: _BoundCollection(attr(*a, **kw), self._client)
        return attr

    def __getitem__(self, name: str) -> _BoundCollection:
        return _BoundCollection(self._target[name], self._client)

    @property
    def client(self) -> Any:
        return self._client


class SessionBinding:
    """Mixin for a MongoClient class: its databases join the thread's open transaction."""

    def __getitem__(self, name: str) -> _BoundDatabase:
        return self.get_database(name)

    def get_database(self, name: str | None = None, **kw: Any) -> _BoundDatabase:
        """Return the database ``name``, bound to this client's transactions."""
        return _BoundDatabase(super().get_database(name, **kw), self)  # type: ignore[misc]

    def transaction_seam(self) -> TransactionSeam:
        """Return a fresh seam for one transaction (a server: a new pymongo session)."""
        return PymongoSeam(self.start_session())  # type: ignore[attr-defined]


class SessionClient(SessionBinding, pymongo.MongoClient):  # type: ignore[type-arg,misc]
    """The MongoClient a server store hands to mongoengine."""


def _has_label(exc: BaseException, label: str) -> bool:
    return isinstance(exc, PyMongoError) and exc.has_error_label(label)


def _backoff(attempt: int) -> None:
    # Jittered, so two writers that conflicted do not meet again at the same instant.
    time.sleep(random.uniform(0, min(0.1, 0.002 * 2**attempt)))


def run_transaction(client: Any, fn: Callable[[], T]) -> T:
    """Run ``fn`` in a transaction on ``client``, whole again on a transient error; commit it."""
    if active_seam(client) is not None:
        return fn()  # join the enclosing transaction: it commits or retries for both
    deadline = time.monotonic() + TRANSACTION_SECONDS
    attempt = 0
    while True:
        seam: TransactionSeam = client.transaction_seam()
        try:
            seam.start_transaction()
            try:
                with _opened(client, seam):
                    result = fn()
            except BaseException as exc:
                seam.abort_transaction()
                if not _has_label(exc, TRANSIENT):
                    raise
                if time.monotonic() > deadline:
                    raise Unavailable("the store is busy; try again") from exc
                attempt += 1
                _backoff(attempt)
                continue
            if _commit(seam, deadline):
                return result
        finally:
            seam.end_session()
        if time.monotonic() > deadline:
            raise Unavailable("the store is busy; try again")
        attempt += 1
        _backoff(attempt)


def _commit(seam: TransactionSeam, deadline: float) -> bool:
    """Commit; tell False when the whole transaction must run again."""
    while True:
        try:
            seam.commit_transaction()
            return True
        except PyMongoError as exc:
            expired = getattr(exc, "code", None) == _MAX_TIME_EXPIRED
            if _has_label(exc, UNKNOWN_COMMIT) and not expired and time.monotonic() < deadline:
                continue  # the commit may have happened: committing again is safe
            if _has_label(exc, TRANSIENT):
                return False
            raise


@contextlib.contextmanager
def claimed_block(db: Any) -> Iterator[None]:
    """Run a ``with`` body in a transaction that holds the feed counter of ``db`` from the start."""
    client = db.client
    if active_seam(client) is not None:
        yield  # join: the enclosing transaction commits both
        return
    deadline = time.monotonic() + TRANSACTION_SECONDS
    attempt = 0
    while True:
        seam: TransactionSeam = client.transaction_seam()
        try:
            seam.start_transaction()
            with _opened(client, seam):
                # A real change (a no-op update takes no write lock), rolled back on abort.
                db[COUNTERS].update_one({"_id": FEED_COUNTER}, {"$inc": {"claims": 1}}, upsert=True)
            break
        except BaseException as exc:
            seam.abort_transaction()
            seam.end_session()
            if not _has_label(exc, TRANSIENT):
                raise
            if time.monotonic() > deadline:
                raise Unavailable("the store is busy; try again") from exc
            attempt += 1
            _backoff(attempt)
    try:
        try:
            with _opened(client, seam):
                yield
        except BaseException as exc:
            seam.abort_transaction()
            if _has_label(exc, TRANSIENT):
                raise Unavailable("a concurrent write conflicted; try again") from exc
            raise
        if not _commit(seam, deadline):
            raise Unavailable("a concurrent write conflicted; try again")
    finally:
        seam.end_session()
