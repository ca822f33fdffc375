"""The ownership checks the route table names: is this record the caller's own?

Each check runs only for a role its policy lets through and never for admin (the admin rule is
stated once, in :mod:`gateway.policies`). A check raises 403 with the same detail for a record
that is someone else's as for a caller who has no profile of that kind. The steps at the end
run for every admitted caller, admin included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from services.common.errors import Forbidden, ValidationProblem, field_error
from services.common.providers import provider_key

from . import access_log
from .auth import Principal
from .proxy import Call
from .transport import Upstream

NOT_YOUR_PROFILE = "you may only reach your own learner profile"
ONLY_LEARNERS = "only learners may do this"
ONLY_EMPLOYERS = "only employers may do this"
PEOPLE_LIST = "this list is about people; your role may not read it"
PEOPLE_RECORD = "applications are about people; your role may not read them"
ONLY_PROVIDERS = "only training providers may do this"
NOT_YOUR_COURSE = "this course belongs to another provider"


def _learner_id(principal: Principal, refusal: str) -> str:
    if principal.role != "learner" or not principal.learner_id:
        raise Forbidden(refusal)
    return principal.learner_id


def _employer_id(principal: Principal) -> str:
    if principal.role != "employer" or not principal.employer_id:
        raise Forbidden(ONLY_EMPLOYERS)
    return principal.employer_id


def _owned_by(field: str, owner: str | None, what: str) -> Callable[[Upstream], Upstream]:
    def check(answer: Upstream) -> Upstream:
        if answer.status < 300:
            data = answer.json()
            if not isinstance(data, dict) or data.get(field) != owner:
                raise Forbidden(f"this {what} is not yours")
        return answer

    return check


# --- learners -----------------------------------------------------------------------------


def own_learner(call: Call, principal: Principal) -> None:
    """The learner of the path's profile."""
    if _learner_id(principal, NOT_YOUR_PROFILE) != call.params["learner_id"]:
        raise Forbidden(NOT_YOUR_PROFILE)


def profile_reader(call: Call, principal: Principal) -> None:
    """The learner themselves, or an employer the learner applied to (the reason is logged)."""
    learner_id = call.params["learner_id"]
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
            call.reason.update(vacancy_id=why.get("vacancy_id"), application_id=why.get("id"))
            return
        raise Forbidden("employers see a learner's profile only after the learner applied to them")
    raise Forbidden(NOT_YOUR_PROFILE)


def learner_in_body(call: Call, principal: Principal) -> None:
    """A learner acts only for themselves (``learner_id`` filled in if left out)."""
    learner_id = _learner_id(principal, ONLY_LEARNERS)
    data = call.body_json()
    if not isinstance(data, dict):
        return  # the service rejects a body that is not an object
    sent = data.get("learner_id")
    if sent is None:
        call.set_body_field("learner_id", learner_id)
    elif sent != learner_id:
        raise Forbidden("learners may only act for themselves")


def scoped_to_caller(*, employers: bool) -> Callable[[Call, Principal], None]:
    """A list filtered to the learner's own records (or, if allowed, the employer's)."""

    def check(call: Call, principal: Principal) -> None:
        if principal.role == "learner" and principal.learner_id:
            if call.arg("learner_id") not in (None, principal.learner_id):
                raise Forbidden("learners may only list their own records")
            call.set_arg("learner_id", principal.learner_id)
            return
        if employers and principal.role == "employer" and principal.employer_id:
            if call.arg("employer_id") not in (None, principal.employer_id):
                raise Forbidden("employers may only list records of their own vacancies")
            call.set_arg("employer_id", principal.employer_id)
            return
        raise Forbidden(PEOPLE_LIST)

    return check


def enrolment_owner(call: Call, principal: Principal) -> None:
    """The enrolment's learner (a read is checked on the answer, a change before it is sent)."""
    learner_id = _learner_id(principal, ONLY_LEARNERS)
    if call.method == "GET":
        call.after.append(_owned_by("learner_id", learner_id, "enrolment"))
        return
    record = call.proxy.fetch("learner", f"/enrolments/{quote(call.params['enrolment_id'])}")
    if not isinstance(record, dict) or record.get("learner_id") != learner_id:
        raise Forbidden("this enrolment is not yours")


def application_reader(call: Call, principal: Principal) -> None:
    """The application's learner, or the employer of its vacancy (checked on the answer)."""
    if principal.role == "learner" and principal.learner_id:
        call.after.append(_owned_by("learner_id", principal.learner_id, "application"))
        return
    if principal.role == "employer" and principal.employer_id:
        call.after.append(_owned_by("employer_id", principal.employer_id, "application"))
        return
    raise Forbidden(PEOPLE_RECORD)


# --- employers and vacancies --------------------------------------------------------------


def own_employer(call: Call, principal: Principal) -> None:
    """The employer of the path's profile."""
    if principal.role != "employer" or principal.employer_id != call.params["employer_id"]:
        raise Forbidden("you may only change your own employer profile")


def _check_body_employer(call: Call, employer_id: str, *, fill: bool) -> None:
    data = call.body_json()
    if not isinstance(data, dict):
        return
    sent = data.get("employer_id")
    if sent is None and fill:
        call.set_body_field("employer_id", employer_id)
    elif sent is not None and sent != employer_id:
        raise Forbidden("employers may only post vacancies of their own")


def employer_in_body(call: Call, principal: Principal) -> None:
    """An employer posts vacancies only for itself (``employer_id`` filled in if left out)."""
    _check_body_employer(call, _employer_id(principal), fill=True)


