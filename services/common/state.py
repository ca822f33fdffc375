"""What the shared kit keeps per Flask app: its stores, its declared operations, its switches."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app
from flask.sansio.app import App

if TYPE_CHECKING:
    from .api.endpoints import Operation
    from .db.connections import Store

EXTENSION = "qabilet"
T = TypeVar("T")
_MAKING = threading.Lock()


@dataclass
class KitState:
    """The kit's state of one app (``app.extensions["qabilet"]``)."""

    stores: dict[str, Store] = field(default_factory=dict)
    """The app's stores by alias, bound again whenever an app context is pushed."""
    operations: list[Operation] = field(default_factory=list)
    """Every declared endpoint of the app's blueprints (the OpenAPI document's source)."""
    read_models: bool = True
    """Whether in-memory read models answer lists (``QABILET_READ_MODELS``)."""
    owned: dict[str, Any] = field(default_factory=dict)
    """A service's per-app objects by name (its read models), made by :func:`per_app`."""


def app_state(app: App) -> KitState:
    """Return the kit's state of ``app``, made on first use."""
    state: KitState = app.extensions.setdefault(EXTENSION, KitState())
    return state


def per_app(name: str, make: Callable[[], T]) -> T:
    """Return the current app's ``name`` object (a read model, say), made once on first use."""
    owned = app_state(current_app).owned
    if name not in owned:
        with _MAKING:  # two first requests at once must not build two read models
            if name not in owned:
                owned[name] = make()
    made: T = owned[name]
    return made


def current_settings() -> Any:
    """Return the settings object of the running app."""
    return current_app.config["SETTINGS"]
