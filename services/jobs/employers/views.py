"""HTTP views of employers: parse, call the service layer, serialise."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common.api import Page, endpoint
from services.common.pagination import paginate

from . import service as employers
from .models import Employer
from .schemas import EmployerCreate, EmployerQuery, EmployerRead, EmployerUpdate

bp = Blueprint("employers", __name__)

TAGS = ["employers"]


@endpoint(bp, "GET", "/employers", query=EmployerQuery, response=Page[EmployerRead], tags=TAGS)
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
    tags=TAGS,
    errors={409: "an employer with this BIN exists"},
)
def create_employer(body: EmployerCreate) -> Employer:
    """Create an employer account (BIN required and checked)."""
    return employers.create(data=body)


@endpoint(bp, "GET", "/employers/<employer_id>", response=EmployerRead, tags=TAGS)
def get_employer(employer_id: str) -> Employer:
    """Return one employer."""
    return employers.get(employer_id=employer_id)


@endpoint(
    bp,
    "PATCH",
    "/employers/<employer_id>",
    body=EmployerUpdate,
    response=EmployerRead,
    tags=TAGS,
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
    tags=TAGS,
    errors={409: "the employer has open vacancies"},
)
def delete_employer(employer_id: str) -> None:
    """Delete an employer without open vacancies."""
    employers.delete(employer_id=employer_id)
