"""The public API table: each route, the service behind it, and who may call it.

The public path is ``/api/v1`` + the service's own path, so a request is forwarded with its path
and query exactly as the client encoded them. Only routes listed here are reachable.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import policies as p
from .policies import Policy

REPORTS = "reports"  # not a service: resolved per path from the services' OpenAPI documents


@dataclass(frozen=True)
class Route:
    """One public operation."""

    method: str
    rule: str
    service: str
    policy: Policy
    who: str  # who may call it, for the docs and the README table

    @property
    def endpoint(self) -> str:
        """Return a unique Flask endpoint name."""
        return f"api {self.method} {self.rule}"


ANYONE = "anyone"
SIGNED_IN = "any signed-in account"
ADMIN = "admin"
SELF = "the learner themselves, admin"
SELF_OR_EMPLOYER = "the learner, an employer they applied to, admin"
LEARNER_SELF_ADMIN = "a learner for themselves, admin"
LEARNER_EMPLOYER = "the learner, the employer of the vacancy, admin"
EMPLOYER_SELF = "the employer itself, admin"
VACANCY_OWNER = "the employer of the vacancy, admin"
MINISTRY = "ministry, admin"

LID = "/learners/<learner_id>"

ROUTES: list[Route] = [
    # learner service: learners
    Route("GET", "/learners", "learner", p.learner_list, ADMIN),
    Route("POST", "/learners", "learner", p.admin_only, ADMIN),
    Route("GET", LID, "learner", p.learner_profile, SELF_OR_EMPLOYER),
    Route("PATCH", LID, "learner", p.own_profile_update, SELF),
    Route("DELETE", LID, "learner", p.admin_only, ADMIN),
    Route("POST", LID + "/skills", "learner", p.own_learner, SELF),
    Route("DELETE", LID + "/skills/<path:uri>", "learner", p.own_learner, SELF),
    Route("POST", LID + "/skills/<path:uri>/reject", "learner", p.own_learner, SELF),
    Route("GET", LID + "/outcomes", "learner", p.own_learner, SELF),
    # learner service: courses and enrolments
    Route("GET", "/courses", "learner", p.anyone, ANYONE),
    Route("GET", "/courses/<course_id>", "learner", p.anyone, ANYONE),
    Route("POST", "/courses", "learner", p.admin_only, ADMIN),
    Route("PATCH", "/courses/<course_id>", "learner", p.admin_only, ADMIN),
    Route("DELETE", "/courses/<course_id>", "learner", p.admin_only, ADMIN),
    Route("GET", "/enrolments", "learner", p.scoped_list(employers=False), SELF),
    Route("POST", "/enrolments", "learner", p.learner_in_body, LEARNER_SELF_ADMIN),
    Route("GET", "/enrolments/<enrolment_id>", "learner", p.enrolment_owner, SELF),
    Route("POST", "/enrolments/<enrolment_id>/drop", "learner", p.enrolment_owner, SELF),
    Route("POST", "/enrolments/<enrolment_id>/complete", "learner", p.admin_only, ADMIN),
    # jobs service
    Route("GET", "/employers", "jobs", p.signed_in, SIGNED_IN),
    Route("POST", "/employers", "jobs", p.admin_only, ADMIN),
    Route("GET", "/employers/<employer_id>", "jobs", p.signed_in, SIGNED_IN),
    Route("PATCH", "/employers/<employer_id>", "jobs", p.own_employer, EMPLOYER_SELF),
    Route("DELETE", "/employers/<employer_id>", "jobs", p.admin_only, ADMIN),
    Route("GET", "/vacancies", "jobs", p.signed_in, SIGNED_IN),
    Route("POST", "/vacancies", "jobs", p.employer_in_body, "an employer for itself, admin"),
    Route("GET", "/vacancies/<vacancy_id>", "jobs", p.signed_in, SIGNED_IN),
    Route("PATCH", "/vacancies/<vacancy_id>", "jobs", p.vacancy_owner, VACANCY_OWNER),
    Route("DELETE", "/vacancies/<vacancy_id>", "jobs", p.vacancy_owner, VACANCY_OWNER),
    Route("POST", "/vacancies/<vacancy_id>/close", "jobs", p.vacancy_owner, VACANCY_OWNER),
    Route("POST", "/vacancies/<vacancy_id>/reopen", "jobs", p.vacancy_owner, VACANCY_OWNER),
    Route(
        "GET",
        "/applications",
        "jobs",
        p.scoped_list(employers=True),
        "a learner (own), an employer (own vacancies), admin",
    ),
    Route("POST", "/applications", "jobs", p.learner_in_body, LEARNER_SELF_ADMIN),
    Route("GET", "/applications/<application_id>", "jobs", p.application_reader, LEARNER_EMPLOYER),
    Route(
        "POST",
        "/applications/<application_id>/transition",
        "jobs",
        p.application_mover,
        VACANCY_OWNER,
    ),
    # matcher: taxonomy (open to anonymous callers)
    Route("POST", "/skills/extract", "matcher", p.anyone, ANYONE),
    Route("POST", "/occupations/match", "matcher", p.anyone, ANYONE),
    Route("GET", "/skills", "matcher", p.anyone, ANYONE),
    Route("GET", "/skills/<path:uri>", "matcher", p.anyone, ANYONE),
    Route("GET", "/occupations", "matcher", p.anyone, ANYONE),
    Route("GET", "/occupations/<path:uri>", "matcher", p.anyone, ANYONE),
    # matcher: recommendations
    Route("GET", LID + "/recommendations/jobs", "matcher", p.own_learner, SELF),
    Route("GET", LID + "/recommendations/courses", "matcher", p.own_learner, SELF),
    Route("GET", LID + "/retraining-path", "matcher", p.own_learner, SELF),
    Route("GET", "/vacancies/<vacancy_id>/candidates", "matcher", p.candidates, VACANCY_OWNER),
    Route("GET", "/sync/status", "matcher", p.admin_only, ADMIN),
    # ministry reports: learner /reports/* and matcher /reports/*
    Route("GET", "/reports/<path:report>", REPORTS, p.aggregates, MINISTRY),
]
