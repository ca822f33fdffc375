"""Forward a public request to its service and pass the answer back, bytes untouched."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Response, current_app, g

from services.common.errors import PROBLEM_JSON, NotFound, Problem, Unavailable, field_error
from services.common.identity import Signer
from services.common.logs import REQUEST_ID_HEADER

from .auth import Principal
from .transport import Transport, Upstream, UpstreamError

log = logging.getLogger("qabilet.gateway.proxy")

API_PREFIX = "/api/v1"


class GatewayTimeout(Problem):
    status = 504
    kind = "gateway-timeout"
    title = "Service did not answer in time"


class BadGateway(Problem):
    status = 502
    kind = "bad-gateway"
    title = "Service failed"


def upstream_problem(exc: UpstreamError) -> Problem:
    """Turn a transport failure into the problem the client sees."""
    headers = {"Retry-After": str(exc.retry_after)}
    detail = f"the {exc.service} service is {exc.reason}; try again shortly"
    if exc.timeout:
        return GatewayTimeout(detail, headers=headers, service=exc.service)
    return Unavailable(detail, headers=headers, service=exc.service)


class Proxy:
    """Send requests to the services on behalf of the gateway, through a swappable transport."""

    def __init__(self, transport: Transport, signer: Signer) -> None:
        self.transport = transport
        self.signer = signer

    def send(
        self,
        service: str,
        method: str,
        target: str,
        body: bytes | None = None,
        content_type: str | None = None,
        *,
        replica: int | None = None,
    ) -> Upstream:
        """Send one request (to one ``replica`` if given); 503/504 problems when down or slow."""
        # Every call carries the gateway's identity; the client's own credentials never pass on.
        headers = {"Accept": "application/json", **self.signer.headers(service)}
        rid = g.get("request_id") if g else None
        if rid:
            headers[REQUEST_ID_HEADER] = rid
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        try:
            if replica is not None:  # only the production transport knows replicas
                return self.transport.send(  # type: ignore[call-arg]
                    service, method, target, body, headers, replica=replica
                )
            return self.transport.send(service, method, target, body, headers)
        except UpstreamError as exc:
            log.warning(
                "upstream failed",
                extra={"fields": {"service": service, "target": target, "reason": exc.reason}},
            )
            raise upstream_problem(exc) from exc

    def call_json(
        self,
        service: str,
        method: str,
        target: str,
        payload: Any = None,
        *,
        replica: int | None = None,
    ) -> Upstream:
        """Send a JSON body (or none) and return the answer."""
        body = None if payload is None else json.dumps(payload).encode()
        return self.send(service, method, target, body, replica=replica)

    def replica_count(self, service: str) -> int:
        """Return how many replicas of ``service`` the transport balances across (1 if unknown)."""
        count = getattr(self.transport, "replica_count", None)
        return int(count(service)) if count is not None else 1

    def fetch(self, service: str, target: str) -> Any:
        """GET a JSON resource for the gateway's own checks; 404 and failures become problems."""
        answer = self.send(service, "GET", target)
        if answer.status == 404:
            raise NotFound("no such record")
        if answer.status >= 400:
            raise passthrough_problem(answer)
        return answer.json()


def parse_json(body: bytes) -> Any:
    """Decode a client's JSON body; None if malformed, 400 if it nests past what we parse."""
    try:
        return json.loads(body)
    except RecursionError as exc:
        raise Problem(
            "the body nests too deeply",
            errors=[field_error("body", "JSON nested too deeply")],
        ) from exc
    except ValueError:
        return None


def passthrough_problem(answer: Upstream) -> Problem:
    """Re-raise a service's error answer as a problem with the same status and detail."""
    data = answer.json() if isinstance(answer.json(), dict) else {}
    problem = Problem(
        str(data.get("detail") or "the service refused the request"),
        errors=list(data.get("errors") or []),
        status=answer.status if answer.status < 500 else 502,
    )
    problem.kind = str(data.get("type", "")).rsplit("/", 1)[-1] or "bad-request"
    problem.title = str(data.get("title") or "Error")
    return problem


def to_response(answer: Upstream) -> Response:
    """Return a service's answer to the client as it came (a 5xx is reported as 502)."""
    if answer.status >= 500 and answer.status not in (503, 504):
        raise BadGateway("a service failed while answering; the error has been logged")
    resp = Response(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        resp.headers[name] = value
    if "Content-Type" not in answer.headers:
        resp.headers["Content-Type"] = PROBLEM_JSON if answer.status >= 400 else "application/json"
    return resp


@dataclass
class Call:
    """A public request on its way to a service; policies inspect and adjust it."""

    principal: Principal | None
    method: str
    service: str
    params: dict[str, str]
    proxy: Proxy
    target_path: str
    raw_query: str
    args: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = None
    body: bytes | None = None
    query_changes: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    body_changed: bool = False
    after: list[Callable[[Upstream], Upstream]] = field(default_factory=list)
    # Why an ownership check let the caller see the record (the access log names it).
    reason: dict[str, str | None] = field(default_factory=dict)

    @property
    def role(self) -> str | None:
        """Return the caller's role (None when anonymous)."""
        return self.principal.role if self.principal else None

    def arg(self, name: str) -> str | None:
        """Return a query argument as the client sent it."""
        return self.args.get(name)

    def set_arg(self, name: str, value: str) -> None:
        """Replace a query argument before forwarding."""
        self.query_changes[name] = value

    def body_json(self) -> Any:
        """Return the JSON body (None if absent or malformed: the service will say why)."""
        if self.json_body is None and self.body:
            self.json_body = parse_json(self.body)
        return self.json_body

    def set_body_field(self, name: str, value: Any) -> None:
        """Set one field of a JSON object body before forwarding."""
        data = self.body_json()
        if isinstance(data, dict):
            data[name] = value
            self.body_changed = True

    def target(self) -> str:
        """Return the path and query to send to the service."""
        query = self.raw_query
        if self.query_changes:
            pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
            pairs = [(k, v) for k, v in pairs if k not in self.query_changes]
            pairs.extend(self.query_changes.items())
            query = urlencode(pairs)
        return self.target_path + ("?" + query if query else "")

    def forward(self) -> Upstream:
        """Send the request to its service and run the answer through the policies' filters."""
        body = self.body
        if self.body_changed:
            body = json.dumps(self.json_body).encode()
        answer = self.proxy.send(self.service, self.method, self.target(), body, self.content_type)
        for step in self.after:
            answer = step(answer)
        return answer


def proxy_of_app() -> Proxy:
    """Return the proxy of the running app."""
    proxy: Proxy = current_app.extensions["qabilet_proxy"]
    return proxy
