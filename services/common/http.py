"""Service-to-service HTTP: pooled keep-alive connections, timeouts, request ids passed on."""

from __future__ import annotations

import json
from typing import Any, Self

import urllib3

from .errors import Unavailable
from .identity import Signer, signer_for
from .logs import REQUEST_ID_HEADER, current_request_id
from .settings import BaseSettings


class _IdempotentRetry(urllib3.Retry):
    """urllib3's retry policy, except that a read timeout is final.

    urllib3 counts two things as read errors: a connection that broke before the answer came (a
    kept-alive connection the server closed idle just as the request went out; gunicorn's gthread
    workers drop them after 2 s) and a read timeout. The first is worth one more try on a fresh
    connection; the second would only double the caller's wait on a service that is slow.
    """

    def increment(self, *args: Any, **kwargs: Any) -> Self:
        error = kwargs.get("error")
        if isinstance(error, urllib3.exceptions.ReadTimeoutError):
            raise error
        return super().increment(*args, **kwargs)


class ServiceClient:
    """A JSON client for one internal service, safe to share between threads."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        retries: int = 1,
        signer: Signer | None = None,
        audience: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signer = signer
        self.audience = audience
        self.timeout = urllib3.Timeout(connect=min(timeout, 2.0), read=timeout)
        self.retries = retries
        self.pool = urllib3.PoolManager(num_pools=4, maxsize=16, block=False)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Send a request; return (status, decoded JSON or None). Raise Unavailable if down."""
        sent = {"Accept": "application/json", **(headers or {})}
        if self.signer is not None:
            sent.update(self.signer.headers(self.audience))
        rid = current_request_id()
        if rid:
            sent[REQUEST_ID_HEADER] = rid
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        # Only idempotent reads are retried: after a refused connection, or a kept-alive one the
        # server dropped as the request went out. A read timeout is never retried (see below).
        retries = _IdempotentRetry(
            total=self.retries if method == "GET" else 0,
            connect=self.retries,
            read=self.retries if method == "GET" else 0,
            redirect=0,
            status=0,
            backoff_factor=0.05,
            allowed_methods={"GET"},
        )
        try:
            resp = (
                self.pool.request(
                    method,
                    self.base_url + path,
                    fields=params,
                    body=data,
                    headers=sent,
                    timeout=self.timeout,
                    retries=retries,
                )
                if params and body is None
                else self.pool.request(
                    method,
                    self.base_url + path,
                    body=data,
                    headers=sent,
                    timeout=self.timeout,
                    retries=retries,
                )
            )
        except urllib3.exceptions.HTTPError as exc:
            raise Unavailable(
                f"{self.base_url} did not answer: {type(exc).__name__}",
                headers={"Retry-After": "5"},
            ) from exc
        payload = json.loads(resp.data) if resp.data else None
        return resp.status, payload

    def get(self, path: str, **params: Any) -> Any:
        """GET ``path`` and return its JSON, raising Unavailable on any non-2xx."""
        status, payload = self.request(
            "GET", path, params={k: v for k, v in params.items() if v is not None}
        )
        if status >= 300:
            raise Unavailable(f"{self.base_url}{path} answered {status}", status=502)
        return payload


def client_for(settings: BaseSettings, service: str, *, timeout: float = 5.0) -> ServiceClient:
    """Return a client that calls ``service`` as this service, with its caller token."""
    url: str = getattr(settings, f"{service}_url")
    return ServiceClient(url, timeout=timeout, signer=signer_for(settings), audience=service)
