"""What each audience may see of an answer: allowlists, not a list of fields to strip.

An audience sees only the fields its allowlist names, at any depth of the answer; a field a
service adds later stays hidden from it until it is named here. A record about a learner the
audience may see in full (an applicant, to the employer of the vacancy) is shown whole. The
learner (of their own records) and admin see every field: the ownership checks decide which
records reach them. Candidate lists also keep only learners who exist and consent at the
moment of reading (asked of the learner service in one call: the matcher's copy may lag).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from services.common.errors import Unavailable
from services.common.state import current_settings

from .auth import Principal
from .proxy import Call
from .transport import Upstream

CANDIDATE_LISTS = ("candidates", "trainable")
APPLICANT_PAGE = 200
APPLICANT_PAGES = 25

# A vacancy's candidate list (the matcher's CandidatesOut) as its employer sees a learner who
# has not applied: how well they fit and what they would need, never who they are.
CANDIDATE_FIELDS = frozenset(
    {
        # the list
        "vacancy_id", "weights", "trainable_k", "considered", "candidates", "trainable",
        # the ranking's weights and one candidate's score
        "similarity", "coverage", "essential_skill", "optional_skill", "similarity_floor",
        "total", "cosine",
        # a candidate
        "learner_id", "region", "programme", "score", "matched_skills", "missing_skills",
        "missing_essential", "courses", "hours", "uncoverable_skills", "gap_closable",
        # a skill, and a course that would close the gap
        "uri", "label", "essential", "course_id", "title", "provider", "hours_estimated",
        "covers",
        # an answer computed before the matcher finished indexing (what it used, how far it is)
        "provisional", "provisional_basis", "indexing", "done", "message", "events_done",
        "events_total",
    }
)  # fmt: skip

# The ministry's reports (learner and matcher /reports/*): counts, rates, medians, group names.
REPORT_FIELDS = frozenset(
    {
        # every report's envelope
        "filters", "from", "to", "programme", "region", "provider", "generated_at", "as_of",
        "seq", "updated_at", "current", "suppression",
        # funnel, outcomes, providers
        "funnel", "stages", "stage", "count", "enrolled", "completed", "hired_30d", "hired_90d",
        "hired_180d", "completion_rate", "placement_rate_180d", "median_days_to_hire",
        "median_starting_salary", "salaries_reported", "by_programme", "by_region", "rows",
        "group", "total", "providers", "rank",
        # skills gap
        "open_vacancies", "learners", "skills", "skill", "label", "vacancies", "share_essential",
        "gap", "courses_count", "courses", "course_id", "title", "hours",
        # fairness
        "sample", "seed", "threshold", "metrics", "mean_top10_score", "above_threshold",
        "exposure", "overall", "by_area", "by_language", "groups", "disparity_ratio",
    }
)  # fmt: skip


# Enrolments on a training provider's own courses: the records, never who the learner is (the
# learner's id is replaced by a pseudonym of that provider's, see :func:`pseudonymised`).
PROVIDER_ENROLMENT_FIELDS = frozenset(
    {
        "items", "total", "limit", "offset",
        "id", "learner_id", "course_id", "status", "enrolled_at", "completed_at", "dropped_at",
        "grade", "anonymised", "reported_by",
    }
)  # fmt: skip
# A provider's CSV upload report: counts and each row's fate (learners by pseudonym).
PROVIDER_UPLOAD_FIELDS = frozenset(
    {
        "provider_key", "received", "applied", "rejected", "not_reached", "reported_by", "at",
        "rows",
        "row", "status", "code", "action", "course_id", "learner_id", "enrolment_id", "errors",
        "field", "message",
    }
)  # fmt: skip
PSEUDONYM_PREFIX = "p-"


@dataclass(frozen=True)
class Audience:
    """Who is shown an answer, and the fields they may see of it (None: every field)."""

    name: str
    sees: frozenset[str] | None


LEARNER_SELF = Audience("the learner, of their own records", None)
EMPLOYER_CANDIDATE = Audience("an employer, of a candidate who has not applied", CANDIDATE_FIELDS)
MINISTRY = Audience("the ministry, of a report", REPORT_FIELDS)
PROVIDER = Audience("a training provider, of enrolments on its courses", PROVIDER_ENROLMENT_FIELDS)
PROVIDER_UPLOAD = Audience("a training provider, of its upload's report", PROVIDER_UPLOAD_FIELDS)
ADMIN = Audience("admin", None)
NOBODY = Audience("anyone else", frozenset())
AUDIENCES = {
    "learner": LEARNER_SELF,
    "employer": EMPLOYER_CANDIDATE,
    "ministry": MINISTRY,
    "provider": PROVIDER,
    "admin": ADMIN,
}


def audience_of(principal: Principal | None) -> Audience:
    """Return the audience a caller belongs to on a redacted route."""
    return AUDIENCES.get(principal.role, NOBODY) if principal is not None else NOBODY


def _learner_key(node: dict[str, Any]) -> str | None:
    value = node.get("learner_id")
    if value is None and isinstance(node.get("learner"), dict):
        value = node["learner"].get("id")
    return None if value is None else str(value)


def redact(node: Any, audience: Audience, keep: set[str] | frozenset[str] = frozenset()) -> Any:
    """Keep only the fields ``audience`` may see, except in records about a learner in ``keep``."""
    sees = audience.sees
    if sees is None:
        return node
    if isinstance(node, list):
        return [redact(item, audience, keep) for item in node]
    if isinstance(node, dict):
        key = _learner_key(node)
        if key is not None and key in keep:
            return node
        return {k: redact(v, audience, keep) for k, v in node.items() if k in sees}
    return node


def _redacting(audience: Audience, keep: Callable[[], set[str]]) -> Callable[[Upstream], Upstream]:
    def step(answer: Upstream) -> Upstream:
        data = answer.json()
        if answer.status >= 300 or data is None:
            return answer
        body = json.dumps(redact(data, audience, keep())).encode()
        return Upstream(answer.status, dict(answer.headers), body)

    return step


def redacted(
    keep: Callable[[Call], set[str]] | None = None, *, audiences: dict[str, Audience] | None = None
) -> Callable[[Call], None]:
    """Show the answer as the caller's audience may see it (``keep``: learners shown whole).

    ``audiences`` names, by role, the audience of a route whose answers differ from the usual.
    """

    def step(call: Call) -> None:
        audience = audience_of(call.principal)
        if audiences and call.principal is not None and call.principal.role in audiences:
            audience = audiences[call.principal.role]
        if audience.sees is None:
            return
        call.after.append(_redacting(audience, lambda: keep(call) if keep else set()))

    return step


def applicants(call: Call, vacancy_id: str) -> set[str]:
    """Return the ids of learners who applied to a vacancy."""
    found: set[str] = set()
    for page_no in range(APPLICANT_PAGES):
        page = call.proxy.fetch(
            "jobs",
            f"/applications?vacancy_id={quote(vacancy_id, safe='')}"
            f"&limit={APPLICANT_PAGE}&offset={page_no * APPLICANT_PAGE}",
        )
        items = page.get("items", []) if isinstance(page, dict) else []
        found.update(str(item.get("learner_id")) for item in items if isinstance(item, dict))
        if len(items) < APPLICANT_PAGE:
            break
    return found


def applicants_of_vacancy(call: Call) -> set[str]:
    """Return the applicants of the path's vacancy (shown in full to its employer)."""
    return applicants(call, call.params["vacancy_id"])


