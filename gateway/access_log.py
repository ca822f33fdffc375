"""The personal-data access log: who read which learner's data, when, which fields and why.

The gateway is the one place that knows the reader, so every read of a learner's record by
someone other than that learner (an employer opening an applicant or listing candidates, an
admin reading a learner) is written here by the route's policy, after the answer has been
redacted, so an entry names exactly the fields that left the gateway. One request makes at
most one insert (a candidate list is one bulk write). If the entry cannot be written the read
fails: personal data never leaves unrecorded.

The log lives in the gateway's database under its own alias: on the embedded store that is its
own directory and lock, so reading a long log never holds up sign-ins and token checks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import mongoengine as me
from flask import Flask, current_app, g, has_request_context, request

from services.common.clock import utcnow
from services.common.db import init_db
from services.common.errors import Problem, Unavailable

from .auth import Principal
from .proxy import API_PREFIX, Call, Proxy
from .transport import Upstream

log = logging.getLogger("qabilet.gateway.access_log")

ACCESS_ALIAS = "gateway_access"
KINDS = (
    "profile", "list", "candidate", "application", "enrolment", "record", "access-log",
    "invitation",
)  # fmt: skip
# Keys of a learner's records that say nothing about the person: everything else that is shown
# (name, email, CV, skills, region, cover letter, outcomes...) is named in the entry.
BOOKKEEPING = frozenset(
    {
        "id", "learner_id", "vacancy_id", "employer_id", "course_id", "application_id",
        "created_at", "updated_at", "allowed_transitions", "status", "history", "score",
        "missing_essential", "gap_closable", "anonymised",
    }
)  # fmt: skip
NAME_TTL = 300.0
NAME_RETRY = 5.0
NAME_CACHE_LIMIT = 10_000


class AccessEntry(me.Document):
    """One learner's data shown to one reader by one request."""

    learner_id = me.StringField(required=True, max_length=64)
    at = me.DateTimeField(required=True, default=utcnow)
    kind = me.StringField(required=True, choices=KINDS)
    disclosed = me.ListField(me.StringField(max_length=64))
    reader_account_id = me.StringField(required=True, max_length=64)
    reader_role = me.StringField(required=True, max_length=20)
    reader_employer_id = me.StringField(null=True, max_length=64)
    # The employer's name when it read, so a renamed or deleted employer is still recognisable.
    reader_employer_name = me.StringField(null=True, max_length=300)
    reader_provider_name = me.StringField(null=True, max_length=100)
    vacancy_id = me.StringField(null=True, max_length=64)
    application_id = me.StringField(null=True, max_length=64)
    route = me.StringField(required=True, max_length=600)
    page = me.StringField(null=True, max_length=600)
    request_id = me.StringField(null=True, max_length=64)
    meta: dict[str, Any] = {
        "db_alias": ACCESS_ALIAS,
        "collection": "access_log",
        "indexes": [("learner_id", "-at"), "-at"],
    }


@dataclass(frozen=True)
class Disclosure:
    """What one answer showed of one learner, and the record that justified it."""

    learner_id: str
    fields: tuple[str, ...]
    vacancy_id: str | None = None
    application_id: str | None = None


class Names:
    """Employer names and vacancy titles, cached briefly per worker (they rarely change)."""

    def __init__(self, ttl: float = NAME_TTL) -> None:
        self.ttl = ttl
        self._held: dict[tuple[str, str], tuple[str | None, float]] = {}
        self._guard = threading.Lock()

    def _get(self, proxy: Proxy, kind: str, record_id: str, field: str) -> str | None:
        key = (kind, record_id)
        now = time.monotonic()
        hit = self._held.get(key)
        if hit is not None and now < hit[1]:
            return hit[0]
        value: str | None = None
        until = now + self.ttl
        try:
            data = proxy.fetch("jobs", f"/{kind}/{quote(record_id, safe='')}")
            if isinstance(data, dict) and isinstance(data.get(field), str):
                value = data[field]
        except Problem:
            # Gone or unreachable: keep what we knew, and ask again soon.
            value, until = (hit[0] if hit is not None else None), now + NAME_RETRY
        with self._guard:
            if len(self._held) > NAME_CACHE_LIMIT:
                self._held.clear()
            self._held[key] = (value, until)
        return value

    def employer(self, proxy: Proxy, employer_id: str) -> str | None:
        """Return an employer's name (None if unknown)."""
        return self._get(proxy, "employers", employer_id, "name")

    def vacancy(self, proxy: Proxy, vacancy_id: str) -> str | None:
        """Return a vacancy's title (None if unknown)."""
        return self._get(proxy, "vacancies", vacancy_id, "title")


def names() -> Names:
    """Return the name cache of the running app."""
    held: Names = current_app.extensions["qabilet_access_names"]
    return held


def init_app(app: Flask) -> None:
    """Connect the access log's store and give the app its name cache."""
    init_db(app.config["SETTINGS"], ACCESS_ALIAS).init_app(app)
    app.extensions["qabilet_access_names"] = Names()


def shown_fields(record: dict[str, Any]) -> tuple[str, ...]:
    """Return the keys of a learner's record that carry something about the person."""
    return tuple(
        sorted(k for k, v in record.items() if k not in BOOKKEEPING and v not in (None, "", [], {}))
    )


