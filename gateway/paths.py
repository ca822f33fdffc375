"""What the gateway forwards: a path rebuilt from the route it authorised, never the raw URI.

The policy of a route looks at the route's parameters (``learner_id``, ``vacancy_id``...), so the
path sent on is built from exactly those parameters. Anything that could make the gateway and a
service read one request two ways (a ``SCRIPT_NAME`` prefix, rewrite headers, dot segments,
double-encoding, backslashes) is refused before any policy runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import quote, unquote

from flask import request

from services.common.errors import Problem, field_error

# Headers some proxies and frameworks honour to rewrite the path a request is routed on.
REWRITE_HEADERS = (
    "X-Original-URL",
    "X-Rewrite-URL",
    "X-Original-URI",
    "X-Forwarded-Prefix",
    "X-Forwarded-Path",
    "X-Forwarded-Uri",
    "X-Envoy-Original-Path",
    "Script-Name",
    "Path-Info",
)
# Characters an ESCO URI may carry inside a ``<path:...>`` parameter, sent unencoded.
PATH_PARAM_SAFE = "/:@!$&'()*+,=-._~"
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_FORBIDDEN_IN_ID = re.compile(r"[\x00-\x20\x7f/\\%;?#]")
_FORBIDDEN_IN_PATH = re.compile(r"[\x00-\x20\x7f\\%;?#]")


class PathRefused(Problem):
    """A request whose path could be read two ways."""

    status = 400
    kind = "bad-path"
    title = "Path refused"


def _refused(detail: str, field: str) -> PathRefused:
    return PathRefused(detail, errors=[field_error(field, detail)])


def refuse_ambiguous_request() -> None:
    """Raise 400 when the request carries a path prefix, rewrite headers or an inconsistent URI."""
    if request.environ.get("SCRIPT_NAME"):
        raise _refused("a SCRIPT_NAME prefix is not accepted", "SCRIPT_NAME")
    for name in REWRITE_HEADERS:
        if name in request.headers:
            raise _refused(f"the header {name} is not accepted", name)
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw is not None:
        raw_path = raw.split("?", 1)[0]
        # WSGI servers decode the path to latin-1 text; any other reading is a second reading.
        if not raw_path.startswith("/") or (
            unquote(raw_path, encoding="latin-1", errors="strict")
            != request.environ.get("PATH_INFO", "")
        ):
            raise _refused("the request path is not consistent", "path")


@lru_cache(maxsize=512)
def _parts(rule: str) -> tuple[tuple[str, str | None], ...]:
    """Split a route rule into literal pieces and (converter, name) parameters."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for match in _PARAM.finditer(rule):
        out.append((rule[pos : match.start()], None))
        out.append((match.group(2), match.group(1) or "default"))
        pos = match.end()
    out.append((rule[pos:], None))
    return tuple(out)


def check_params(rule: str, params: Mapping[str, str]) -> None:
    """Raise 400 if a routed parameter could be read differently by the service."""
    for name, converter in _parts(rule):
        if converter is None:
            continue
        value = params[name]
        pattern = _FORBIDDEN_IN_PATH if converter == "path" else _FORBIDDEN_IN_ID
        segments = value.split("/") if converter == "path" else [value]
        if (
            not value
            or pattern.search(value)
            or any(part in (".", "..") for part in segments)
            or (converter == "path" and value.startswith("/"))
        ):
            raise _refused(f"the path parameter {name!r} is not valid", name)


def build_path(rule: str, params: Mapping[str, str]) -> str:
    """Return the service path for ``rule`` filled with ``params`` (percent-encoded)."""
    check_params(rule, params)
    pieces = []
    for text, converter in _parts(rule):
        if converter is None:
            pieces.append(text)
        elif converter == "path":
            pieces.append(quote(params[text], safe=PATH_PARAM_SAFE))
        else:
            pieces.append(quote(params[text], safe=""))
    return "".join(pieces)
