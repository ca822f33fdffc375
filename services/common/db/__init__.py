"""The store: a real MongoDB when ``MONGODB_URI`` is set, else litemongo files, serialised.

- ``lock``: the store lock of an embedded data directory (threads and processes);
- ``embedded``: the MongoClient look-alike that runs every call under that lock;
- ``connections``: a service's :class:`Store` bound to its alias, per app (``init_app``) or
  opened explicitly outside Flask (:func:`init_db`);
- ``atomic``: a block of operations with no other writer in between (real server: a lease);
- ``records``: ids from requests and ``get_or_404``.

Times as the store keeps them (``utcnow``, ``stored_time``) live in :mod:`services.common.clock`.
"""

from .atomic import LEASE_SECONDS, atomic
from .connections import Store, bound_store, close_db, database, init_db, is_embedded, ping
from .embedded import EmbeddedClient
from .lock import LOCK_FILE, StoreLock, store_lock
from .records import get_or_404, object_id

__all__ = [
    "LEASE_SECONDS",
    "LOCK_FILE",
    "EmbeddedClient",
    "Store",
    "StoreLock",
    "atomic",
    "bound_store",
    "close_db",
    "database",
    "get_or_404",
    "init_db",
    "is_embedded",
    "object_id",
    "ping",
    "store_lock",
]
