"""Record ids from requests, and the one way to fetch a record or answer 404."""

from __future__ import annotations

from typing import TypeVar

import mongoengine
from bson import ObjectId
from bson.errors import InvalidId

from ..errors import NotFound

D = TypeVar("D", bound=mongoengine.Document)


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
