"""Who may do what to which object: one function per kind of rule, applied to a Call.

Decisions (documented in docs of the gateway and tested by the authorisation matrix):
- admin may read and change everything;
- the ministry sees aggregates only: every route about a person answers 403;
- a learner reaches only their own profile, enrolments, applications, outcomes and
  recommendations (403 for anyone else's);
- an employer manages only their own employer profile and vacancies, sees applications and
  candidates only of their own vacancies, and reads a learner's profile only if that learner
  applied to one of their vacancies; candidate lists come from the matcher, and the gateway keeps
  only learners who exist and consent at the moment of reading (asked of the learner service in
  one call, since the matcher's copy may lag the feed), then strips personal fields (name, email,
  phone, CV text...) of every candidate who has not applied to that vacancy;
- a learner profile's email is the account's: nobody changes it through PATCH;
- whatever an employer or admin is shown of a learner is written to the access log, which the
  learner reads (``access_log.watch``, added last so it sees the answer as it leaves).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from services.common.errors import Forbidden, Unavailable, ValidationProblem, field_error

from . import access_log
from .auth import Principal, require_principal
from .proxy import Call
from .transport import Upstream

Policy = Callable[[Call], None]

PERSONAL_FIELDS = frozenset(
    {
        "name", "full_name", "first_name", "last_name", "middle_name", "surname", "patronymic",
        "email", "phone", "phone_number", "telegram", "contacts", "contact", "address",
        "birth_date", "date_of_birth", "birthday", "iin", "cv_text", "photo", "photo_url",
    }
)  # fmt: skip
CANDIDATE_LISTS = ("candidates", "trainable")
APPLICANT_PAGE = 200
APPLICANT_PAGES = 25


def _forbid(detail: str) -> Forbidden:
    return Forbidden(detail)


def anyone(call: Call) -> None:
    """Let anybody through (the rate limit still applies)."""


def signed_in(call: Call) -> None:
    """Let any signed-in account through."""
    require_principal()


def roles(*allowed: str) -> Policy:
    """Let only the given roles through."""

    def check(call: Call) -> None:
        principal = require_principal()
        if principal.role not in allowed:
            raise _forbid(f"this needs the role {' or '.join(allowed)}")

    return check


admin_only = roles("admin")


def _learner_of(call: Call) -> Principal:
    principal = require_principal()
    if principal.role != "learner" or not principal.learner_id:
        raise _forbid("only learners may do this")
    return principal


def own_learner(call: Call) -> None:
    """Let a learner reach their own profile's resources (and admin everything)."""
    principal = require_principal()
    if principal.role == "admin":
        access_log.watch_learner(call, call.params["learner_id"])
        return
    if principal.role == "learner" and principal.learner_id == call.params["learner_id"]:
        return
    raise _forbid("you may only reach your own learner profile")


def learner_list(call: Call) -> None:
    """List learners: admin only, every learner shown is logged."""
    admin_only(call)
    access_log.watch(call, "list")


def own_profile_update(call: Call) -> None:
    """Change a learner profile: the learner or admin; its email changes only with the account."""
    own_learner(call)
    data = call.body_json()
    if isinstance(data, dict) and "email" in data:
        raise ValidationProblem(
            "the profile's email is the account's email and cannot be changed here",
            errors=[field_error("email", "set from the account; it cannot be changed here")],
        )


def learner_profile(call: Call) -> None:
    """Read a learner profile: the learner, admin, or an employer the learner applied to."""
    principal = require_principal()
    learner_id = call.params["learner_id"]
    if principal.role == "admin":
        access_log.watch(call, "profile", learner_id=learner_id)
        return
    if principal.role == "learner" and principal.learner_id == learner_id:
        return
    if principal.role == "employer" and principal.employer_id:
        page = call.proxy.fetch(
            "jobs",
            f"/applications?learner_id={quote(learner_id, safe='')}"
            f"&employer_id={quote(principal.employer_id, safe='')}&limit=1",
        )
        if isinstance(page, dict) and page.get("total", 0) > 0:
            # The application that lets this employer read the profile is the reason logged.
            why = (page.get("items") or [{}])[0]
            access_log.watch(
                call,
                "profile",
                learner_id=learner_id,
                vacancy_id=why.get("vacancy_id"),
                application_id=why.get("id"),
            )
            return
        raise _forbid("employers see a learner's profile only after the learner applied to them")
    raise _forbid("you may only reach your own learner profile")


