"""HTTP views of the jobs service: parse, call the service layer, serialise."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common import listing
from services.common.api import Page, endpoint
from services.common.pagination import paginate

from .models import Application, Employer, Vacancy
from .schemas import (
    ApplicationCreate,
    ApplicationQuery,
    ApplicationRead,
    EmployerCreate,
    EmployerQuery,
    EmployerRead,
    EmployerUpdate,
    TransitionRequest,
    VacancyCreate,
    VacancyQuery,
    VacancyRead,
    VacancyUpdate,
)
from .service import applications, employers, vacancies

bp = Blueprint("jobs", __name__)

EMPLOYERS = ["employers"]
VACANCIES = ["vacancies"]
APPLICATIONS = ["applications"]


@endpoint(bp, "GET", "/employers", query=EmployerQuery, response=Page[EmployerRead], tags=EMPLOYERS)
def list_employers(query: EmployerQuery) -> dict[str, Any]:
    """List employers (filters: region, sector, source, bin, q), by name."""
    return paginate(employers.get_all(query=query), query, EmployerRead)


@endpoint(
    bp,
    "POST",
    "/employers",
    body=EmployerCreate,
    response=EmployerRead,
    status=201,
    tags=EMPLOYERS,
    errors={409: "an employer with this BIN exists"},
)
def create_employer(body: EmployerCreate) -> Employer:
    """Create an employer account (BIN required and checked)."""
    return employers.create(data=body)


@endpoint(bp, "GET", "/employers/<employer_id>", response=EmployerRead, tags=EMPLOYERS)
def get_employer(employer_id: str) -> Employer:
    """Return one employer."""
    return employers.get(employer_id=employer_id)


@endpoint(
    bp,
    "PATCH",
    "/employers/<employer_id>",
    body=EmployerUpdate,
    response=EmployerRead,
    tags=EMPLOYERS,
    errors={409: "an employer with this BIN exists"},
)
def update_employer(employer_id: str, body: EmployerUpdate) -> Employer:
    """Change some fields of an employer."""
    return employers.update(employer_id=employer_id, data=body)


@endpoint(
    bp,
    "DELETE",
    "/employers/<employer_id>",
    status=204,
    tags=EMPLOYERS,
    errors={409: "the employer has open vacancies"},
)
def delete_employer(employer_id: str) -> None:
    """Delete an employer without open vacancies."""
    employers.delete(employer_id=employer_id)


@endpoint(bp, "GET", "/vacancies", query=VacancyQuery, response=Page[VacancyRead], tags=VACANCIES)
def list_vacancies(query: VacancyQuery) -> dict[str, Any]:
    """List vacancies matching every given filter, newest first by default."""
    if listing.enabled():
        return vacancies.list_page(query=query)
    return paginate(vacancies.get_all(query=query), query, VacancyRead)


@endpoint(
    bp,
    "POST",
    "/vacancies",
    body=VacancyCreate,
    response=VacancyRead,
    status=201,
    tags=VACANCIES,
    errors={409: "a vacancy with this source and external_id exists"},
)
def create_vacancy(body: VacancyCreate) -> Vacancy:
    """Post a vacancy for an existing employer."""
    return vacancies.create(data=body)


@endpoint(bp, "GET", "/vacancies/<vacancy_id>", response=VacancyRead, tags=VACANCIES)
def get_vacancy(vacancy_id: str) -> Vacancy:
    """Return one vacancy."""
    return vacancies.get(vacancy_id=vacancy_id)


@endpoint(
    bp,
    "PATCH",
    "/vacancies/<vacancy_id>",
    body=VacancyUpdate,
    response=VacancyRead,
    tags=VACANCIES,
)
def update_vacancy(vacancy_id: str, body: VacancyUpdate) -> Vacancy:
    """Change some fields of a vacancy."""
    return vacancies.update(vacancy_id=vacancy_id, data=body)


@endpoint(
    bp,
    "DELETE",
    "/vacancies/<vacancy_id>",
    status=204,
    tags=VACANCIES,
    errors={409: "the vacancy has applications: close it instead"},
)
def delete_vacancy(vacancy_id: str) -> None:
    """Delete a vacancy nobody applied to."""
    vacancies.delete(vacancy_id=vacancy_id)


@endpoint(
    bp,
    "POST",
    "/vacancies/<vacancy_id>/close",
    response=VacancyRead,
    tags=VACANCIES,
    errors={409: "the vacancy is already closed"},
)
def close_vacancy(vacancy_id: str) -> Vacancy:
    """Close an open vacancy to new applications."""
    return vacancies.close(vacancy_id=vacancy_id)


@endpoint(
    bp,
    "POST",
    "/vacancies/<vacancy_id>/reopen",
    response=VacancyRead,
    tags=VACANCIES,
    errors={409: "the vacancy is open already, or all its positions are filled"},
)
def reopen_vacancy(vacancy_id: str) -> Vacancy:
    """Reopen a closed vacancy that has positions left."""
    return vacancies.reopen(vacancy_id=vacancy_id)


@endpoint(
    bp,
    "GET",
    "/applications",
    query=ApplicationQuery,
    response=Page[ApplicationRead],
    tags=APPLICATIONS,
)
def list_applications(query: ApplicationQuery) -> dict[str, Any]:
    """List applications by vacancy, employer, learner or status, newest first."""
    return paginate(applications.get_all(query=query), query, ApplicationRead)


@endpoint(
    bp,
    "POST",
    "/applications",
    body=ApplicationCreate,
    response=ApplicationRead,
    status=201,
    tags=APPLICATIONS,
    errors={409: "the vacancy is closed, or the learner already applied to it"},
)
def create_application(body: ApplicationCreate) -> Application:
    """Apply a learner to an open vacancy."""
    return applications.create(data=body)


@endpoint(bp, "GET", "/applications/<application_id>", response=ApplicationRead, tags=APPLICATIONS)
def get_application(application_id: str) -> Application:
    """Return one application with its history."""
    return applications.get(application_id=application_id)


@endpoint(
    bp,
    "POST",
    "/applications/<application_id>/transition",
    body=TransitionRequest,
    response=ApplicationRead,
    tags=APPLICATIONS,
    errors={
        409: "illegal transition (the problem names current_status). Legal moves: "
        "applied -> interview | offer | rejected; interview -> offer | rejected; "
        "offer -> hired | rejected; hired and rejected are final"
    },
)
def transition_application(application_id: str, body: TransitionRequest) -> Application:
    """Move an application through applied -> interview -> offer -> hired, or to rejected."""
    return applications.transition(application_id=application_id, data=body)