def _about_learners(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every record in an answer that names a learner by ``learner_id``."""
    if isinstance(node, list):
        for item in node:
            yield from _about_learners(item)
    elif isinstance(node, dict):
        if node.get("learner_id") is not None:
            yield node
            return
        for value in node.values():
            yield from _about_learners(value)


def disclosures(
    data: Any,
    *,
    kind: str,
    learner_id: str | None = None,
    what: str | None = None,
    vacancy_id: str | None = None,
    application_id: str | None = None,
) -> list[Disclosure]:
    """Return what an answer showed, one disclosure per learner (fields merged)."""
    if learner_id is not None:
        if what is not None:
            fields: tuple[str, ...] = (what,) if data not in (None, [], {}) else ()
        else:
            fields = shown_fields(data) if isinstance(data, dict) else ()
        found = [Disclosure(learner_id, fields, vacancy_id, application_id)]
    elif kind == "list":
        items = data.get("items", []) if isinstance(data, dict) else []
        found = [
            Disclosure(str(item["id"]), shown_fields(item))
            for item in items
            if isinstance(item, dict) and item.get("id") is not None
        ]
    else:
        found = [_of_record(r, kind, vacancy_id, application_id) for r in _about_learners(data)]
    merged: dict[str, Disclosure] = {}
    for item in found:
        if not item.fields:
            continue
        held = merged.get(item.learner_id)
        if held is not None:
            fields = tuple(sorted(set(held.fields) | set(item.fields)))
            item = Disclosure(item.learner_id, fields, held.vacancy_id, held.application_id)
        merged[item.learner_id] = item
    return list(merged.values())


def _of_record(
    record: dict[str, Any], kind: str, vacancy_id: str | None, application_id: str | None
) -> Disclosure:
    own_id = record.get("id") if kind == "application" else None
    return Disclosure(
        str(record["learner_id"]),
        shown_fields(record),
        vacancy_id or _str_or_none(record.get("vacancy_id")),
        application_id or _str_or_none(own_id),
    )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def record(
    principal: Principal,
    kind: str,
    found: Iterable[Disclosure],
    *,
    route: str,
    proxy: Proxy | None = None,
) -> int:
    """Write one entry per disclosure in one insert; raise 503 if it cannot be written."""
    shown = [d for d in found if d.learner_id != principal.learner_id]
    if not shown:
        return 0
    employer_name = None
    if principal.employer_id and proxy is not None:
        employer_name = names().employer(proxy, principal.employer_id)
    page = request.path if has_request_context() and not request.path.startswith("/api/") else None
    now = utcnow()
    entries = [
        AccessEntry(
            learner_id=d.learner_id,
            at=now,
            kind=kind,
            disclosed=list(d.fields),
            reader_account_id=principal.account_id,
            reader_role=principal.role,
            reader_employer_id=principal.employer_id,
            reader_employer_name=employer_name,
            reader_provider_name=principal.provider_name,
            vacancy_id=d.vacancy_id,
            application_id=d.application_id,
            route=route[:600],
            page=page[:600] if page else None,
            request_id=g.get("request_id") if has_request_context() else None,
        )
        for d in shown
    ]
    try:
        AccessEntry.objects.insert(entries, load_bulk=False)
    except Exception as exc:
        log.exception("access log write failed", extra={"fields": {"entries": len(entries)}})
        raise Unavailable(
            "the read could not be recorded in the access log; try again",
            headers={"Retry-After": "2"},
        ) from exc
    return len(entries)


def recorder(
    call: Call,
    kind: str,
    *,
    learner_id: str | None = None,
    what: str | None = None,
    vacancy_id: str | None = None,
    application_id: str | None = None,
) -> Callable[[Upstream], Upstream]:
    """Return an answer filter that records what a successful answer shows of learners."""
    principal = call.principal

    def step(answer: Upstream) -> Upstream:
        if principal is None or answer.status >= 300:
            return answer
        found = disclosures(
            answer.json(),
            kind=kind,
            learner_id=learner_id,
            what=what,
            vacancy_id=vacancy_id,
            application_id=application_id,
        )
        path = call.target_path.split("?", 1)[0]
        record(principal, kind, found, route=f"{call.method} {API_PREFIX}{path}", proxy=call.proxy)
        return answer

    return step


def watch(call: Call, kind: str, **reason: str | None) -> None:
    """Record what the answer to ``call`` shows of learners, unless the caller is that learner.

    Call it last in a policy: it must see the answer after every other filter has run.
    """
    if call.principal is None or call.principal.role == "learner":
        return  # a learner only ever reaches their own records
    call.after.append(recorder(call, kind, **reason))


def watch_learner(call: Call, learner_id: str) -> None:
    """Record a read of a learner's profile, or of a resource under it (outcomes, paths...)."""
    path = call.target_path.split("?", 1)[0]
    prefix = f"/learners/{quote(learner_id, safe='')}"
    below = path[len(prefix) :].strip("/") if path.startswith(prefix) else ""
    if below:
        watch(call, "record", learner_id=learner_id, what=below.split("/", 1)[0])
    else:
        watch(call, "profile", learner_id=learner_id)
