"""Finding 7: password guessing meets one budget per account, with back-off, and one per address.

The budgets are shared by the API (POST /api/v1/auth/token) and the login page, and by every
gunicorn worker (they live in the gateway's store). Each test sends from its own loopback
address, as if from its own machine, so the per-address budget of one does not leak into
another.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.i18n import translate
from gateway.logins import address_key
from tests.gateway import conftest as gateway_tests
from tests.security.lone_gateway import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    Answer,
    Client,
    Gateway,
    lone_gateway,
    make_account,
    token_of,
)

pytestmark = pytest.mark.slow

FAILURES = 3  # wrong passwords for one email before it must pause
BACKOFF = 3  # seconds of the first pause; each further failure doubles it
PER_ADDRESS = 6  # failed sign-ins from one address per minute, whatever the email
LIMITS = {
    "QABILET_LOGIN_FAILURES": str(FAILURES),
    "QABILET_LOGIN_BACKOFF": str(BACKOFF),
    "QABILET_LOGIN_BACKOFF_MAX": "60",
    "QABILET_LOGIN_WINDOW": "120",
    "QABILET_RATELIMIT_LOGIN": f"{PER_ADDRESS}/minute",
}
GUESS = "not-the-password"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with lone_gateway(tmp_path_factory.mktemp("logins"), LIMITS) as running:
        yield running


@pytest.fixture(scope="module")
def admin(gateway: Gateway) -> str:
    return token_of(Client(gateway.url).api_sign_in(ADMIN_EMAIL, ADMIN_PASSWORD))


def account(gateway: Gateway, admin: str) -> str:
    """Create a fresh account with PASSWORD; return its email."""
    email = f"person-{uuid.uuid4().hex[:8]}@enbek.kz"
    make_account(Client(gateway.url), admin, email)
    return email


def from_address(gateway: Gateway, last_octet: int) -> Client:
    """A client sending from 127.0.0.<last_octet>: another machine to the gateway."""
    return Client(gateway.url, source=f"127.0.0.{last_octet}")


def retry_after(answer: Answer) -> int:
    """Return the Retry-After of a 429, checking it is a positive number of seconds."""
    assert answer.status == 429, (answer.status, answer.text[:300])
    seconds = int(answer.headers["retry-after"])
    assert seconds >= 1
    return seconds


def test_api_and_page_spend_one_budget_per_account(gateway: Gateway, admin: str) -> None:
    email, client = account(gateway, admin), from_address(gateway, 11)
    assert client.api_sign_in(email, GUESS).status == 401
    assert client.page_sign_in(email, GUESS).status == 401
    assert client.api_sign_in(email, GUESS).status == 401
    # The right password during the pause is refused too: that is what back-off means.
    api = client.api_sign_in(email, PASSWORD)
    assert retry_after(api) <= BACKOFF
    assert api.headers["content-type"].startswith("application/problem+json")
    assert "try again in" in api.body["detail"] and "access_token" not in api.body
    page = client.page_sign_in(email, PASSWORD, lang="kk")
    seconds = retry_after(page)
    assert page.headers["content-type"].startswith("text/html")
    assert translate("kk", "login.too_many", seconds=seconds) in page.text
    assert f'value="{email}"' in page.text  # what was typed is kept
    assert "qabilet_session" not in client.cookies


def test_back_off_doubles_with_each_further_failure(gateway: Gateway, admin: str) -> None:
    email, client = account(gateway, admin), from_address(gateway, 12)
    assert [client.api_sign_in(email, GUESS).status for _ in range(FAILURES)] == [401] * FAILURES
    pauses = [retry_after(client.api_sign_in(email, GUESS))]
    for _ in range(2):
        time.sleep(pauses[-1] + 0.2)
        assert client.page_sign_in(email, GUESS).status == 401  # the pause is over: one try
        pauses.append(retry_after(client.api_sign_in(email, GUESS)))
    first, second, third = pauses
    assert first <= BACKOFF < second <= 2 * BACKOFF < third <= 4 * BACKOFF, pauses
    assert second >= 2 * first - 1 and third >= 2 * second - 1, pauses


def test_a_success_clears_the_account_budget(gateway: Gateway, admin: str) -> None:
    email, client = account(gateway, admin), from_address(gateway, 13)
    assert [client.api_sign_in(email, GUESS).status for _ in range(FAILURES - 1)] == [401, 401]
    assert client.api_sign_in(email, PASSWORD).status == 200
    again = [client.page_sign_in(email, GUESS).status for _ in range(FAILURES - 1)]
    assert again == [401, 401]
    assert client.page_sign_in(email, PASSWORD).status == 302


def test_another_account_from_the_same_address_still_signs_in(gateway: Gateway, admin: str) -> None:
    guessed, other = account(gateway, admin), account(gateway, admin)
    client = from_address(gateway, 14)
    codes = [client.api_sign_in(guessed, GUESS).status for _ in range(FAILURES + 3)]
    assert codes == [401] * FAILURES + [429] * 3
    assert client.api_sign_in(other, PASSWORD).status == 200  # its first try
    assert client.page_sign_in(other, GUESS).status == 401  # its own budget is untouched
    assert client.page_sign_in(other, PASSWORD).status == 302


def test_unknown_email_pauses_exactly_like_a_real_one(gateway: Gateway, admin: str) -> None:
    real, unknown = account(gateway, admin), f"nobody-{uuid.uuid4().hex[:8]}@enbek.kz"
    client = from_address(gateway, 15)
    answers = {}
    for email in (real, unknown):
        codes = [client.api_sign_in(email, GUESS).status for _ in range(FAILURES)]
        assert codes == [401] * FAILURES
        answers[email] = client.api_sign_in(email, GUESS)
        retry_after(answers[email])
    said = {email: answer.body["detail"].split(";")[0] for email, answer in answers.items()}
    assert said[real] == said[unknown]


def test_address_budget_spans_accounts_page_api_and_workers(gateway: Gateway, admin: str) -> None:
    target, client = account(gateway, admin), from_address(gateway, 16)
    for n in range(PER_ADDRESS):  # spraying: one guess each at many emails
        email = f"spray-{n}-{uuid.uuid4().hex[:6]}@enbek.kz"
        sign_in = client.api_sign_in if n % 2 else client.page_sign_in
        assert sign_in(email, GUESS).status == 401
    assert retry_after(client.api_sign_in(target, PASSWORD)) <= 60
    assert retry_after(client.page_sign_in(target, PASSWORD)) <= 60
    # The budget is the address's: the same account from another machine signs in.
    assert from_address(gateway, 17).api_sign_in(target, PASSWORD).status == 200


def test_concurrent_guesses_get_exactly_the_budget(gateway: Gateway, admin: str) -> None:
    email, client = account(gateway, admin), from_address(gateway, 18)
    with ThreadPoolExecutor(6) as pool:
        codes = sorted(pool.map(lambda _: client.api_sign_in(email, GUESS).status, range(12)))
    assert codes == [401] * FAILURES + [429] * (12 - FAILURES)


def test_failures_are_forgotten_once_the_window_passes(tmp_path: Path) -> None:
    settings = gateway_tests.gateway_settings(
        tmp_path / "gw",
        None,
        login_failures=FAILURES,
        login_window=1.0,
        ratelimit_login="99/minute",
    )
    app = create_app(settings)
    gw, guess = app.test_client(), {"email": gateway_tests.ADMIN_EMAIL, "password": GUESS}
    try:
        assert [gw.post("/api/v1/auth/token", json=guess).status_code for _ in range(2)] == [
            401
        ] * 2
        time.sleep(1.3)
        codes = [gw.post("/api/v1/auth/token", json=guess).status_code for _ in range(FAILURES + 1)]
        assert codes == [401] * FAILURES + [429]
    finally:
        gateway_tests.close_gateway(app)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "addr:203.0.113.7"),
        ("::ffff:203.0.113.7", "addr:203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "addr:2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "addr:2001:db8:1:2::/64"),  # the same machine's other address
        (None, "addr:unknown"),
    ],
)
def test_an_address_budget_is_per_machine(address: str | None, key: str) -> None:
    assert address_key(address) == key
