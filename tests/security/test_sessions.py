"""Finding 6: sign-out and deactivation take effect at once in every gateway worker (live gunicorn).

Each worker used to trust a verified token for 10 s, so a token signed out through one worker
kept working in the other. Every check here follows the change with a burst of requests that
both workers answer (gunicorn's access log shows which worker answered), and needs every one
of them refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.security.lone_gateway import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    API,
    PASSWORD,
    Client,
    Gateway,
    lone_gateway,
    make_account,
    token_of,
)

pytestmark = pytest.mark.slow

ALL_OK = {200}
ALL_REFUSED = {401}
ROUNDS = 40


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with lone_gateway(tmp_path_factory.mktemp("sessions")) as running:
        yield running


@pytest.fixture(scope="module")
def gw(gateway: Gateway) -> Client:
    return Client(gateway.url)


@pytest.fixture(scope="module")
def admin(gw: Client) -> str:
    return token_of(gw.api_sign_in(ADMIN_EMAIL, ADMIN_PASSWORD))


def fresh_account(gw: Client, admin: str, role: str = "ministry") -> tuple[str, str]:
    """Create an account; return (its id, its email)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@enbek.kz"
    return make_account(gw, admin, email, role), email


def test_api_logout_is_refused_by_every_worker_at_once(
    gateway: Gateway, gw: Client, admin: str
) -> None:
    _, email = fresh_account(gw, admin)
    token = token_of(gw.api_sign_in(email, PASSWORD))
    assert gateway.burst(gw, f"{API}/me", token) == ALL_OK  # both workers now know this token
    assert gw.request("POST", f"{API}/auth/logout", token=token).status == 204
    assert gateway.burst(gw, f"{API}/me", token) == ALL_REFUSED
    assert gw.request("POST", f"{API}/auth/logout", token=token).status == 401


def test_logout_of_one_session_leaves_the_others_signed_in(
    gateway: Gateway, gw: Client, admin: str
) -> None:
    _, email = fresh_account(gw, admin)
    phone, laptop = (token_of(gw.api_sign_in(email, PASSWORD)) for _ in range(2))
    assert gateway.burst(gw, f"{API}/me", phone) == gateway.burst(gw, f"{API}/me", laptop) == ALL_OK
    assert gw.request("POST", f"{API}/auth/logout", token=phone).status == 204
    assert gateway.burst(gw, f"{API}/me", phone) == ALL_REFUSED
    assert gateway.burst(gw, f"{API}/me", laptop) == ALL_OK


def test_page_logout_ends_the_cookie_session_in_every_worker(gateway: Gateway) -> None:
    browser = Client(gateway.url)
    signed_in = browser.page_sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert signed_in.status == 302, signed_in.text[:300]
    cookie_token = browser.cookies["qabilet_session"]
    assert gateway.burst(browser, "/admin", cookie_token) == ALL_OK
    assert gateway.burst(browser, f"{API}/me", cookie_token) == ALL_OK
    out = browser.request("POST", "/logout", form={"csrf_token": browser.csrf("/admin")})
    assert out.status == 302 and "qabilet_session" not in browser.cookies
    assert gateway.burst(browser, f"{API}/me", cookie_token) == ALL_REFUSED
    # A copy of the cookie kept by someone else is refused by the pages too (sent to sign in).
    thief = Client(gateway.url, cookies={"qabilet_session": cookie_token})
    answers = [thief.request("GET", "/admin") for _ in range(ROUNDS)]
    assert {(a.status, a.headers.get("location", "").split("?")[0]) for a in answers} == {
        (302, "/login")
    }


def test_deactivated_admin_is_refused_by_every_worker_at_once(
    gateway: Gateway, gw: Client, admin: str
) -> None:
    account_id, email = fresh_account(gw, admin, role="admin")
    token = token_of(gw.api_sign_in(email, PASSWORD))
    assert gateway.burst(gw, f"{API}/accounts", token) == ALL_OK
    off = gw.request("POST", f"{API}/accounts/{account_id}/deactivate", token=admin)
    assert off.status == 200 and off.body["active"] is False
    assert gateway.burst(gw, f"{API}/accounts", token) == ALL_REFUSED
    assert gateway.burst(gw, f"{API}/me", token) == ALL_REFUSED
    assert gw.api_sign_in(email, PASSWORD).status == 401


def test_reactivation_does_not_revive_tokens_issued_before(
    gateway: Gateway, gw: Client, admin: str
) -> None:
    account_id, email = fresh_account(gw, admin)
    old = token_of(gw.api_sign_in(email, PASSWORD))
    assert gw.request("POST", f"{API}/accounts/{account_id}/deactivate", token=admin).status == 200
    assert gw.request("POST", f"{API}/accounts/{account_id}/activate", token=admin).status == 200
    assert gateway.burst(gw, f"{API}/me", old) == ALL_REFUSED
    new = token_of(gw.api_sign_in(email, PASSWORD))
    assert gateway.burst(gw, f"{API}/me", new) == ALL_OK
