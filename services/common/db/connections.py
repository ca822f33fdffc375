"""A service's store: a real MongoDB when ``MONGODB_URI`` is set, else embedded litemongo files.

mongoengine keeps one connection per alias per process (documents name an alias, not an app),
so a :class:`Store` is what binds an alias to one service's settings. An app owns its stores
(``Store.init_app``) and binds them again whenever one of its contexts is pushed: a test that
builds a second app on the same alias no longer hides the first one's data from it. Code
outside Flask (the matcher's worker, scripts, importers) opens its store with :func:`init_db`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mongoengine
from flask import Flask, appcontext_pushed
from mongoengine.connection import get_db

from ..settings import BaseSettings
from ..state import app_state
from .embedded import EmbeddedClient
from .transactions import SessionClient

# The Store behind each alias of this process: the mirror of mongoengine's own registry, so
# an app can tell whether its aliases still point at its stores. Only this module touches it.
_BOUND: dict[str, Store] = {}
_BIND_GUARD = threading.RLock()


def _detach_documents(alias: str) -> None:
    """Drop every cached collection of documents stored under ``alias``.

    mongoengine's own disconnect finds documents through a registry keyed by class name, so when
    two services in one process both define e.g. ``Vacancy``, one of them keeps a collection of
    a closed (or another test's) store.
    """
    stack: list[type] = [mongoengine.Document]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        meta = getattr(cls, "_meta", {}) or {}
        if meta.get("db_alias") == alias and not meta.get("abstract"):
            cls._disconnect()  # type: ignore[attr-defined]


def _unbind(alias: str) -> None:
    mongoengine.disconnect(alias)
    _detach_documents(alias)
    _BOUND.pop(alias, None)


@dataclass(eq=False)
class Store:
    """One service's database under a mongoengine alias (lazy: nothing connects on open)."""

    settings: BaseSettings
    alias: str
    # The MongoClient class of a server store: one whose calls join the thread's transaction
    # (tests hand a mongomock-backed one; nothing else should).
    client_class: type = SessionClient

    @property
    def embedded(self) -> bool:
        """Tell whether this store is the embedded one (no ``MONGODB_URI``)."""
        return not self.settings.mongodb_uri

    @property
    def key(self) -> tuple[str, str]:
        """Return what identifies the data behind this store (in-process caches key on it)."""
        where = self.settings.mongodb_uri or str(self.directory)
        return (where, self.settings.db_name)

    @property
    def directory(self) -> Path:
        """Return the embedded store's directory (one per service: none waits on another)."""
        return (Path(self.settings.data_dir) / self.alias).absolute()

    def open(self) -> Store:
        """Bind the alias to this store, replacing whatever it pointed at."""
        with _BIND_GUARD:
            _unbind(self.alias)
            if self.settings.mongodb_uri:
                # connect=False: pymongo is not fork-safe; gunicorn forks after the app is built.
                mongoengine.connect(
                    db=self.settings.db_name,
                    alias=self.alias,
                    host=self.settings.mongodb_uri,
                    mongo_client_class=self.client_class,
                    connect=False,
                    uuidRepresentation="standard",
                    tz_aware=True,
                )
            else:
                mongoengine.connect(
                    db=self.settings.db_name,
                    alias=self.alias,
                    host=str(self.directory),
                    mongo_client_class=EmbeddedClient,
                )
            _BOUND[self.alias] = self
        return self

    def activate(self) -> None:
        """Bind the alias to this store again if another store took it meanwhile."""
        if _BOUND.get(self.alias) is not self:
            with _BIND_GUARD:
                if _BOUND.get(self.alias) is not self:
                    self.open()

    def close(self) -> None:
        """Close the connection, if the alias still points at this store."""
        with _BIND_GUARD:
            if _BOUND.get(self.alias) is self:
                _unbind(self.alias)

    def init_app(self, app: Flask) -> Store:
        """Make this store one of ``app``'s: bound again whenever a context of ``app`` is pushed."""
        state = app_state(app)
        if not state.stores:
            appcontext_pushed.connect(_activate_stores, app)
        state.stores[self.alias] = self
        return self

    def database(self) -> Any:
        """Return the pymongo-style database (serialised in embedded mode)."""
        self.activate()
        return get_db(self.alias)

    def ping(self) -> None:
        """Raise if the database cannot answer a query."""
        db = self.database()
        if self.embedded:
            db["_ping"].find_one({})
        else:
            db.client.admin.command("ping")


def _activate_stores(app: Flask, **_: Any) -> None:
    for store in app_state(app).stores.values():
        store.activate()


def init_db(settings: BaseSettings, alias: str) -> Store:
    """Open the service's database under ``alias`` (lazy: nothing connects yet)."""
    return Store(settings, alias).open()


def bound_store(alias: str) -> Store:
    """Return the store ``alias`` points at in this process (KeyError: none is open)."""
    return _BOUND[alias]


def close_db(alias: str) -> None:
    """Close the connection of ``alias``."""
    with _BIND_GUARD:
        _unbind(alias)


def database(alias: str) -> Any:
    """Return the pymongo-style database of ``alias`` (serialised in embedded mode)."""
    return get_db(alias)


def is_embedded(alias: str) -> bool:
    """Tell whether ``alias`` runs on the embedded store."""
    return bound_store(alias).embedded


def ping(alias: str) -> None:
    """Raise if the database of ``alias`` cannot answer a query."""
    bound_store(alias).ping()
