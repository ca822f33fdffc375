"""The one UTC normaliser: every datetime the services store, compare or answer is aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC, reading a naive datetime (the embedded store's) as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stored_time(value: datetime) -> datetime:
    """Return ``value`` in UTC at the millisecond precision BSON keeps.

    Truncating before the write makes a write's response equal every later read.
    """
    value = as_utc(value)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def utcnow() -> datetime:
    """Return the current time as the store keeps it."""
    return stored_time(datetime.now(UTC))


def iso(value: datetime | None) -> str | None:
    """Return a stored datetime as an ISO 8601 string in UTC (None stays None)."""
    return None if value is None else as_utc(value).isoformat()
