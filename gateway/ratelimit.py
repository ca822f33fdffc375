"""Per-client rate limits (Flask-Limiter): by account when signed in, by address otherwise."""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded
from limits.storage import MemoryStorage

from services.common.errors import problem_response

from .auth import client_key, current_principal
from .settings import Settings

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/favicon.ico"})
# Signing in has its own budgets in the store, shared by every worker (gateway/logins.py).
LIMITED_VIEWS = ("auth.register", "pages.register")


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process counters, with their clean-up sweep run at most once a second.

    limits 5.8's ``MemoryStorage`` starts a new ``threading.Timer(0.01)`` on every hit whose
    previous timer has finished: at a few hundred requests a second, a thread started every
    few requests, on the request path (measured with py-spy under `make bench-gateway`: the
    limiter's hit was over half of the gateway's time before a view). Counters past their
    window are dropped when read (``get``) whatever the sweep does, so limits are the same;
    the sweep only bounds memory.
    """

    STORAGE_SCHEME = ["qabilet-memory"]
    SWEEP_SECONDS = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # overrides the name-mangled private
        if not self.timer.is_alive():
            sweep = self._MemoryStorage__expire_events  # type: ignore[attr-defined]
            self.timer = threading.Timer(self.SWEEP_SECONDS, sweep)
            self.timer.daemon = True
            self.timer.start()


def storage_uri(configured: str) -> str:
    """Return the limiter's storage URI: ``memory://`` means the swept in-process counters."""
    return "qabilet-memory://" if configured.startswith("memory://") else configured


def _address() -> str:
    return "ip:" + (request.remote_addr or "unknown")


def init_rate_limits(app: Flask, settings: Settings) -> Limiter:
    """Attach the limiter to ``app``; call after every view is registered."""

    def per_client() -> str:
        if current_principal() is not None:
            return settings.ratelimit_default
        return settings.ratelimit_anonymous

    limiter = Limiter(
        key_func=client_key,
        app=app,
        application_limits=[per_client],
        storage_uri=storage_uri(settings.ratelimit_storage),
        strategy="fixed-window",
        headers_enabled=False,
        key_prefix="qabilet-gw",
    )

    @limiter.request_filter
    def exempt() -> bool:
        return request.path in EXEMPT_PATHS or request.path.startswith("/static/")

    # Registrations are limited per address, separately from the general budget.
    register = limiter.limit(
        settings.ratelimit_login,
        key_func=_address,
        methods=["POST"],
        scope="register",
        per_method=False,
    )
    for name in LIMITED_VIEWS:
        if name in app.view_functions:
            app.view_functions[name] = register(app.view_functions[name])  # type: ignore[assignment]

    @app.errorhandler(RateLimitExceeded)
    def on_rate_limited(exc: RateLimitExceeded) -> Response:
        current = limiter.current_limit
        wait = 1
        if current is not None:
            wait = max(1, math.ceil(current.reset_at - time.time()))
        return problem_response(
            429,
            "rate-limited",
            "Too many requests",
            f"the limit of {exc.description} was reached; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )

    return limiter
