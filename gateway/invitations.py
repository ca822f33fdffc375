"""The checks and steps of the invitation routes: who may invite whom, and who sees them.

An employer invites only a learner who is on the candidate list of its own open vacancy and
consents now (asked of the matcher and then of the learner service: the matcher's copy may
lag). Every read, the learner's own included, keeps only invitations of learners who consent
at that moment, and whatever an employer or admin is shown of a learner (who was invited,
whether they declined) is written to the access log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from services.common.errors import Forbidden, NotFound, ValidationProblem, field_error

from . import access_log
from .auth import Principal
from .ownership import ONLY_EMPLOYERS, ONLY_LEARNERS
from .proxy import API_PREFIX, Call
from .redaction import consenting
from .transport import Upstream

KIND = "invitation"
CANDIDATE_LIMIT = 100  # the matcher's largest page: who is not among them is not a candidate
NOT_A_CANDIDATE = "is not on this vacancy's candidate list (or does not consent to be found)"
# What an invitation shows of the learner to the employer: who they are and how they answered.
DISCLOSED = ("learner_id", "status")


def _employer_id(principal: Principal) -> str:
    if principal.role != "employer" or not principal.employer_id:
        raise Forbidden(ONLY_EMPLOYERS)
    return principal.employer_id


def _on_candidate_list(call: Call, vacancy_id: str, learner_id: str) -> bool:
    found = call.proxy.fetch(
        "matcher", f"/vacancies/{quote(vacancy_id, safe='')}/candidates?limit={CANDIDATE_LIMIT}"
    )
    listed = {
        str(item.get("learner_id"))
        for key in ("candidates", "trainable")
        for item in (found.get(key) or [] if isinstance(found, dict) else [])
        if isinstance(item, dict)
    }
    return learner_id in listed


def consenting_candidate(call: Call) -> None:
    """Refuse (422) an invitation to a learner not on the vacancy's list or not consenting now."""
    data = call.body_json()
    if not isinstance(data, dict):
        return  # the service says why the body is not valid
    vacancy_id, learner_id = data.get("vacancy_id"), data.get("learner_id")
    if not isinstance(vacancy_id, str) or not isinstance(learner_id, str):
        return
    if not _on_candidate_list(call, vacancy_id, learner_id) or not consenting(call, {learner_id}):
        raise ValidationProblem(
            "only a consenting candidate of the vacancy can be invited",
            errors=[field_error("learner_id", NOT_A_CANDIDATE)],
        )


def invitation_sender(call: Call, principal: Principal) -> None:
    """The employer of the body's vacancy (``employer_id`` filled in; another's is refused)."""
    employer_id = _employer_id(principal)
    data = call.body_json()
    if not isinstance(data, dict):
        return
    if data.get("employer_id") not in (None, employer_id):
        raise Forbidden("employers may only invite to their own vacancies")
    call.set_body_field("employer_id", employer_id)
    vacancy_id = data.get("vacancy_id")
    if isinstance(vacancy_id, str):
        vacancy = call.proxy.fetch("jobs", f"/vacancies/{quote(vacancy_id, safe='')}")
        if not isinstance(vacancy, dict) or vacancy.get("employer_id") != employer_id:
            raise Forbidden("this vacancy belongs to another employer")


def invitation_reader(call: Call, principal: Principal) -> None:
    """The invited learner, or the employer that sent it (checked on the answer)."""
    if principal.role == "learner" and principal.learner_id:
        field, owner = "learner_id", principal.learner_id
    elif principal.role == "employer" and principal.employer_id:
        field, owner = "employer_id", principal.employer_id
    else:
        raise Forbidden("invitations are about people; your role may not read them")

    def check(answer: Upstream) -> Upstream:
        data = answer.json()
        if answer.status < 300 and (not isinstance(data, dict) or data.get(field) != owner):
            raise Forbidden("this invitation is not yours")
        return answer

    call.after.append(check)


def invited_learner(call: Call, principal: Principal) -> None:
    """The invited learner (looked up before the answer is sent)."""
    if principal.role != "learner" or not principal.learner_id:
        raise Forbidden(ONLY_LEARNERS)
    record = call.proxy.fetch("jobs", f"/invitations/{quote(call.params['invitation_id'])}")
    if not isinstance(record, dict) or record.get("learner_id") != principal.learner_id:
        raise Forbidden("this invitation is not yours")


def _items(data: Any) -> list[dict[str, Any]] | None:
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return [i for i in data["items"] if isinstance(i, dict)]
    return None


def _only_consenting(call: Call) -> Callable[[Upstream], Upstream]:
    def step(answer: Upstream) -> Upstream:
        data = answer.json()
        if answer.status >= 300 or not isinstance(data, dict):
            return answer
        items = _items(data)
        records = items if items is not None else [data]
        ids = {str(r["learner_id"]) for r in records if r.get("learner_id") is not None}
        keep = consenting(call, ids)
        if items is None:
            if str(data.get("learner_id")) not in keep:
                raise NotFound("no such invitation")  # withdrawn consent: as if never sent
            return answer
        shown = [i for i in items if str(i.get("learner_id")) in keep]
        data["items"] = shown
        data["total"] = max(0, int(data.get("total") or 0) - (len(items) - len(shown)))
        return Upstream(answer.status, dict(answer.headers), json.dumps(data).encode())

    return step


def consent_at_read(call: Call) -> None:
    """Keep only invitations of learners who consent now, before any other answer step."""
    call.after.insert(0, _only_consenting(call))


def _recorder(call: Call) -> Callable[[Upstream], Upstream]:
    principal = call.principal

    def step(answer: Upstream) -> Upstream:
        data = answer.json()
        if principal is None or answer.status >= 300 or not isinstance(data, dict):
            return answer
        items = _items(data)
        found = [
            access_log.Disclosure(
                str(r["learner_id"]), DISCLOSED, vacancy_id=str(r.get("vacancy_id") or "") or None
            )
            for r in (items if items is not None else [data])
            if r.get("learner_id") is not None
        ]
        path = call.target_path.split("?", 1)[0]
        route = f"{call.method} {API_PREFIX}{path}"
        access_log.record(principal, KIND, found, route=route, proxy=call.proxy)
        return answer

    return step


def logged(call: Call) -> None:
    """Record which learners an employer or admin was shown invitations of (last step)."""
    if call.principal is None or call.principal.role == "learner":
        return  # a learner only ever reaches their own invitations
    call.after.append(_recorder(call))
