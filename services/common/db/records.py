"""Record ids from requests, and the one way to fetch a record by id (or answer 404).

On the embedded store a read by id goes straight to the collection file's primary key
(:func:`services.common.rawstore.fetch_by_ids`) instead of a mongomock query: litemongo keeps a
hash index of every collection per connection, brought up to date (from the file's change log,
:mod:`.litestore`) before a query whenever another connection (another worker's; the threads of
a process share one) has written to the file; a read by id needs no index, so it skips that,
mongomock's filter pass and its copy, under the store lock. The record read is the same: the raw
son decoded from the same BSON row, turned into the Document by ``_from_son`` exactly as the
queryset does.

Consistency is the queryset's: both reads run under the store lock (no writer of this process or
of another worker is half-way through), through the process's SQLite connection in autocommit
mode, which in WAL mode sees every commit made before the statement starts; litemongo commits
each write at once, so a write another thread has finished is seen, and so is one made earlier
in the caller's own ``atomic`` block. Not covered (and not used by these models): TTL indexes,
which mongomock only applies on queries, and inheritance (``_cls``), which gets the query.
A real MongoDB server always gets the ordinary query: ``_id`` is indexed there.
"""

from __future__ import annotations

from typing import Any, TypeVar

import mongoengine
from bson import ObjectId
from bson.errors import InvalidId
from mongoengine.connection import DEFAULT_CONNECTION_NAME

# The module, not its names: rawstore imports this package (circular, resolved at call time).
from .. import rawstore
from ..errors import NotFound
from .connections import is_embedded

D = TypeVar("D", bound=mongoengine.Document)


def object_id(value: str | ObjectId | None) -> ObjectId | None:
    """Return ``value`` as an ObjectId, or None when it cannot be one."""
    if isinstance(value, ObjectId):
        return value
    try:
        return ObjectId(value) if isinstance(value, str) else None
    except InvalidId:
        return None


def _primary_key_path(model: type[mongoengine.Document]) -> tuple[str, str] | None:
    """Return (alias, collection) when ``model`` is read by primary key from the file, else None."""
    meta = model._meta  # type: ignore[attr-defined]
    alias = meta.get("db_alias") or DEFAULT_CONNECTION_NAME
    if meta.get("allow_inheritance"):
        return None
    try:
        if not is_embedded(alias):
            return None
    except KeyError:
        # Connected without a Store (mongoengine.connect directly): keep the ordinary query.
        return None
    return alias, model._get_collection_name()  # type: ignore[attr-defined]


def find_son_by_id(model: type[mongoengine.Document], doc_id: Any) -> dict[str, Any] | None:
    """Return the raw stored document of ``model`` with this ``_id`` as is, or None."""
    where = _primary_key_path(model)
    if where is None:
        found: dict[str, Any] | None = model._get_collection().find_one({"_id": doc_id})  # type: ignore[attr-defined]
        return found
    return rawstore.fetch_one(where[0], where[1], doc_id)


def find_by_id(model: type[D], record_id: str | ObjectId | None) -> D | None:
    """Return the ``model`` record with this id, or None (what ``objects(id=).first()`` gives)."""
    oid = object_id(record_id)
    if oid is None:
        return None
    if _primary_key_path(model) is None:
        return model.objects(id=oid).first()  # type: ignore[attr-defined,no-any-return]
    son = find_son_by_id(model, oid)
    return model._from_son(son) if son is not None else None  # type: ignore[attr-defined,no-any-return]


def get_or_404(model: type[D], record_id: str | ObjectId, what: str) -> D:
    """Return the ``model`` record with this id, or raise 404 naming it."""
    record = find_by_id(model, record_id)
    if record is None:
        raise NotFound(f"no {what} with id {record_id}")
    return record
