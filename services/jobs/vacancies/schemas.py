"""Request and response schemas of vacancies (they also make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator

from services.common.api import Id, PageQuery, ReadSchema, Schema, UtcDateTime
from services.common.languages import unique_languages
from services.common.reference import EmploymentType, LanguageCode, LanguageLevel, RegionSlug

from ..fields import MAX_SALARY, OBJECT_ID, WEBSITE, PartialUpdate, Salary
from ..provenance import Source

Schedule = Literal["full-day", "shift", "flexible", "remote", "fly-in-fly-out"]
Experience = Literal["none", "1-3", "3-6", "6+"]
VacancyStatus = Literal["open", "closed"]
VacancySort = Literal["-published_at", "published_at", "-salary_max", "-created_at"]


class SkillIn(Schema):
    """A skill a vacancy asks for: an ESCO uri when known, always a label."""

    uri: str | None = Field(None, min_length=1, max_length=500)
    label: str = Field(min_length=1, max_length=300)
    essential: bool = True
    level: int | None = Field(None, ge=1, le=5)
    source: Literal["self", "course", "extracted"] = "self"
    evidence: str | None = Field(None, max_length=2000)
    confidence: float | None = Field(None, ge=0, le=1)


class SkillRead(ReadSchema):
    uri: str | None
    label: str
    essential: bool
    level: int | None
    source: str
    evidence: str | None
    confidence: float | None


class LanguageIn(Schema):
    """A language a vacancy asks for, optionally at a level (A1..C2 or native)."""

    code: LanguageCode
    level: LanguageLevel | None = None


class LanguageRead(ReadSchema):
    code: str
    level: str | None


class SalaryOriginalRead(ReadSchema):
    """The salary as published (before conversion to KZT at a stated constant rate)."""

    amount_from: int | None
    amount_to: int | None
    currency: str
    period: str | None
    rate: float


class VacancyCreate(Schema):
    """A vacancy; salaries are KZT per month, either may be null, salary_min <= salary_max.

    The server sets its provenance: source "employer", published now.
    """

    employer_id: str = Field(pattern=OBJECT_ID)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20_000)
    requirements: str = Field("", max_length=20_000)
    skills: list[SkillIn] = Field(default_factory=list, max_length=100)
    region: RegionSlug
    remote: bool = False
    salary_min: Salary | None = None
    salary_max: Salary | None = None
    salary_gross: bool | None = Field(None, description="true: before tax; false: take-home")
    employment_type: EmploymentType = "full"
    schedule: Schedule | None = None
    experience: Experience | None = None
    languages: list[LanguageIn] = Field(default_factory=list, max_length=3)
    professional_role: str | None = Field(None, max_length=300, description="e.g. hh.kz role")
    positions: int = Field(1, ge=1, le=10_000, description="hires that fill the vacancy")

    check_languages = field_validator("languages")(unique_languages)


class VacancyImport(VacancyCreate):
    """A vacancy an importer brings in, with its provenance (never accepted over the API).

    Provenance says where a vacancy comes from and when it was published there; an employer who
    could set it would pose as an hh.kz import, backdated. So the API's VacancyCreate and
    VacancyUpdate have no such fields (422 "unknown field"), and only importers, which call the
    service layer in-process, build this schema.
    """

    source: Source = "employer"
    external_id: str | None = Field(
        None, min_length=1, max_length=100, description="id at the source; unique per source"
    )
    external_url: str | None = Field(None, max_length=500, pattern=WEBSITE)
    published_at: datetime | None = Field(None, description="defaults to now")


class VacancyUpdate(PartialUpdate):
    """Change some fields of a vacancy (status changes through close/reopen)."""

    NULLABLE = frozenset(
        {"salary_min", "salary_max", "salary_gross", "schedule", "experience", "professional_role"}
    )

    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=20_000)
    requirements: str | None = Field(None, max_length=20_000)
    skills: list[SkillIn] | None = Field(None, max_length=100)
    region: RegionSlug | None = None
    remote: bool | None = None
    salary_min: Salary | None = None
    salary_max: Salary | None = None
    salary_gross: bool | None = None
    employment_type: EmploymentType | None = None
    schedule: Schedule | None = None
    experience: Experience | None = None
    languages: list[LanguageIn] | None = Field(None, max_length=3)
    professional_role: str | None = Field(None, max_length=300)
    positions: int | None = Field(None, ge=1, le=10_000)

    check_languages = field_validator("languages")(unique_languages)


class VacancyRead(ReadSchema):
    """A vacancy as clients and the change feed see it."""

    id: Id
    employer_id: Id
    title: str
    description: str
    requirements: str
    skills: list[SkillRead]
    region: str
    remote: bool
    salary_min: int | None
    salary_max: int | None
    salary_gross: bool | None
    salary_original: SalaryOriginalRead | None = None
    employment_type: str
    schedule: str | None
    experience: str | None
    languages: list[LanguageRead]
    professional_role: str | None
    positions: int
    hired_count: int
    status: VacancyStatus
    closed_at: UtcDateTime | None
    source: Source
    external_id: str | None
    external_url: str | None
    published_at: UtcDateTime
    created_at: UtcDateTime
    updated_at: UtcDateTime


class VacancyQuery(PageQuery):
    """Filters of the vacancy list; list filters match any of their values."""

    employer_id: str | None = Field(None, pattern=OBJECT_ID)
    region: list[RegionSlug] | None = None
    remote: bool | None = None
    salary_min: int | None = Field(
        None, ge=0, le=MAX_SALARY, description="salary_max >= x or salary_min >= x (KZT)"
    )
    status: list[VacancyStatus] | None = None
    language: list[LanguageCode] | None = None
    employment_type: list[EmploymentType] | None = None
    q: str | None = Field(None, max_length=200, description="text in title or description")
    skill: list[Annotated[str, Field(max_length=500)]] | None = Field(
        None, max_length=50, description="ESCO skill uri"
    )
    source: Source | None = None
    sort: VacancySort = "-published_at"
