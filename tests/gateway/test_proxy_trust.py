"""The client address the gateway believes: the socket peer, or the last trusted proxy hops."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.app import create_app
from services.common.settings import SettingsError
from tests.gateway.conftest import close_gateway, gateway_settings
from tests.gateway.world import API

INGRESS = "10.244.0.7"  # the ingress controller's pod: the socket peer of every proxied request
ALICE = "203.0.113.5"
BOB = "198.51.100.7"
BUDGET = 3  # failed sign-ins per address per minute in these tests


@pytest.fixture
def make_gateway(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build gateways (no services needed: signing in is the gateway's own) on fresh stores."""
    made: list[Flask] = []

    def make(trusted_proxies: int, **overrides: object) -> Flask:
        settings = gateway_settings(
            tmp_path / f"gw{len(made)}",
            None,
            trusted_proxies=trusted_proxies,
            ratelimit_login=f"{BUDGET}/minute",
            # Only the address budget may refuse here, not the per-email pause.
            login_failures=100,
            **overrides,
        )
        made.append(create_app(settings))
        return made[-1]

    yield make
    for app in made:
        close_gateway(app)


def wrong_password(
    client: FlaskClient, *, peer: str, forwarded_for: str | None = None, email: str = "x@x.test"
) -> int:
    """Try a wrong password from socket peer ``peer``; return the status code."""
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    resp = client.post(
        f"{API}/auth/token",
        json={"email": email, "password": "not-the-password"},
        headers=headers,
        environ_base={"REMOTE_ADDR": peer},
    )
    return resp.status_code


def test_with_no_trusted_proxy_a_spoofed_forwarded_for_does_not_dodge_the_sign_in_limit(
    make_gateway: Callable[..., Flask],
) -> None:
    client = make_gateway(0).test_client()
    # A new made-up address each time: were any believed, each would get a fresh budget.
    codes = [
        wrong_password(client, peer=ALICE, forwarded_for=f"192.0.2.{n}") for n in range(BUDGET + 2)
    ]
    assert codes == [401] * BUDGET + [429, 429]
    # The budget is the socket peer's: another peer still has its own.
    assert wrong_password(client, peer=BOB) == 401


def test_behind_one_trusted_proxy_two_clients_get_separate_sign_in_budgets(
    make_gateway: Callable[..., Flask],
) -> None:
    client = make_gateway(1).test_client()
    alice = [wrong_password(client, peer=INGRESS, forwarded_for=ALICE) for _ in range(BUDGET + 1)]
    assert alice == [401] * BUDGET + [429]
    bob = [wrong_password(client, peer=INGRESS, forwarded_for=BOB) for _ in range(BUDGET + 1)]
    assert bob == [401] * BUDGET + [429]
    # Both came through the same ingress address; that address itself was never charged.
    assert wrong_password(client, peer=INGRESS) == 401


def test_behind_one_trusted_proxy_a_forged_extra_hop_cannot_take_another_clients_address(
    make_gateway: Callable[..., Flask],
) -> None:
    client = make_gateway(1).test_client()
    # Alice writes Bob's address into X-Forwarded-For; the ingress appends hers after it.
    forged = f"{BOB}, {ALICE}"
    codes = [wrong_password(client, peer=INGRESS, forwarded_for=forged) for _ in range(BUDGET + 2)]
    assert codes == [401] * BUDGET + [429, 429]  # she spent her own budget, not Bob's
    assert wrong_password(client, peer=INGRESS, forwarded_for=ALICE) == 429
    assert wrong_password(client, peer=INGRESS, forwarded_for=BOB) == 401


def test_behind_one_trusted_proxy_anonymous_request_budgets_are_per_client(
    make_gateway: Callable[..., Flask],
) -> None:
    client = make_gateway(1, ratelimit_anonymous="2/minute").test_client()

    def me(forwarded_for: str) -> int:
        headers = {"X-Forwarded-For": forwarded_for}
        environ = {"REMOTE_ADDR": INGRESS}
        return client.get(f"{API}/me", headers=headers, environ_base=environ).status_code

    assert [me(ALICE) for _ in range(3)] == [401, 401, 429]
    assert [me(f"{ALICE}, {BOB}") for _ in range(3)] == [401, 401, 429]  # last hop: Bob


def test_a_negative_number_of_trusted_proxies_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="QABILET_TRUSTED_PROXIES"):
        gateway_settings(tmp_path, None, trusted_proxies=-1)
