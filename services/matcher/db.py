"""The matcher's database: its connection alias and raw collection access for bulk reads."""

from __future__ import annotations

from typing import Any

from services.common.db import database

ALIAS = "matcher"


def collection(model: Any) -> Any:
    """Return the raw collection of a document class (bulk reads skip object building)."""
    return database(model._meta["db_alias"])[model._meta["collection"]]
