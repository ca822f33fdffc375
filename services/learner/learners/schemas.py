"""Request and response schemas of learner profiles and of their consent."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from services.common.api import Id, PageQuery, ReadSchema, Schema, UtcDateTime
from services.common.emails import Email
from services.common.languages import unique_languages
from services.common.reference import LanguageCode, LanguageLevel, Programme, RegionSlug

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Uri = Annotated[str, StringConstraints(max_length=300, pattern=r"^https?://[^\s]+$")]
Cohort = Annotated[str, StringConstraints(max_length=40, pattern=r"^\d{4}(-[a-z0-9]+)+$")]
CvText = Annotated[str, StringConstraints(max_length=20_000)]


class LanguageIn(Schema):
    """A language and the learner's level in it."""

    code: LanguageCode
    level: LanguageLevel


class SkillIn(Schema):
    """A skill the learner declares (source "self")."""

    uri: Uri | None = Field(None, description="ESCO skill URI, when known")
    label: Label
    level: int | None = Field(None, ge=1, le=5, description="self-assessed level 1..5")


class OccupationIn(Schema):
    """An occupation the learner aims at: an ESCO occupation URI, a free title, or both."""

    uri: Uri | None = None
    title: Label | None = None

    @model_validator(mode="after")
    def check_one_given(self) -> OccupationIn:
        if self.uri is None and self.title is None:
            raise ValueError("give an ESCO occupation uri or a title")
        return self


class LearnerCreate(Schema):
    """A new learner profile."""

    name: Name
    email: Email
    region: RegionSlug
    programme: Programme = "other"
    cohort: Cohort | None = Field(None, description='intake, e.g. "2025-autumn"')
    languages: list[LanguageIn] = Field(default_factory=list, max_length=3)
    skills: list[SkillIn] = Field(default_factory=list, max_length=200)
    desired_occupations: list[OccupationIn] = Field(default_factory=list, max_length=20)
    cv_text: CvText | None = None
    consent: bool = Field(False, description="may employers see this profile?")

    @field_validator("languages")
    @classmethod
    def check_languages(cls, value: list[LanguageIn] | None) -> list[LanguageIn] | None:
        """Reject a language listed twice."""
        return unique_languages(value)


class LearnerUpdate(Schema):
    """A partial update of a learner; the merged result is validated as a whole."""

    name: Name | None = None
    email: Email | None = None
    region: RegionSlug | None = None
    programme: Programme | None = None
    cohort: Cohort | None = None
    languages: list[LanguageIn] | None = Field(None, max_length=3)
    desired_occupations: list[OccupationIn] | None = Field(None, max_length=20)
    cv_text: CvText | None = None
    consent: bool | None = None

    @field_validator("languages")
    @classmethod
    def check_languages(cls, value: list[LanguageIn] | None) -> list[LanguageIn] | None:
        """Reject a language listed twice."""
        return unique_languages(value)


class ExtractedSkillIn(Schema):
    """A skill the matcher found in the learner's CV."""

    uri: Uri
    label: Label
    confidence: float | None = Field(None, ge=0.0, le=1.0)
    evidence: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ExtractedSkillsIn(Schema):
    """The full set of extracted skills; it replaces the previous extracted ones."""

    skills: list[ExtractedSkillIn] = Field(max_length=500)


class LanguageRead(ReadSchema):
    code: str
    level: str


class SkillRead(ReadSchema):
    uri: str | None = None
    label: str
    level: int | None = None
    source: str
    evidence: str | None = None
    confidence: float | None = None


class OccupationRead(ReadSchema):
    uri: str | None = None
    title: str | None = None


class LearnerRead(ReadSchema):
    """A learner profile as clients see it."""

    id: Id
    name: str
    email: str
    region: str
    programme: str
    cohort: str | None = None
    languages: list[LanguageRead]
    skills: list[SkillRead]
    rejected_skills: list[str]
    desired_occupations: list[OccupationRead]
    cv_text: str | None = None
    consent: bool
    consent_at: UtcDateTime | None = None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class LearnerQuery(PageQuery):
    """Filters of the learner list (a list filter matches any of its values)."""

    region: list[RegionSlug] | None = None
    programme: list[Programme] | None = None
    cohort: Cohort | None = None
    language: list[LanguageCode] | None = Field(None, description="speaks any of these")
    skill: list[Uri] | None = Field(None, description="has any of these skill URIs")
    consent: bool | None = None
    q: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, description="text in the name or email (literal, case-insensitive)"
    )


MAX_CONSENT_IDS = 500


class ConsentQuery(Schema):
    """The learners whose current consent is asked for (comma-separated ids)."""

    ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=MAX_CONSENT_IDS, description="learner ids"
    )


class ConsentRead(ReadSchema):
    """Per asked id: true only if that learner exists and consents to be found right now."""

    consent: dict[str, bool]
