"""The demo's provider accounts are made through a running gateway, once, and can sign in."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from scripts.seed_providers import accounts
from services.learner.demo.providers import PROVIDERS
from tests.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.gateway.world import API, World, ok, sign_in
from tests.gateway.world import PASSWORD as WORLD_PASSWORD

PASSWORD = "demo-provider-password"


@pytest.fixture
def served(gateway: Flask, world: World) -> Iterator[str]:
    """Serve the session's gateway over HTTP on a free loopback port."""
    server = make_server("127.0.0.1", 0, gateway, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_provider_accounts_are_created_once(served: str, client: FlaskClient, world: World) -> None:
    # The world already has AI-Sana's account (courses@ai-sana.kz): it is found, not remade.
    existing = world["provider2"]
    first = accounts(served, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD)
    again = accounts(served, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD)
    assert first == again and set(first) == {p.name for p in PROVIDERS}
    assert first["AI-Sana"] == f"provider:{existing.account_id}"
    for provider in PROVIDERS:
        password = PASSWORD if provider.email != existing.email else WORLD_PASSWORD
        token = sign_in(client, provider.email, password)
        me = ok(client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}))
        assert first[provider.name] == f"provider:{me['account_id']}"
        assert me["role"] == "provider"
