"""Where an employer or a vacancy comes from: posted by an employer, or imported from hh.kz."""

from __future__ import annotations

from typing import Literal

SOURCES = ("employer", "hh.kz")
Source = Literal["employer", "hh.kz"]


def external_key(source: str, external_id: str | None) -> str | None:
    """Return the unique key of a record imported from ``source``, if it has an external id."""
    return f"{source}:{external_id}" if external_id else None
