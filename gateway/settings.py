"""Gateway settings: where the services are, the token secret, the first admin, rate limits."""

from __future__ import annotations

import dataclasses

from limits import parse

from services.common.settings import BaseSettings, env_field

from .transport import replica_urls

MIN_SECRET_LENGTH = 32
SERVICES = ("learner", "jobs", "matcher")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings(BaseSettings):
    """Everything the gateway reads from the environment."""

    service: str = env_field("QABILET_SERVICE", "gateway", doc="service name used in logs")
    port: int = env_field("QABILET_PORT", 8000, doc="port to listen on")
    db_name: str = env_field("QABILET_DB_NAME", "qabilet_gateway", doc="accounts database")
    jwt_secret: str = env_field(
        "QABILET_JWT_SECRET", doc="HS256 key signing access tokens (at least 32 characters)"
    )
    token_ttl: int = env_field("QABILET_TOKEN_TTL", 3600, doc="access token lifetime, seconds")
    admin_email: str | None = env_field(
        "QABILET_ADMIN_EMAIL", None, doc="first admin account, created at start if missing"
    )
    admin_password: str | None = env_field(
        "QABILET_ADMIN_PASSWORD", None, doc="password of the first admin account"
    )
    password_method: str = env_field(
        "QABILET_PASSWORD_METHOD", "scrypt", doc="werkzeug password hash method"
    )
    upstream_timeout: float = env_field(
        "QABILET_UPSTREAM_TIMEOUT", 10.0, doc="seconds to wait for a service's answer"
    )
    upstream_connect_timeout: float = env_field(
        "QABILET_UPSTREAM_CONNECT_TIMEOUT", 1.0, doc="seconds to wait for a connection"
    )
    upstream_idle_seconds: float = env_field(
        "QABILET_UPSTREAM_IDLE_SECONDS",
        1.5,
        doc="reopen a kept-alive connection idle this long before a non-GET (gunicorn drops at 2)",
    )
    breaker_failures: int = env_field(
        "QABILET_BREAKER_FAILURES", 3, doc="consecutive failures that open a service's circuit"
    )
    breaker_seconds: float = env_field(
        "QABILET_BREAKER_SECONDS", 5.0, doc="how long an open circuit fails fast"
    )
    ratelimit_storage: str = env_field(
        "QABILET_RATELIMIT_STORAGE", "memory://", doc="Flask-Limiter storage URI (redis://...)"
    )
    ratelimit_default: str = env_field(
        "QABILET_RATELIMIT_DEFAULT", "600/minute", doc="per signed-in account"
    )
    ratelimit_anonymous: str = env_field(
        "QABILET_RATELIMIT_ANONYMOUS", "120/minute", doc="per client address without a token"
    )
    ratelimit_login: str = env_field(
        "QABILET_RATELIMIT_LOGIN",
        "20/minute",
        doc="failed sign-ins per client address, whatever the email (page and API together, "
        "all workers); registrations per address (per worker)",
    )
    login_failures: int = env_field(
        "QABILET_LOGIN_FAILURES", 5, doc="failed sign-ins for one email before it must pause"
    )
    login_backoff: float = env_field(
        "QABILET_LOGIN_BACKOFF",
        30.0,
        doc="seconds of an email's first pause; each further failure doubles it",
    )
    login_backoff_max: float = env_field(
        "QABILET_LOGIN_BACKOFF_MAX", 900.0, doc="longest pause of an email, seconds"
    )
    login_window: float = env_field(
        "QABILET_LOGIN_WINDOW",
        900.0,
        doc="an email's failures are forgotten this long after the last one (or its pause)",
    )
    trusted_proxies: int = env_field(
        "QABILET_TRUSTED_PROXIES",
        0,
        doc="proxies in front of the gateway whose X-Forwarded-For entry names the client "
        "(0: believe none; 1 behind one ingress)",
    )
    cookie_secure: bool = env_field(
        "QABILET_COOKIE_SECURE", False, doc="mark the session cookie Secure (behind HTTPS)"
    )
    matcher_pokes: bool = env_field(
        "QABILET_MATCHER_POKES",
        True,
        doc="tell the matcher at once about a person's own edits (off only to test without)",
    )
    spec_ttl: float = env_field(
        "QABILET_SPEC_TTL", 60.0, doc="seconds the services' OpenAPI documents are cached"
    )

    def validate(self) -> list[str]:
        """Return a list of problems with these values (empty when usable)."""
        problems = super().validate()
        if len(self.jwt_secret) < MIN_SECRET_LENGTH:
            problems.append(
                f"QABILET_JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if bool(self.admin_email) != bool(self.admin_password):
            problems.append("set both QABILET_ADMIN_EMAIL and QABILET_ADMIN_PASSWORD, or neither")
        if self.admin_password is not None and len(self.admin_password) < 8:
            problems.append("QABILET_ADMIN_PASSWORD must be at least 8 characters")
        for name in SERVICES:
            urls = replica_urls(self.service_url(name))
            for url in urls or [""]:
                if not url.startswith("http://"):
                    problems.append(
                        f"QABILET_{name.upper()}_URL must start with http://, got {url!r}"
                    )
        if self.trusted_proxies < 0:
            problems.append("QABILET_TRUSTED_PROXIES must be 0 or more (the proxies in front)")
        if self.token_ttl <= 0 or self.upstream_timeout <= 0:
            problems.append("QABILET_TOKEN_TTL and QABILET_UPSTREAM_TIMEOUT must be positive")
        problems.extend(self._login_limit_problems())
        return problems

    def _login_limit_problems(self) -> list[str]:
        problems: list[str] = []
        try:
            parse(self.ratelimit_login)
        except ValueError:
            problems.append(
                f"QABILET_RATELIMIT_LOGIN must look like '20/minute', got {self.ratelimit_login!r}"
            )
        if self.login_failures < 1:
            problems.append("QABILET_LOGIN_FAILURES must be at least 1")
        if not 0 < self.login_backoff <= self.login_backoff_max or self.login_window <= 0:
            problems.append(
                "QABILET_LOGIN_BACKOFF must be positive and at most QABILET_LOGIN_BACKOFF_MAX; "
                "QABILET_LOGIN_WINDOW must be positive"
            )
        return problems

    def service_url(self, name: str) -> str:
        """Return the base URL of the service ``name``."""
        url: str = getattr(self, f"{name}_url")
        return url
