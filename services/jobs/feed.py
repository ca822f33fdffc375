"""The jobs feed: every write of the three domains appends one event, in its transaction."""

from __future__ import annotations

from typing import Any

from services.common.feed import append_event

from .settings import ALIAS


def emit(type_: str, record_id: Any, data: dict[str, Any]) -> int:
    """Append an event to the jobs feed; call it inside the write's ``transaction(ALIAS, fn)``."""
    return append_event(ALIAS, type_, str(record_id), data)
