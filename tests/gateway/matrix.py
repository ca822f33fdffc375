"""The authorisation matrix: every public route, a body, and the status each caller must get.

Routes that change or delete data act on a fresh record owned by the world's learner or employer,
made just before (``Row.fresh``). Read by ``test_authorisation_matrix.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

from tests.gateway.fresh import (
    aside_skills,
    fresh_account,
    fresh_application,
    fresh_closed_vacancy,
    fresh_course,
    fresh_employer,
    fresh_enrolment,
    fresh_learner,
    fresh_skill,
    fresh_vacancy,
    unique,
)
from tests.gateway.fresh_invitations import invitable, invitation, open_invitation
from tests.gateway.world import World, learner_profile, vacancy_body, valid_bin

ROLES = (
    "anonymous", "learner", "learner2", "employer", "employer2", "provider", "provider2",
    "ministry", "admin",
)  # fmt: skip
# May never see the world learner's identity ("provider" owns the course the learner is on).
OUTSIDERS = ("learner2", "employer2", "provider", "provider2", "ministry")

Fresh = Callable[[FlaskClient, World], dict[str, str]]


@dataclass
class Row:
    """One public operation and the status each caller gets."""

    name: str
    method: str
    path: str
    expect: dict[str, int]
    body: Callable[[World, dict[str, str]], Any] | None = None
    fresh: Fresh | None = None  # makes the record a changing call acts on
    extra: dict[str, Any] = field(default_factory=dict)


def statuses(
    anonymous: int = 401,
    learner: int = 403,
    learner2: int = 403,
    employer: int = 403,
    employer2: int = 403,
    ministry: int = 403,
    admin: int = 200,
    provider: int = 403,
    provider2: int = 403,
) -> dict[str, int]:
    """Return the expected status per caller (default: admin only)."""
    values = (anonymous, learner, learner2, employer, employer2, provider, provider2, ministry)
    return dict(zip(ROLES, (*values, admin), strict=True))


EVERYONE = statuses(200, 200, 200, 200, 200, 200, 200, provider=200, provider2=200)
SIGNED_IN = statuses(401, 200, 200, 200, 200, 200, 200, provider=200, provider2=200)
SELF = statuses(learner=200)
ADMIN_201 = statuses(admin=201)


ROWS = [
    # gateway: identity and accounts
    Row("me", "GET", "/me", SIGNED_IN),
    Row("me.access_log", "GET", "/me/access-log", statuses(learner=200, learner2=200, admin=403)),
    Row("access_log.export", "GET", "/access-log?learner_id={L}", statuses()),
    Row("access_log.export.csv", "GET", "/access-log?format=csv", statuses()),
    Row("accounts.list", "GET", "/accounts", statuses()),
    Row("accounts.get", "GET", "/accounts/{ACCT_L}", statuses()),
    Row(
        "accounts.create",
        "POST",
        "/accounts",
        ADMIN_201,
        body=lambda w, ids: {
            "email": unique("m") + "@x.kz",
            "password": "password-123",
            "role": "ministry",
        },
    ),
    Row(
        "accounts.deactivate",
        "POST",
        "/accounts/{ACCT}/deactivate",
        statuses(),
        fresh=fresh_account,
    ),
    # learner service: learners
    Row("learners.list", "GET", "/learners", statuses()),
    Row(
        "learners.create",
        "POST",
        "/learners",
        ADMIN_201,
        body=lambda w, ids: {
            **learner_profile("New One", [], consent=False),
            "email": unique("n") + "@x.kz",
        },
    ),
    Row("learners.get", "GET", "/learners/{L}", statuses(learner=200, employer=200)),
    Row(
        "learners.patch",
        "PATCH",
        "/learners/{L}",
        SELF,
        body=lambda w, ids: {"cv_text": "Python, SQL and data pipelines."},
    ),
    Row("learners.delete", "DELETE", "/learners/{L}", statuses(admin=204), fresh=fresh_learner),
    Row(
        "learners.skills.add",
        "POST",
        "/learners/{L}/skills",
        statuses(learner=201, admin=201),
        body=lambda w, ids: {"label": unique("Teamwork")},
    ),
    Row(
        "learners.skills.remove",
        "DELETE",
        "/learners/{L}/skills/{S}",
        statuses(learner=204, admin=204),
        fresh=fresh_skill,
    ),
    Row(
        "learners.skills.reject", "POST", "/learners/{L}/skills/{S}/reject", SELF, fresh=fresh_skill
    ),
    Row("learners.outcomes", "GET", "/learners/{L}/outcomes", SELF),
    Row("recommend.jobs", "GET", "/learners/{L}/recommendations/jobs", SELF),
    Row("recommend.courses", "GET", "/learners/{L}/recommendations/courses?vacancy_id={V}", SELF),
    Row("retraining.path", "GET", "/learners/{L}/retraining-path?vacancy_id={V}", SELF),
    # learner service: courses and enrolments
    Row("courses.list", "GET", "/courses", EVERYONE),
    Row("courses.get", "GET", "/courses/{C}", EVERYONE),
    Row(
        "courses.create",
        "POST",
        "/courses",
        ADMIN_201,
        body=lambda w, ids: {
            "provider": "edX",
            "title": unique("Course"),
            "language": "en",
            "hours": 20,
            "level": "beginner",
            "skills": aside_skills(),
        },
    ),
    Row(
        "courses.create.own",  # a provider's name is filled in; admin must give one
        "POST",
        "/courses",
        statuses(admin=422, provider=201, provider2=201),
        body=lambda w, ids: {
            "title": unique("Course"),
            "language": "kk",
            "hours": 12,
            "level": "beginner",
            "skills": aside_skills(),
        },
    ),
    Row(
        "courses.patch",
        "PATCH",
        "/courses/{C}",
        statuses(provider=200),
        body=lambda w, ids: {"hours": 36},
    ),
    Row(
        "courses.retire",
        "PATCH",
        "/courses/{C}",
        statuses(provider=200),
        fresh=fresh_course,
        body=lambda w, ids: {"retired": True},
    ),
    Row("providers.courses", "GET", "/providers/astana-hub/courses", statuses(provider=200)),
    Row("providers.courses.other", "GET", "/providers/ai-sana/courses", statuses(provider2=200)),
    Row("providers.report", "GET", "/providers/astana-hub/report", statuses(provider=200)),
    Row(
        "providers.report.csv",
        "GET",
        "/providers/astana-hub/report?format=csv",
        statuses(provider=200),
    ),
    # A JSON body passes the policy and is then refused by the service (415: the upload is CSV);
    # tests/gateway/test_enrolment_upload.py sends real CSV.
    Row(
        "providers.upload",
        "POST",
        "/providers/astana-hub/enrolments/upload",
        statuses(provider=415, admin=415),
        body=lambda w, ids: {"rows": []},
    ),
    Row(
        "providers.upload.other",
        "POST",
        "/providers/ai-sana/enrolments/upload",
        statuses(provider2=415, admin=415),
        body=lambda w, ids: {"rows": []},
    ),
    Row(
        "enrolments.list.course",
        "GET",
        "/enrolments?course_id={C}",
        statuses(learner=200, learner2=200, provider=200),
    ),
    Row("courses.delete", "DELETE", "/courses/{C}", statuses(admin=204), fresh=fresh_course),
    Row(
        "enrolments.list",
        "GET",
        "/enrolments",
        statuses(learner=200, learner2=200, provider=200, provider2=200),
    ),
    Row("enrolments.list.other", "GET", "/enrolments?learner_id={L}", SELF),
    Row(
        "enrolments.create",
        "POST",
        "/enrolments",
        statuses(learner=201, admin=201),
        fresh=fresh_course,
        body=lambda w, ids: {"learner_id": w["learner"].learner_id, "course_id": ids["C"]},
    ),
    Row("enrolments.get", "GET", "/enrolments/{N}", SELF),
    Row("enrolments.drop", "POST", "/enrolments/{N}/drop", SELF, fresh=fresh_enrolment),
    Row(
        "enrolments.complete",
        "POST",
        "/enrolments/{N}/complete",
        statuses(provider=200),
        fresh=fresh_enrolment,
        body=lambda w, ids: {"grade": 90},
    ),
    # jobs service
    Row("employers.list", "GET", "/employers", SIGNED_IN),
    Row("employers.get", "GET", "/employers/{E}", SIGNED_IN),
    Row(
        "employers.create",
        "POST",
        "/employers",
        ADMIN_201,
        body=lambda w, ids: {
            "name": unique("Co"),
            "bin": valid_bin(uuid.uuid4().int % 10**11),
            "region": "almaty-city",
            "sector": "IT",
        },
    ),
    Row(
        "employers.patch",
        "PATCH",
        "/employers/{E}",
        statuses(employer=200),
        body=lambda w, ids: {"sector": "Information technology"},
    ),
    Row("employers.delete", "DELETE", "/employers/{E}", statuses(admin=204), fresh=fresh_employer),
    Row("vacancies.list", "GET", "/vacancies", SIGNED_IN),
    Row("vacancies.get", "GET", "/vacancies/{V}", SIGNED_IN),
    Row(
        "vacancies.create",
        "POST",
        "/vacancies",
        statuses(employer=201, admin=201),
        body=lambda w, ids: {
            **vacancy_body(unique("Dev"), []),
            "employer_id": w["employer"].employer_id,
        },
    ),
    Row(
        "vacancies.patch",
        "PATCH",
        "/vacancies/{V}",
        statuses(employer=200),
        body=lambda w, ids: {"positions": 2},
    ),
    Row(
        "vacancies.delete",
        "DELETE",
        "/vacancies/{V}",
        statuses(employer=204, admin=204),
        fresh=fresh_vacancy,
    ),
    Row(
        "vacancies.close",
        "POST",
        "/vacancies/{V}/close",
        statuses(employer=200),
        fresh=fresh_vacancy,
    ),
    Row(
        "vacancies.reopen",
        "POST",
        "/vacancies/{V}/reopen",
        statuses(employer=200),
        fresh=fresh_closed_vacancy,
    ),
    Row("vacancies.candidates", "GET", "/vacancies/{V}/candidates", statuses(employer=200)),
    Row(
        "applications.list",
        "GET",
        "/applications",
        statuses(learner=200, learner2=200, employer=200, employer2=200),
    ),
    Row(
        "applications.create",
        "POST",
        "/applications",
        statuses(learner=201, admin=201),
        fresh=fresh_vacancy,
        body=lambda w, ids: {"learner_id": w["learner"].learner_id, "vacancy_id": ids["V"]},
    ),
    Row("applications.get", "GET", "/applications/{A}", statuses(learner=200, employer=200)),
    Row(
        "applications.transition",
        "POST",
        "/applications/{A}/transition",
        statuses(employer=200),
        fresh=fresh_application,
        body=lambda w, ids: {"to": "interview"},
    ),
    Row(
        "invitations.list",
        "GET",
        "/invitations",
        statuses(learner=200, learner2=200, employer=200, employer2=200),
    ),
    Row(
        "invitations.list.learner",  # an employer's list is scoped to its own vacancies
        "GET",
        "/invitations?learner_id={L}",
        statuses(learner=200, employer=200, employer2=200),
    ),
    Row(
        "invitations.create",
        "POST",
        "/invitations",
        statuses(employer=201, admin=201),
        fresh=invitable,
        body=lambda w, ids: {
            "vacancy_id": ids["V"],
            "learner_id": w["learner"].learner_id,
            "message": "Your skills fit this vacancy; please apply.",
        },
    ),
    Row(
        "invitations.get",
        "GET",
        "/invitations/{I}",
        statuses(learner=200, employer=200),
        fresh=invitation,
    ),
    Row(
        "invitations.decline",
        "POST",
        "/invitations/{I}/decline",
        SELF,
        fresh=open_invitation,
    ),
    # matcher: taxonomy is open; recommendations above
    Row(
        "skills.extract",
        "POST",
        "/skills/extract",
        EVERYONE,
        body=lambda w, ids: {"text": "We need machine learning and cloud data storage."},
    ),
    Row(
        "occupations.match",
        "POST",
        "/occupations/match",
        EVERYONE,
        body=lambda w, ids: {"title": "data engineer"},
    ),
    Row("skills.search", "GET", "/skills?q=data", EVERYONE),
    Row("skills.get", "GET", "/skills/{S0}", EVERYONE),
    Row("labels", "GET", "/labels?lang=kk", EVERYONE),
    Row("occupations.search", "GET", "/occupations", EVERYONE),
    Row("occupations.get", "GET", "/occupations/{O}", EVERYONE),
    Row("sync.status", "GET", "/sync/status", statuses()),
    # ministry reports (learner /reports/*)
    Row("reports.funnel", "GET", "/reports/funnel", statuses(ministry=200)),
    Row("reports.outcomes", "GET", "/reports/outcomes", statuses(ministry=200)),
    Row("reports.providers", "GET", "/reports/providers", statuses(ministry=200)),
    Row(
        "reports.unknown",
        "GET",
        "/reports/no-such-report",
        statuses(learner=403, ministry=404, admin=404),
    ),
]