def _check_vacancy_owner(call: Call, employer_id: str) -> dict[str, Any]:
    vacancy = call.proxy.fetch("jobs", f"/vacancies/{quote(call.params['vacancy_id'])}")
    if not isinstance(vacancy, dict) or vacancy.get("employer_id") != employer_id:
        raise Forbidden("this vacancy belongs to another employer")
    return vacancy


def vacancy_owner(call: Call, principal: Principal) -> None:
    """The employer that posted the vacancy (and it may not hand it to another employer)."""
    employer_id = _employer_id(principal)
    _check_vacancy_owner(call, employer_id)
    _check_body_employer(call, employer_id, fill=False)


def vacancy_reader(call: Call, principal: Principal) -> None:
    """The employer that posted the vacancy."""
    _check_vacancy_owner(call, _employer_id(principal))


def application_mover(call: Call, principal: Principal) -> None:
    """The employer of the application's vacancy."""
    employer_id = _employer_id(principal)
    record = call.proxy.fetch("jobs", f"/applications/{quote(call.params['application_id'])}")
    if not isinstance(record, dict) or record.get("employer_id") != employer_id:
        raise Forbidden("this application is for another employer's vacancy")


# --- training providers and their courses -------------------------------------------------


def _provider_key(principal: Principal) -> str:
    if principal.role != "provider" or not principal.provider_key:
        raise Forbidden(ONLY_PROVIDERS)
    return principal.provider_key


def _course_key(course: Any) -> str | None:
    if not isinstance(course, dict):
        return None
    key = course.get("provider_key")
    # A course stored before provider keys existed carries only its provider's name.
    if not key and isinstance(course.get("provider"), str):
        key = provider_key(course["provider"])
    return str(key) if key else None


def _own_course(call: Call, key: str, course_id: str) -> None:
    course = call.proxy.fetch("learner", f"/courses/{quote(course_id, safe='')}")
    if _course_key(course) != key:
        raise Forbidden(NOT_YOUR_COURSE)


def _check_body_provider(call: Call, principal: Principal, key: str) -> None:
    data = call.body_json()
    if not isinstance(data, dict):
        return
    sent = data.get("provider")
    if sent is None and call.method == "POST" and principal.provider_name:
        call.set_body_field("provider", principal.provider_name)
    elif sent is not None and (not isinstance(sent, str) or provider_key(sent) != key):
        raise Forbidden("providers may only publish courses under their own name")


def course_in_body(call: Call, principal: Principal) -> None:
    """A provider creates courses only under its own name (filled in if left out)."""
    _check_body_provider(call, principal, _provider_key(principal))


def course_owner(call: Call, principal: Principal) -> None:
    """The provider of the course (and it may not hand the course to another provider)."""
    key = _provider_key(principal)
    _own_course(call, key, call.params["course_id"])
    _check_body_provider(call, principal, key)


def own_provider(call: Call, principal: Principal) -> None:
    """The provider the path names."""
    if _provider_key(principal) != call.params["provider_key"]:
        raise Forbidden("you may only read your own provider's records")


def provider_scoped(call: Call, principal: Principal) -> None:
    """Enrolments on the provider's own courses only (never looked up by a learner's id)."""
    key = _provider_key(principal)
    if call.arg("learner_id") is not None:
        raise Forbidden("providers see enrolments by course, not by learner")
    if call.arg("provider_key") not in (None, key):
        raise Forbidden("providers may only list enrolments on their own courses")
    course_id = call.arg("course_id")
    if course_id is not None:
        _own_course(call, key, course_id)
    call.set_arg("provider_key", key)


def enrolment_lister(call: Call, principal: Principal) -> None:
    """A learner's own enrolments, or those on a provider's own courses."""
    if principal.role == "provider":
        provider_scoped(call, principal)
    else:
        scoped_to_caller(employers=False)(call, principal)


def enrolment_on_own_course(call: Call, principal: Principal) -> None:
    """The provider of the enrolment's course."""
    key = _provider_key(principal)
    record = call.proxy.fetch("learner", f"/enrolments/{quote(call.params['enrolment_id'])}")
    if not isinstance(record, dict) or not isinstance(record.get("course_id"), str):
        raise Forbidden(NOT_YOUR_COURSE)
    _own_course(call, key, record["course_id"])


# --- steps every admitted caller's call carries ---------------------------------------------


def email_is_the_accounts(call: Call) -> None:
    """Refuse a profile change of ``email``: it is the account's, for every role (422)."""
    data = call.body_json()
    if isinstance(data, dict) and "email" in data:
        raise ValidationProblem(
            "the profile's email is the account's email and cannot be changed here",
            errors=[field_error("email", "set from the account; it cannot be changed here")],
        )


def reported_by_caller(call: Call) -> None:
    """Record who reported a completion: the caller's role and account, whatever was sent."""
    if call.principal is not None:
        call.set_body_field("reported_by", f"{call.principal.role}:{call.principal.account_id}")


def logged(kind: str, *, reads_only: bool = False, **from_params: str) -> Callable[[Call], None]:
    """Record what the answer shows of learners (``from_params``: reason -> path parameter)."""

    def step(call: Call) -> None:
        if reads_only and call.method != "GET":
            return
        reason = {name: call.params[param] for name, param in from_params.items()}
        access_log.watch(call, kind, **reason, **call.reason)

    return step


def logged_learner_record(call: Call) -> None:
    """Record a read of the path's learner profile, or of a resource under it."""
    access_log.watch_learner(call, call.params["learner_id"])
