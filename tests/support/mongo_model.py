"""A model of a MongoDB replica set's transactions, behind mongomock, for the real-server path.

mongomock has no sessions (``start_session`` raises NotImplementedError, and every collection
method refuses a ``session``), so the seam a transaction needs — start, run a call, commit,
abort, pymongo's ClientSession on a server — is supplied here by :class:`ModelSession`. It holds
MongoDB's documented rule for transactions at document granularity: a write to a document that
another open transaction has written, or that was committed after this transaction began, fails
at once with WriteConflict (labelled TransientTransactionError); abort undoes the transaction's
writes. What runs under test is the product code: the client's session binding, the retry loop,
the counter in the transaction, the block form's claim, the feed reads, the services' writes.
What the model does not do (snapshot reads, majority read concern, a real commit) is left to a
real mongod.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mongomock
from pymongo.errors import OperationFailure

from services.common.db import Store
from services.common.db.transactions import TRANSIENT, SessionBinding, TransactionSeam
from services.common.feed import CHANGES
from services.common.settings import BaseSettings

# Where a server store points in tests: nothing listens there, the model answers instead.
MODEL_URI = "mongodb://127.0.0.1:9/"
_WRITES = frozenset(
    {
        "delete_many",
        "delete_one",
        "find_one_and_delete",
        "find_one_and_replace",
        "find_one_and_update",
        "replace_one",
        "update_many",
        "update_one",
    }
)

# Called after each write of a transaction, outside the model's lock: (session, collection
# name, method name, ids written). Tests use it to hold one writer in the middle of its work.
WriteHook = Callable[["ModelSession", str, str, list[Any]], None]


def conflict() -> OperationFailure:
    """The error a server returns for a write conflict inside a transaction."""
    return OperationFailure(
        "WriteConflict", 112, {"errorLabels": [TRANSIENT], "codeName": "WriteConflict"}
    )


class ServerModel:
    """What the server keeps across transactions: who holds which document, and when it changed."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tick = 0
        self.committed_at: dict[tuple[str, Any], int] = {}
        self.held: dict[tuple[str, Any], ModelSession] = {}
        self.commits: list[list[int]] = []  # the feed seqs of each commit, in commit order
        self.aborts = 0
        self.conflicts = 0
        self.commit_errors: list[str] = []  # labels the next commits fail with, once each
        self.after_write: WriteHook | None = None


class ModelSession:
    """One transaction against :class:`ServerModel`: the seam mongomock cannot provide."""

    def __init__(self, model: ServerModel) -> None:
        self.model = model
        self.start = 0
        self.undo: dict[tuple[str, Any], tuple[Any, Any]] = {}
        self.seqs: list[int] = []

    def start_transaction(self) -> None:
        with self.model.lock:
            self.start = self.model.tick

    def _claim(self, coll: Any, ids: list[Any]) -> None:
        for id_ in ids:
            key = (coll.full_name, id_)
            holder = self.model.held.get(key)
            if (holder is not None and holder is not self) or self.model.committed_at.get(
                key, 0
            ) > self.start:
                self.model.conflicts += 1
                raise conflict()
        for id_ in ids:
            key = (coll.full_name, id_)
            self.model.held[key] = self
            self.undo.setdefault(key, (coll, coll.find_one({"_id": id_})))

    def run(self, method: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
        coll, name = method.__self__, method.__name__  # type: ignore[attr-defined]
        ids: list[Any] = []
        with self.model.lock:
            if name == "insert_one":
                result = method(*args, **kw)
                self._claim(coll, [result.inserted_id])
                self.undo[(coll.full_name, result.inserted_id)] = (coll, None)
                if coll.name == CHANGES:
                    self.seqs.append(int(result.inserted_id))
                ids = [result.inserted_id]
            else:
                if name in _WRITES:
                    query = args[0] if args else kw["filter"]
                    ids = [d["_id"] for d in coll.find(query, {"_id": 1})]
                    if not ids and "_id" in query:
                        ids = [query["_id"]]  # an upsert
                    self._claim(coll, ids)
                result = method(*args, **kw)
        hook = self.model.after_write
        if hook is not None and (name == "insert_one" or name in _WRITES):
            hook(self, coll.name, name, ids)
        return result

    def _release(self) -> None:
        for key in self.undo:
            if self.model.held.get(key) is self:
                del self.model.held[key]
        self.undo = {}

    def commit_transaction(self) -> None:
        with self.model.lock:
            if self.model.commit_errors:
                label = self.model.commit_errors.pop(0)
                if label == TRANSIENT:
                    self._abort()
                raise OperationFailure("commit failed", 0, {"errorLabels": [label]})
            self.model.tick += 1
            for key in self.undo:
                self.model.committed_at[key] = self.model.tick
            self.model.commits.append(self.seqs)
            self._release()

    def _abort(self) -> None:
        for (_, id_), (coll, before) in reversed(list(self.undo.items())):
            if before is None:
                coll.delete_one({"_id": id_})
            else:
                coll.replace_one({"_id": id_}, before, upsert=True)
        self.model.aborts += 1
        self.seqs = []
        self._release()

    def abort_transaction(self) -> None:
        with self.model.lock:
            if self.undo or self.seqs:
                self._abort()

    def end_session(self) -> None:
        pass


class ModelClient(SessionBinding, mongomock.MongoClient):  # type: ignore[misc]
    """mongomock behind the session binding a server store uses, with the model as its seam."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.__dict__["model"] = ServerModel()

    def transaction_seam(self) -> TransactionSeam:
        return ModelSession(self.__dict__["model"])


def model_settings(tmp_path: Path, service: str) -> BaseSettings:
    """Return test settings of a server store (``MONGODB_URI`` set; the model answers it)."""
    return BaseSettings.from_env(
        env={"MONGODB_URI": MODEL_URI}, data_dir=tmp_path, testing=True, service=service
    )


def model_store(settings: BaseSettings, alias: str) -> Store:
    """Open ``alias`` on a server store whose client is mongomock behind the model."""
    return Store(settings, alias, client_class=ModelClient).open()


def model_of(store: Store) -> ServerModel:
    """Return the server model behind a store opened by :func:`model_store`."""
    return store.database().client.__dict__["model"]  # type: ignore[no-any-return]
