"""The gateway's app factory: accounts, tokens, rate limits, the proxied API, docs and pages."""

from __future__ import annotations

import hmac
import uuid

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from services.common.app import create_service_app
from services.common.identity import signer_for

from . import access_log, accounts
from .access_log_views import bp as access_log_bp
from .api import accounts_bp
from .api import bp as auth_bp
from .auth import Tokens
from .docs import bp as docs_bp
from .ministry.api import bp as ministry_bp
from .models import ALIAS
from .pages import bp as pages_bp
from .paths import refuse_ambiguous_request
from .pokes import init_pokes
from .proxy import API_PREFIX, Proxy
from .ratelimit import init_rate_limits
from .settings import SERVICES, Settings
from .specs import TITLE, Specs
from .transport import HttpTransport, Transport
from .views import register_routes

HTML_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}


def http_transport(settings: Settings) -> HttpTransport:
    """Return the production transport: kept-alive connections to the configured services."""
    return HttpTransport(
        {name: settings.service_url(name) for name in SERVICES},
        timeout=settings.upstream_timeout,
        connect_timeout=settings.upstream_connect_timeout,
        idle_seconds=settings.upstream_idle_seconds,
        breaker_failures=settings.breaker_failures,
        breaker_seconds=settings.breaker_seconds,
    )


def trust_proxies(app: Flask, hops: int) -> None:
    """Take the client address from the last ``hops`` X-Forwarded-For entries (0: never)."""
    if hops <= 0:
        return  # a client-sent X-Forwarded-For is then ignored: no address can be claimed
    # Only the address: the limits and the access log need it, and nothing here reads the
    # forwarded host, scheme, port or prefix (redirects are relative, cookies' Secure comes from
    # QABILET_COOKIE_SECURE, paths.py refuses forwarded prefixes), so none of those is believed.
    # ProxyFix reads the entries from the right, the ones our own proxies appended, so entries
    # a client wrote to the left of them are never taken.
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0
    )


def create_app(settings: Settings | None = None, *, transport: Transport | None = None) -> Flask:
    """Build the gateway (the first admin is created here if configured and missing)."""
    settings = settings or Settings.from_env()
    # The shared factory, without what only a service behind the door has: the gateway verifies
    # no caller's signature (it signs its own calls), serves the merged OpenAPI document itself
    # (gateway/docs.py) and follows no feed. ESCO URIs ("http://...") travel inside paths, so
    # "//" must not be merged (a redirect would send them away).
    app = create_service_app(
        __name__,
        settings,
        alias=ALIAS,
        blueprints=[auth_bp, accounts_bp, docs_bp, ministry_bp, access_log_bp, pages_bp],
        title=TITLE,
        feed=False,
        identity=False,
        openapi=False,
        merge_slashes=False,
    )
    trust_proxies(app, settings.trusted_proxies)
    # Flask's signed session carries only flash messages; its key derives from the token secret.
    app.secret_key = hmac.new(settings.jwt_secret.encode(), b"flask-session", "sha256").hexdigest()
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.cookie_secure)

    @app.before_request
    def mint_request_id() -> None:
        # The public door mints every id itself: a client-chosen id could forge log trails.
        g.request_id = uuid.uuid4().hex
        refuse_ambiguous_request()

    proxy = Proxy(transport or http_transport(settings), signer_for(settings, "gateway"))
    app.extensions["qabilet_proxy"] = proxy
    init_pokes(app, proxy, enabled=settings.matcher_pokes)
    app.extensions["qabilet_tokens"] = Tokens(settings)
    app.extensions["qabilet_specs"] = Specs(proxy, settings.spec_ttl)

    @app.after_request
    def harden(response: Response) -> Response:
        # No answer may be sniffed into another type. API answers carry people's data or
        # tokens, so no browser or proxy cache may keep them, whatever a service said.
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.path.startswith(API_PREFIX + "/"):
            response.headers["Cache-Control"] = "no-store"
        if response.mimetype == "text/html":
            for name, value in HTML_HEADERS.items():
                response.headers.setdefault(name, value)
        return response

    access_log.init_app(app)
    register_routes(app)
    init_rate_limits(app, settings)
    accounts.ensure_admin(settings)
    return app