def consenting(call: Call, learner_ids: set[str]) -> set[str]:
    """Return those of ``learner_ids`` who exist and consent now (one learner-service call)."""
    if not learner_ids:
        return set()
    ids = ",".join(quote(i, safe="") for i in sorted(learner_ids))
    answer = call.proxy.fetch("learner", f"/consent?ids={ids}")
    consent = answer.get("consent") if isinstance(answer, dict) else None
    if not isinstance(consent, dict):
        raise Unavailable("the learner service did not say who consents; try again shortly")
    return {i for i in learner_ids if consent.get(i) is True}


def _only_consenting(call: Call) -> Callable[[Upstream], Upstream]:
    def step(answer: Upstream) -> Upstream:
        data = answer.json()
        if answer.status >= 300 or not isinstance(data, dict):
            return answer
        lists = {k: v for k in CANDIDATE_LISTS if isinstance(v := data.get(k), list)}
        shown = {
            str(item["learner_id"])
            for items in lists.values()
            for item in items
            if isinstance(item, dict) and item.get("learner_id") is not None
        }
        keep = consenting(call, shown)
        for key, items in lists.items():
            # An entry without a learner id cannot be checked, so it is not shown either.
            data[key] = [
                item
                for item in items
                if isinstance(item, dict) and str(item.get("learner_id")) in keep
            ]
        return Upstream(answer.status, dict(answer.headers), json.dumps(data).encode())

    return step


def consent_checked(call: Call) -> None:
    """Drop candidates who withdrew consent or were deleted, before any other answer step."""
    # First of the answer's steps: whoever withdrew consent or was deleted is gone before any
    # other step (redaction, the access log) sees the list.
    call.after.insert(0, _only_consenting(call))


# Who may list retired courses (a provider offers its own again; admin manages the catalogue).
SEES_RETIRED = frozenset({"provider", "admin"})


def retired_for_staff(call: Call) -> None:
    """Forward ``include_retired`` only for a provider or admin; others see current courses."""
    if call.arg("include_retired") is not None and call.role not in SEES_RETIRED:
        call.set_arg("include_retired", "false")


def pseudonym(provider_key: str, learner_id: str) -> str:
    """Return the stable pseudonym one provider knows a learner by (other providers' differ)."""
    key = current_settings().jwt_secret.encode()
    message = f"provider-pseudonym|{provider_key}|{learner_id}".encode()
    return PSEUDONYM_PREFIX + hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def _pseudonymising(provider_key: str) -> Callable[[Upstream], Upstream]:
    def swap(node: Any) -> Any:
        if isinstance(node, list):
            return [swap(item) for item in node]
        if isinstance(node, dict):
            out = {k: swap(v) for k, v in node.items()}
            if isinstance(out.get("learner_id"), str):
                out["learner_id"] = pseudonym(provider_key, out["learner_id"])
            return out
        return node

    def step(answer: Upstream) -> Upstream:
        data = answer.json()
        if answer.status >= 300 or data is None:
            return answer
        return Upstream(answer.status, dict(answer.headers), json.dumps(swap(data)).encode())

    return step


def pseudonymised(call: Call) -> None:
    """Show a training provider learners by its own pseudonyms (after the access log saw them)."""
    principal = call.principal
    if principal is not None and principal.role == "provider" and principal.provider_key:
        call.after.append(_pseudonymising(principal.provider_key))
