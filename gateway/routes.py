"""The public API tables: each route, the service behind it, and the policy that guards it.

The public path is ``/api/v1`` + the service's own path, so a request is forwarded with its path
and query exactly as the client encoded them. Only routes listed here are reachable: the proxied
ones in :data:`ROUTES`, the gateway's own (accounts, the access log, load runs) in
:data:`OWN_ROUTES`, declared with :func:`own_endpoint`. Who may call what is one policy per
route (:mod:`gateway.policies`: admin passes every policy unless it says otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint

from services.common.api import endpoint

from . import invitations as invite
from . import ownership as own
from . import redaction, uploads
from .policies import ADMIN_ONLY, ANYONE, EVERY_ROLE, MINISTRY, SIGNED_IN, Policy, guarded

REPORTS = "reports"  # not a service: resolved per path from the services' OpenAPI documents

LEARNER = frozenset({"learner"})
EMPLOYER = frozenset({"employer"})
PEOPLE = frozenset({"learner", "employer"})
PROVIDER = frozenset({"provider"})
SELF = "the learner themselves, admin"
VACANCY_OWNER = "the employer of the vacancy, admin"

# --- the policies of the proxied routes ----------------------------------------------------

OWN_LEARNER = Policy(
    who=SELF,
    roles=LEARNER,
    check=own.own_learner,
    then=(own.logged_learner_record,),
    refusal=own.NOT_YOUR_PROFILE,
)
LEARNER_LIST = Policy(who="admin", then=(own.logged("list"),))
PROFILE_READ = Policy(
    who="the learner, an employer they applied to, admin",
    roles=PEOPLE,
    check=own.profile_reader,
    then=(own.logged("profile", learner_id="learner_id"),),
    refusal=own.NOT_YOUR_PROFILE,
)
PROFILE_UPDATE = Policy(
    who=SELF,
    roles=LEARNER,
    check=own.own_learner,
    then=(own.logged_learner_record, own.email_is_the_accounts),
    refusal=own.NOT_YOUR_PROFILE,
)
LEARNER_IN_BODY = Policy(
    who="a learner for themselves, admin",
    roles=LEARNER,
    check=own.learner_in_body,
    refusal=own.ONLY_LEARNERS,
)
ENROLMENT_LIST = Policy(
    who="a learner (own), a provider (on its own courses, pseudonymous), admin",
    roles=LEARNER | PROVIDER,
    check=own.enrolment_lister,
    # In this order: the provider's allowlist, the access log (real ids), then the pseudonyms.
    then=(redaction.redacted(), own.logged("enrolment"), redaction.pseudonymised),
    refusal=own.PEOPLE_LIST,
)
ENROLMENT_COMPLETE = Policy(
    who="the provider of the course, admin",
    roles=PROVIDER,
    check=own.enrolment_on_own_course,
    then=(own.reported_by_caller,),
    refusal=own.ONLY_PROVIDERS,
)
COURSE_LIST = Policy(
    who="anyone (retired courses too, with include_retired: a provider, admin)",
    roles=EVERY_ROLE,
    anonymous=True,
    then=(redaction.retired_for_staff,),
)
COURSE_CREATE = Policy(
    who="a provider for itself, admin",
    roles=PROVIDER,
    check=own.course_in_body,
    refusal=own.ONLY_PROVIDERS,
)
COURSE_OWNER = Policy(
    who="the course's provider, admin",
    roles=PROVIDER,
    check=own.course_owner,
    refusal=own.ONLY_PROVIDERS,
)
OWN_PROVIDER = Policy(
    who="the provider itself, admin",
    roles=PROVIDER,
    check=own.own_provider,
    refusal=own.ONLY_PROVIDERS,
)
ENROLMENT_UPLOAD = Policy(
    who="the provider itself (rows on its own courses only), admin",
    roles=PROVIDER,
    check=own.own_provider,
    # In this order: who reports it; then on the answer the provider's allowlist, the access
    # log (real ids), the pseudonyms.
    then=(
        uploads.reported_by_caller,
        redaction.redacted(audiences={"provider": redaction.PROVIDER_UPLOAD}),
        uploads.logged_rows,
        redaction.pseudonymised,
    ),
    refusal=own.ONLY_PROVIDERS,
)
ENROLMENT_OWNER = Policy(
    who=SELF,
    roles=LEARNER,
    check=own.enrolment_owner,
    then=(own.logged("enrolment", reads_only=True),),
    refusal=own.ONLY_LEARNERS,
)
OWN_EMPLOYER = Policy(
    who="the employer itself, admin",
    roles=EMPLOYER,
    check=own.own_employer,
    refusal="you may only change your own employer profile",
)
EMPLOYER_IN_BODY = Policy(
    who="an employer for itself, admin",
    roles=EMPLOYER,
    check=own.employer_in_body,
    refusal=own.ONLY_EMPLOYERS,
)
OWN_VACANCY = Policy(
    who=VACANCY_OWNER, roles=EMPLOYER, check=own.vacancy_owner, refusal=own.ONLY_EMPLOYERS
)
APPLICATION_LIST = Policy(
    who="a learner (own), an employer (own vacancies), admin",
    roles=PEOPLE,
    check=own.scoped_to_caller(employers=True),
    then=(own.logged("application"),),
    refusal=own.PEOPLE_LIST,
)
APPLICATION_READ = Policy(
    who="the learner, the employer of the vacancy, admin",
    roles=PEOPLE,
    check=own.application_reader,
    then=(own.logged("application"),),
    refusal=own.PEOPLE_RECORD,
)
APPLICATION_MOVE = Policy(
    who=VACANCY_OWNER, roles=EMPLOYER, check=own.application_mover, refusal=own.ONLY_EMPLOYERS
)
CANDIDATES = Policy(
    who=VACANCY_OWNER,
    roles=EMPLOYER,
    check=own.vacancy_reader,
    # In this order: the consent filter first, redaction next, the access log last (it logs
    # what is shown).
    then=(
        redaction.consent_checked,
        redaction.redacted(keep=redaction.applicants_of_vacancy),
        own.logged("candidate", vacancy_id="vacancy_id"),
    ),
    refusal=own.ONLY_EMPLOYERS,
)
INVITATION_SEND = Policy(
    who="the employer of the vacancy, to a consenting candidate of it; admin",
    roles=EMPLOYER,
    check=invite.invitation_sender,
    then=(invite.consenting_candidate, invite.logged),
    refusal=own.ONLY_EMPLOYERS,
)
INVITATION_LIST = Policy(
    who="a learner (own), an employer (own vacancies), admin",
    roles=PEOPLE,
    check=own.scoped_to_caller(employers=True),
    then=(invite.consent_at_read, invite.logged),
    refusal=own.PEOPLE_LIST,
)
INVITATION_READ = Policy(
    who="the invited learner, the employer that sent it, admin",
    roles=PEOPLE,
    check=invite.invitation_reader,
    then=(invite.consent_at_read, invite.logged),
    refusal="invitations are about people; your role may not read them",
)
INVITATION_DECLINE = Policy(
    who="the invited learner, admin",
    roles=LEARNER,
    check=invite.invited_learner,
    then=(invite.logged,),
    refusal=own.ONLY_LEARNERS,
)
REPORT = Policy(
    who="ministry, admin",
    roles=frozenset({"ministry"}),
    then=(redaction.redacted(),),
    refusal="reports are for the ministry",
)


@dataclass(frozen=True)
class Route:
    """One proxied public operation."""

    method: str
    rule: str
    service: str
    policy: Policy

    @property
    def who(self) -> str:
        """Return who may call it, for the docs and the README table."""
        return self.policy.who

    @property
    def endpoint(self) -> str:
        """Return a unique Flask endpoint name."""
        return f"api {self.method} {self.rule}"


LID = "/learners/<learner_id>"

ROUTES: list[Route] = [
    # learner service: learners
    Route("GET", "/learners", "learner", LEARNER_LIST),
    Route("POST", "/learners", "learner", ADMIN_ONLY),
    Route("GET", LID, "learner", PROFILE_READ),
    Route("PATCH", LID, "learner", PROFILE_UPDATE),
    Route("DELETE", LID, "learner", ADMIN_ONLY),
    Route("POST", LID + "/skills", "learner", OWN_LEARNER),
    Route("DELETE", LID + "/skills/<path:uri>", "learner", OWN_LEARNER),
    Route("POST", LID + "/skills/<path:uri>/reject", "learner", OWN_LEARNER),
    Route("GET", LID + "/outcomes", "learner", OWN_LEARNER),
    # learner service: courses and enrolments
    Route("GET", "/courses", "learner", COURSE_LIST),
    Route("GET", "/courses/<course_id>", "learner", ANYONE),
    Route("POST", "/courses", "learner", COURSE_CREATE),
    Route("PATCH", "/courses/<course_id>", "learner", COURSE_OWNER),
    Route("DELETE", "/courses/<course_id>", "learner", ADMIN_ONLY),
    Route("GET", "/enrolments", "learner", ENROLMENT_LIST),
    Route("POST", "/enrolments", "learner", LEARNER_IN_BODY),
    Route("GET", "/enrolments/<enrolment_id>", "learner", ENROLMENT_OWNER),
    Route("POST", "/enrolments/<enrolment_id>/drop", "learner", ENROLMENT_OWNER),
    Route("POST", "/enrolments/<enrolment_id>/complete", "learner", ENROLMENT_COMPLETE),
    # learner service: a training provider's own courses and report
    Route("GET", "/providers/<provider_key>/courses", "learner", OWN_PROVIDER),
    Route("GET", "/providers/<provider_key>/report", "learner", OWN_PROVIDER),
    Route("POST", "/providers/<provider_key>/enrolments/upload", "learner", ENROLMENT_UPLOAD),
    # jobs service
    Route("GET", "/employers", "jobs", SIGNED_IN),
    Route("POST", "/employers", "jobs", ADMIN_ONLY),
    Route("GET", "/employers/<employer_id>", "jobs", SIGNED_IN),
    Route("PATCH", "/employers/<employer_id>", "jobs", OWN_EMPLOYER),
    Route("DELETE", "/employers/<employer_id>", "jobs", ADMIN_ONLY),
    Route("GET", "/vacancies", "jobs", SIGNED_IN),
    Route("POST", "/vacancies", "jobs", EMPLOYER_IN_BODY),
    Route("GET", "/vacancies/<vacancy_id>", "jobs", SIGNED_IN),
    Route("PATCH", "/vacancies/<vacancy_id>", "jobs", OWN_VACANCY),
    Route("DELETE", "/vacancies/<vacancy_id>", "jobs", OWN_VACANCY),
    Route("POST", "/vacancies/<vacancy_id>/close", "jobs", OWN_VACANCY),
    Route("POST", "/vacancies/<vacancy_id>/reopen", "jobs", OWN_VACANCY),
    Route("GET", "/applications", "jobs", APPLICATION_LIST),
    Route("POST", "/applications", "jobs", LEARNER_IN_BODY),
    Route("GET", "/applications/<application_id>", "jobs", APPLICATION_READ),
    Route("POST", "/applications/<application_id>/transition", "jobs", APPLICATION_MOVE),
    Route("GET", "/invitations", "jobs", INVITATION_LIST),
    Route("POST", "/invitations", "jobs", INVITATION_SEND),
    Route("GET", "/invitations/<invitation_id>", "jobs", INVITATION_READ),
    Route("POST", "/invitations/<invitation_id>/decline", "jobs", INVITATION_DECLINE),
    # matcher: taxonomy (open to anonymous callers)
    Route("POST", "/skills/extract", "matcher", ANYONE),
    Route("POST", "/occupations/match", "matcher", ANYONE),
    Route("GET", "/skills", "matcher", ANYONE),
    Route("GET", "/labels", "matcher", ANYONE),
    Route("GET", "/skills/<path:uri>", "matcher", ANYONE),
    Route("GET", "/occupations", "matcher", ANYONE),
    Route("GET", "/occupations/<path:uri>", "matcher", ANYONE),
    # matcher: recommendations
    Route("GET", LID + "/recommendations/jobs", "matcher", OWN_LEARNER),
    Route("GET", LID + "/recommendations/courses", "matcher", OWN_LEARNER),
    Route("GET", LID + "/retraining-path", "matcher", OWN_LEARNER),
    Route("GET", "/vacancies/<vacancy_id>/candidates", "matcher", CANDIDATES),
    Route("GET", "/sync/status", "matcher", ADMIN_ONLY),
    # ministry reports: learner /reports/* and matcher /reports/*
    Route("GET", "/reports/<path:report>", REPORTS, REPORT),
]

# --- the gateway's own routes (full paths), by (method, rule) ---------------------------------

MY_ACCESS_LOG = Policy(
    who="a learner",
    roles=LEARNER,
    admin=False,  # the log of the caller's own learner profile: an admin has none
    refusal="only learners have an access log of their own",
)

OWN_ROUTES: dict[tuple[str, str], Policy] = {
    ("POST", "/api/v1/auth/token"): ANYONE,
    ("POST", "/api/v1/auth/register"): ANYONE,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/me/access-log"): MY_ACCESS_LOG,
    ("GET", "/api/v1/access-log"): ADMIN_ONLY,
    ("POST", "/api/v1/accounts"): ADMIN_ONLY,
    ("GET", "/api/v1/accounts"): ADMIN_ONLY,
    ("GET", "/api/v1/accounts/<account_id>"): ADMIN_ONLY,
    ("POST", "/api/v1/accounts/<account_id>/deactivate"): ADMIN_ONLY,
    ("POST", "/api/v1/accounts/<account_id>/activate"): ADMIN_ONLY,
    ("POST", "/api/v1/ministry/load-runs"): ADMIN_ONLY,
    ("GET", "/api/v1/ministry/load-runs"): MINISTRY,
}


def own_endpoint(
    bp: Blueprint, method: str, rule: str, **contract: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a gateway endpoint guarded by its policy in :data:`OWN_ROUTES` (after parsing)."""
    policy = OWN_ROUTES[(method, rule)]  # a route missing from the table fails at import

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        return endpoint(bp, method, rule, **contract)(guarded(policy)(view))

    return decorate
