"""HTTP views of vacancies: parse, call the service layer, serialise."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common import listing
from services.common.api import Page, endpoint
from services.common.pagination import paginate

from . import reads
from . import service as vacancies
from .models import Vacancy
from .schemas import VacancyCreate, VacancyQuery, VacancyRead, VacancyUpdate

bp = Blueprint("vacancies", __name__)

TAGS = ["vacancies"]


@endpoint(bp, "GET", "/vacancies", query=VacancyQuery, response=Page[VacancyRead], tags=TAGS)
def list_vacancies(query: VacancyQuery) -> dict[str, Any]:
    """List vacancies matching every given filter, newest first by default."""
    if listing.enabled():
        return reads.list_page(query=query)
    return paginate(vacancies.get_all(query=query), query, VacancyRead)


@endpoint(
    bp,
    "POST",
    "/vacancies",
    body=VacancyCreate,
    response=VacancyRead,
    status=201,
    tags=TAGS,
    errors={409: "a vacancy with this source and external_id exists"},
)
def create_vacancy(body: VacancyCreate) -> Vacancy:
    """Post a vacancy for an existing employer."""
    return vacancies.create(data=body)


@endpoint(bp, "GET", "/vacancies/<vacancy_id>", response=VacancyRead, tags=TAGS)
def get_vacancy(vacancy_id: str) -> Vacancy:
    """Return one vacancy."""
    return vacancies.get(vacancy_id=vacancy_id)


@endpoint(
    bp,
    "PATCH",
    "/vacancies/<vacancy_id>",
    body=VacancyUpdate,
    response=VacancyRead,
    tags=TAGS,
)
def update_vacancy(vacancy_id: str, body: VacancyUpdate) -> Vacancy:
    """Change some fields of a vacancy."""
    return vacancies.update(vacancy_id=vacancy_id, data=body)


@endpoint(
    bp,
    "DELETE",
    "/vacancies/<vacancy_id>",
    status=204,
    tags=TAGS,
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
    tags=TAGS,
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
    tags=TAGS,
    errors={409: "the vacancy is open already, or all its positions are filled"},
)
def reopen_vacancy(vacancy_id: str) -> Vacancy:
    """Reopen a closed vacancy that has positions left."""
    return vacancies.reopen(vacancy_id=vacancy_id)
