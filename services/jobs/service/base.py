"""Helpers the domain modules share: id parsing, lookups and feed events."""

from __future__ import annotations

from typing import Any, TypeVar

import mongoengine as me
from bson import ObjectId
from bson.errors import InvalidId

from services.common.errors import NotFound
from services.common.feed import append_event

from ..settings import ALIAS

D = TypeVar("D", bound=me.Document)


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


def emit(type_: str, record_id: Any, data: dict[str, Any]) -> int:
    """Append an event to the jobs feed; call it inside ``atomic(ALIAS)`` with the write."""
    return append_event(ALIAS, type_, str(record_id), data)
