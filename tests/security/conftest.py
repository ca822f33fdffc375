"""Fixtures of the attack suite: the live services and gateway of tests/gateway, reused as is."""

from __future__ import annotations

from tests.gateway.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    client,
    gateway,
    live,
    live_gateway,
    world,
)
