"""Pagination of mongoengine querysets into ``Page`` results with a total."""

from __future__ import annotations

from typing import Any

from .api import PageQuery


def paginate(queryset: Any, page: PageQuery, schema: Any) -> dict[str, Any]:
    """Return one page of ``queryset`` serialised with ``schema``, with the total count."""
    total = queryset.count()
    items = list(queryset.skip(page.offset).limit(page.limit))
    return {
        "items": [schema.model_validate(item, from_attributes=True) for item in items],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }
