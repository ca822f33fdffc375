"""``atomic(alias)`` and ``transaction(alias, fn)``: store operations that commit together.

Embedded: both hold the store lock, so no other writer comes in between (litemongo has no
transactions; what a failing block wrote stays written, as it always has). Real server: a
multi-document transaction (:mod:`.transactions`), so a record and its feed event commit
together or not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

from mongoengine.connection import get_db

from .connections import is_embedded
from .lock import StoreLock
from .transactions import claimed_block, run_transaction

T = TypeVar("T")


@contextlib.contextmanager
def atomic(alias: str) -> Iterator[None]:
    """Run a block of store operations of ``alias`` that commit together.

    Embedded: the store lock itself. Real server: a transaction that holds the service's feed
    counter from its start, because a ``with`` body cannot be re-run after a write conflict; so
    such blocks still follow one another per service. Prefer :func:`transaction`, which does not.
    """
    db = get_db(alias)
    if is_embedded(alias):
        lock: StoreLock = db.client.lock
        with lock:
            yield
        return
    with claimed_block(db):
        yield


def transaction(alias: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` so that its store operations of ``alias`` commit together; return its result.

    Embedded: under the store lock. Real server: a transaction, with ``fn`` run again whole when
    it meets a write conflict (so ``fn`` must do nothing but store work that may be repeated).
    Writers of different records do not wait for each other; two that both append to the feed
    are ordered at its counter document, and the one that reaches it second runs again.
    """
    db = get_db(alias)
    if is_embedded(alias):
        lock: StoreLock = db.client.lock
        with lock:
            return fn()
    return run_transaction(db.client, fn)
