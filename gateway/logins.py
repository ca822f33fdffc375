"""Password guessing limits: one budget per email (with back-off) and one per client address.

Both the login page and ``POST /api/v1/auth/token`` sign in through :func:`sign_in`, so they
spend the same budgets, and the budgets live in the gateway's store, so every gunicorn worker
counts against the same numbers (Flask-Limiter's ``memory://`` counts per worker).

- Per email (strict): after ``login_failures`` wrong passwords the email must pause for
  ``login_backoff`` seconds, doubling with each further failure up to ``login_backoff_max``.
  During a pause every attempt is refused with 429, the right password too, and nothing is
  checked. The count is cleared by a success, or forgotten ``login_window`` seconds after the
  last failure or pause. Unknown emails are counted the same way, so a pause tells nobody
  whether an account exists.
- Per address (generous): at most ``ratelimit_login`` failed sign-ins, whatever the email,
  so one machine cannot spray guesses over many accounts; a person at the same address
  signing into another account is not stopped because one account was guessed.

An attempt is charged before its password is checked, inside one store transaction
(:func:`services.common.db.transaction`), so concurrent guesses on any worker get exactly the
budget (on a server two charges of one email or address write the same document: the second
meets a write conflict and runs again on the first one's count); a success gives the address's
charge back and clears the email's count.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from limits import parse

from services.common.db import transaction
from services.common.errors import Problem

from . import accounts
from .models import ALIAS, Account, LoginFailures
from .settings import Settings

PURGE_CHANCE = 0.02  # share of charged attempts that also delete expired counts


class TooManyAttempts(Problem):
    """A sign-in refused without checking the password: wait ``retry_after`` seconds."""

    status = 429
    kind = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Keys:
    email: str
    address: str


def email_key(settings: Settings, email: str) -> str:
    """Return the store key of an email's count (a keyed hash: no address book of guesses)."""
    normal = accounts.normalise_email(email).encode()
    digest = hmac.new(settings.jwt_secret.encode(), b"login|" + normal, hashlib.sha256)
    return "email:" + digest.hexdigest()[:40]


def address_key(address: str | None) -> str:
    """Return the store key of a client address (an IPv6 client is its /64: one machine)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "addr:unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"addr:{ip.ipv4_mapped}"
        return f"addr:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"addr:{ip}"


def _pause(settings: Settings, failures: int) -> float:
    """Seconds an email must pause after its ``failures``-th failure (0: none yet)."""
    over = failures - settings.login_failures
    if over < 0:
        return 0.0
    return min(settings.login_backoff * 2.0 ** min(over, 60), settings.login_backoff_max)


def _expires(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def _forgotten_at(settings: Settings, email: dict[str, Any]) -> float:
    """When an email's failures are forgotten: a window after its last failure or pause."""
    return float(max(email["last"], email["blocked_until"])) + settings.login_window


def _charge(settings: Settings, keys: _Keys, now: float) -> None:
    """Count one attempt against both budgets, or raise TooManyAttempts (charging nothing)."""
    limit = parse(settings.ratelimit_login)
    period = float(limit.get_expiry())
    store = LoginFailures._get_collection()

    def write() -> None:
        email: dict[str, Any] | None = store.find_one({"_id": keys.email})
        address: dict[str, Any] | None = store.find_one({"_id": keys.address})
        if email is not None and now > _forgotten_at(settings, email):
            email = None
        if address is not None and now >= address["started"] + period:
            address = None  # a new window
        if email is not None and email["blocked_until"] > now:
            wait = math.ceil(email["blocked_until"] - now)
            raise TooManyAttempts(
                f"too many failed sign-ins for this email; try again in {wait} s", wait
            )
        if address is not None and address["failures"] >= limit.amount:
            wait = math.ceil(address["started"] + period - now)
            raise TooManyAttempts(
                f"too many failed sign-ins from this address; try again in {wait} s", wait
            )
        failures = (email["failures"] if email else 0) + 1
        pause = _pause(settings, failures)
        blocked_until = now + pause if pause else 0.0
        store.replace_one(
            {"_id": keys.email},
            {
                "failures": failures,
                "started": email["started"] if email else now,
                "last": now,
                "blocked_until": blocked_until,
                "expires_at": _expires(max(now, blocked_until) + settings.login_window),
            },
            upsert=True,
        )
        started = address["started"] if address else now
        store.replace_one(
            {"_id": keys.address},
            {
                "failures": (address["failures"] if address else 0) + 1,
                "started": started,
                "last": now,
                "blocked_until": 0.0,
                "expires_at": _expires(started + period),
            },
            upsert=True,
        )
        if random.random() < PURGE_CHANCE:
            store.delete_many({"expires_at": {"$lt": _expires(now)}})

    transaction(ALIAS, write)


def _succeeded(keys: _Keys) -> None:
    """Clear the email's count and give the address its charge back (only failures count)."""
    store = LoginFailures._get_collection()

    def write() -> None:
        store.delete_one({"_id": keys.email})
        store.update_one({"_id": keys.address, "failures": {"$gt": 0}}, {"$inc": {"failures": -1}})

    transaction(ALIAS, write)


def sign_in(*, email: str, password: str, address: str | None, settings: Settings) -> Account:
    """Return the account for these credentials; raise TooManyAttempts (429) or Unauthorized."""
    keys = _Keys(email=email_key(settings, email), address=address_key(address))
    _charge(settings, keys, time.time())
    account = accounts.authenticate(email=email, password=password, method=settings.password_method)
    _succeeded(keys)
    return account