def learner_in_body(call: Call) -> None:
    """Create for a learner: a learner only for themselves (learner_id filled in if left out)."""
    principal = require_principal()
    if principal.role == "admin":
        return
    learner = _learner_of(call)
    data = call.body_json()
    if not isinstance(data, dict):
        return  # the service rejects a body that is not an object
    sent = data.get("learner_id")
    if sent is None:
        call.set_body_field("learner_id", learner.learner_id)
    elif sent != learner.learner_id:
        raise _forbid("learners may only act for themselves")


def scoped_list(*, employers: bool) -> Policy:
    """List records: a learner sees only theirs; an employer (if allowed) only theirs."""

    kind = "application" if employers else "enrolment"

    def check(call: Call) -> None:
        principal = require_principal()
        if principal.role == "admin":
            access_log.watch(call, kind)
            return
        if principal.role == "learner" and principal.learner_id:
            if call.arg("learner_id") not in (None, principal.learner_id):
                raise _forbid("learners may only list their own records")
            call.set_arg("learner_id", principal.learner_id)
            return
        if employers and principal.role == "employer" and principal.employer_id:
            if call.arg("employer_id") not in (None, principal.employer_id):
                raise _forbid("employers may only list records of their own vacancies")
            call.set_arg("employer_id", principal.employer_id)
            access_log.watch(call, kind)
            return
        raise _forbid("this list is about people; your role may not read it")

    return check


def _owned_by(field: str, owner: str | None, what: str) -> Callable[[Upstream], Upstream]:
    def check(answer: Upstream) -> Upstream:
        if answer.status < 300:
            data = answer.json()
            if not isinstance(data, dict) or data.get(field) != owner:
                raise _forbid(f"this {what} is not yours")
        return answer

    return check


def enrolment_owner(call: Call) -> None:
    """Read or drop an enrolment: its learner and admin."""
    principal = require_principal()
    if principal.role == "admin":
        if call.method == "GET":
            access_log.watch(call, "enrolment")
        return
    learner = _learner_of(call)
    if call.method == "GET":
        call.after.append(_owned_by("learner_id", learner.learner_id, "enrolment"))
        return
    record = call.proxy.fetch("learner", f"/enrolments/{quote(call.params['enrolment_id'])}")
    if not isinstance(record, dict) or record.get("learner_id") != learner.learner_id:
        raise _forbid("this enrolment is not yours")


def own_employer(call: Call) -> None:
    """Change an employer profile: that employer's account and admin."""
    principal = require_principal()
    if principal.role == "admin":
        return
    if principal.role == "employer" and principal.employer_id == call.params["employer_id"]:
        return
    raise _forbid("you may only change your own employer profile")


def _employer_of(call: Call) -> Principal:
    principal = require_principal()
    if principal.role != "employer" or not principal.employer_id:
        raise _forbid("only employers may do this")
    return principal


def _check_body_employer(call: Call, employer_id: str, *, fill: bool) -> None:
    data = call.body_json()
    if not isinstance(data, dict):
        return
    sent = data.get("employer_id")
    if sent is None and fill:
        call.set_body_field("employer_id", employer_id)
    elif sent is not None and sent != employer_id:
        raise _forbid("employers may only post vacancies of their own")


def employer_in_body(call: Call) -> None:
    """Post a vacancy: an employer only for itself (employer_id filled in if left out)."""
    principal = require_principal()
    if principal.role == "admin":
        return
    employer = _employer_of(call)
    assert employer.employer_id is not None
    _check_body_employer(call, employer.employer_id, fill=True)


