"""A collection file's change log, kept by SQLite itself: which documents changed, in order.

litemongo keeps, per connection, an in-memory hash index of each collection and rebuilds it from
every document whenever another connection has committed to the file. Triggers on the file's
``documents`` table record the key of every inserted, updated and deleted row here, so a process
that sees another's commit can read just the keys changed since the change it last saw and
patch its index (:mod:`.litestore`) instead of decoding the whole collection again.

The log lives in the collection's own file: a document's write and its log row commit in one
SQLite transaction, whoever (any process, any code) writes. Ids are ``AUTOINCREMENT``, never
reused. The log keeps the last :data:`WINDOW` changes or so: every :data:`TRIM_EVERY` changes a
trigger deletes the older ones and records how far it deleted, so a reader that is further behind
knows it cannot patch (:func:`changes_since` returns None) and rebuilds as litemongo does.

Each change is an op: ``I`` a row inserted (a new key, whose natural-order place is the end),
``U`` a row updated in place (its place kept), ``D`` a row deleted. litemongo's upsert
(``INSERT ... ON CONFLICT DO UPDATE``) fires the update trigger when the key exists. An update
that changed a row's key (litemongo makes none) is logged as a delete and an insert.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

LOG = "qabilet_changes"
TRIMMED = "qabilet_changes_trimmed"
WINDOW = 20_000
TRIM_EVERY = 1_000


def _schema(table: str, window: int, trim_every: int) -> tuple[str, ...]:
    """Return the log's tables and triggers (a changed definition must get a new name)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {LOG}("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, key, op TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {TRIMMED}("
        "one INTEGER PRIMARY KEY CHECK (one = 0), through INTEGER NOT NULL)",
        f"CREATE TRIGGER IF NOT EXISTS {LOG}_insert_v1 AFTER INSERT ON {table} "
        f"BEGIN INSERT INTO {LOG}(key, op) VALUES (NEW._id, 'I'); END",
        f"CREATE TRIGGER IF NOT EXISTS {LOG}_update_v1 AFTER UPDATE ON {table} "
        f"BEGIN INSERT INTO {LOG}(key, op) VALUES (NEW._id, "
        "CASE WHEN OLD._id IS NEW._id AND OLD.rowid = NEW.rowid THEN 'U' ELSE 'I' END); END",
        f"CREATE TRIGGER IF NOT EXISTS {LOG}_rekey_v1 AFTER UPDATE ON {table} "
        f"WHEN OLD._id IS NOT NEW._id BEGIN INSERT INTO {LOG}(key, op) VALUES (OLD._id, 'D'); END",
        f"CREATE TRIGGER IF NOT EXISTS {LOG}_delete_v1 AFTER DELETE ON {table} "
        f"BEGIN INSERT INTO {LOG}(key, op) VALUES (OLD._id, 'D'); END",
        # Trimmed in steps (one delete per trim_every changes, not one per change); "through"
        # only grows, so a reader behind it always knows. The first file's window stays.
        f"CREATE TRIGGER IF NOT EXISTS {LOG}_trim_v1 AFTER INSERT ON {LOG} "
        f"WHEN NEW.id % {int(trim_every)} = 0 BEGIN "
        f"DELETE FROM {LOG} WHERE id <= NEW.id - {int(window)}; "
        f"INSERT INTO {TRIMMED} VALUES (0, NEW.id - {int(window)}) "
        "ON CONFLICT(one) DO UPDATE SET through = max(through, excluded.through); END",
    )


# Parameters per IN (...) query when reading the changed rows
_CHUNK = 500


def install(
    connection: sqlite3.Connection,
    table: str,
    *,
    window: int = WINDOW,
    trim_every: int = TRIM_EVERY,
) -> None:
    """Create the log and its triggers on ``table`` unless the file has them already."""
    with connection:
        for statement in _schema(table, window, trim_every):
            connection.execute(statement)


def last_id(connection: sqlite3.Connection) -> int:
    """Return the id of the latest change (0 when none): what a full load reflects at least."""
    row = connection.execute(f"SELECT max(id) FROM {LOG}").fetchone()  # nosec
    return int(row[0] or 0)


@dataclass
class Changes:
    """The keys changed after some change id: for each, whether its row was (re)created."""

    last: int
    reborn: dict[str, bool] = field(default_factory=dict)


def changes_since(connection: sqlite3.Connection, seen: int) -> Changes | None:
    """Return the keys changed after change ``seen``, or None when the log no longer has them."""
    rows = connection.execute(
        f"SELECT id, key, op FROM {LOG} WHERE id > ? ORDER BY id",  # nosec
        (seen,),
    ).fetchall()
    # Read after the rows: a trim that removed any of them shows here.
    trimmed = connection.execute(f"SELECT through FROM {TRIMMED}").fetchone()  # nosec
    if trimmed is not None and seen < trimmed[0]:
        return None
    if not rows:
        return Changes(last=seen) if seen <= last_id(connection) else None
    changes = Changes(last=int(rows[-1][0]))
    reborn = changes.reborn
    for _, key, op in rows:
        reborn[key] = reborn.get(key, False) or op != "U"
    return changes


def current_rows(
    connection: sqlite3.Connection, table: str, keys: Iterable[str]
) -> Iterator[tuple[str, int, bytes]]:
    """Yield ``(key, rowid, encoded document)`` of the rows of these keys that exist now."""
    wanted = list(keys)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        placeholders = ",".join("?" * len(chunk))
        yield from connection.execute(
            f"SELECT _id, rowid, doc FROM {table} WHERE _id IN ({placeholders})",  # nosec
            chunk,
        )
