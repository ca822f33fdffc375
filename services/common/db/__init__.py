"""The store: a real MongoDB when ``MONGODB_URI`` is set, else litemongo files, serialised.

- ``lock``: the store lock of an embedded data directory (threads and processes);
- ``embedded``: the MongoClient look-alike that runs every call under that lock;
- ``connections``: a service's :class:`Store` bound to its alias, per app (``init_app``) or
  opened explicitly outside Flask (:func:`init_db`);
- ``atomic``: operations that commit together (embedded: the lock; real server: a transaction);
- ``transactions``: the real server's transactions, their session seam and retry loop;
- ``records``: ids from requests, ``find_by_id`` (a primary-key read when embedded), ``get_or_404``.

Times as the store keeps them (``utcnow``, ``stored_time``) live in :mod:`services.common.clock`.
"""

from .atomic import atomic, transaction
from .connections import Store, bound_store, close_db, database, init_db, is_embedded, ping
from .embedded import EmbeddedClient
from .lock import LOCK_FILE, StoreLock, store_lock
from .records import find_by_id, find_son_by_id, get_or_404, object_id
from .transactions import SessionClient

__all__ = [
    "LOCK_FILE",
    "EmbeddedClient",
    "Store",
    "SessionClient",
    "StoreLock",
    "atomic",
    "bound_store",
    "close_db",
    "database",
    "find_by_id",
    "find_son_by_id",
    "get_or_404",
    "init_db",
    "is_embedded",
    "object_id",
    "ping",
    "store_lock",
    "transaction",
]