def _check_vacancy_owner(call: Call, employer: Principal) -> dict[str, Any]:
    vacancy = call.proxy.fetch("jobs", f"/vacancies/{quote(call.params['vacancy_id'])}")
    if not isinstance(vacancy, dict) or vacancy.get("employer_id") != employer.employer_id:
        raise _forbid("this vacancy belongs to another employer")
    return vacancy


def vacancy_owner(call: Call) -> None:
    """Change a vacancy: the employer that posted it and admin."""
    principal = require_principal()
    if principal.role == "admin":
        return
    employer = _employer_of(call)
    _check_vacancy_owner(call, employer)
    assert employer.employer_id is not None
    _check_body_employer(call, employer.employer_id, fill=False)


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


def _learner_key(node: dict[str, Any]) -> str | None:
    value = node.get("learner_id")
    if value is None and isinstance(node.get("learner"), dict):
        value = node["learner"].get("id")
    return None if value is None else str(value)


def redact(node: Any, keep: set[str]) -> Any:
    """Remove personal fields from every record that is not about a learner in ``keep``."""
    if isinstance(node, list):
        return [redact(item, keep) for item in node]
    if isinstance(node, dict):
        key = _learner_key(node)
        if key is not None and key in keep:
            return node
        return {k: redact(v, keep) for k, v in node.items() if k not in PERSONAL_FIELDS}
    return node


def _redacting(keep: Callable[[], set[str]]) -> Callable[[Upstream], Upstream]:
    def step(answer: Upstream) -> Upstream:
        data = answer.json()
        if answer.status >= 300 or data is None:
            return answer
        body = json.dumps(redact(data, keep())).encode()
        return Upstream(answer.status, dict(answer.headers), body)

    return step


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


def candidates(call: Call) -> None:
    """List a vacancy's candidates: its employer (applicants in full, others anonymised), admin."""
    principal = require_principal()
    vacancy_id = call.params["vacancy_id"]
    # First of the answer's steps: whoever withdrew consent or was deleted is gone before any
    # other step (redaction, the access log) sees the list.
    call.after.insert(0, _only_consenting(call))
    if principal.role == "admin":
        access_log.watch(call, "candidate", vacancy_id=vacancy_id)
        return
    employer = _employer_of(call)
    _check_vacancy_owner(call, employer)
    call.after.append(_redacting(lambda: applicants(call, vacancy_id)))
    access_log.watch(call, "candidate", vacancy_id=vacancy_id)  # last: logs what is shown


def application_reader(call: Call) -> None:
    """Read an application: its learner, the employer of its vacancy, admin."""
    principal = require_principal()
    if principal.role == "admin":
        access_log.watch(call, "application")
        return
    if principal.role == "learner" and principal.learner_id:
        call.after.append(_owned_by("learner_id", principal.learner_id, "application"))
        return
    if principal.role == "employer" and principal.employer_id:
        call.after.append(_owned_by("employer_id", principal.employer_id, "application"))
        access_log.watch(call, "application")
        return
    raise _forbid("applications are about people; your role may not read them")


def application_mover(call: Call) -> None:
    """Move an application through the pipeline: the employer of its vacancy and admin."""
    principal = require_principal()
    if principal.role == "admin":
        return
    employer = _employer_of(call)
    record = call.proxy.fetch("jobs", f"/applications/{quote(call.params['application_id'])}")
    if not isinstance(record, dict) or record.get("employer_id") != employer.employer_id:
        raise _forbid("this application is for another employer's vacancy")


def aggregates(call: Call) -> None:
    """Read a ministry report: ministry and admin; personal fields never leave the gateway."""
    principal = require_principal()
    if principal.role not in ("ministry", "admin"):
        raise _forbid("reports are for the ministry")
    if principal.role == "ministry":
        call.after.append(_redacting(set))
