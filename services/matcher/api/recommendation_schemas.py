"""Request and response schemas of the matcher's recommendations, candidates and paths."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from services.common.api import Schema
from services.common.reference import EmploymentType, LanguageCode, RegionSlug


class SkillRef(BaseModel):
    uri: str | None = Field(description="ESCO URI; null for a skill known only by its label")
    label: str
    essential: bool = Field(description="required: marked essential, or all when none is")


class ScoreParts(BaseModel):
    similarity: float = Field(description="embedding cosine rescaled: 0 unrelated, 1 identical")
    coverage: float = Field(description="share of the skill weight held (essential weigh more)")
    total: float = Field(
        description="weights.similarity * similarity + weights.coverage * coverage"
    )
    cosine: float


class Weights(BaseModel):
    similarity: float
    coverage: float
    essential_skill: float
    optional_skill: float
    similarity_floor: float = Field(description="cosine an unrelated pair gets from the model")


class JobsQuery(Schema):
    """Filters on the vacancies recommended (applied before ranking)."""

    region: list[RegionSlug] | None = None
    remote: bool | None = None
    salary_min: int | None = Field(None, ge=0, description="the vacancy pays at least this (KZT)")
    language: list[LanguageCode] | None = Field(None, description="the vacancy uses any of these")
    employment_type: list[EmploymentType] | None = Field(
        None, description="the vacancy employs in any of these ways"
    )
    limit: int = Field(10, ge=1, le=100)


class LanguageNeed(BaseModel):
    code: str
    level: str | None = Field(description="the level asked (None: any)")


class JobItem(BaseModel):
    vacancy_id: str
    title: str
    employer_id: str | None
    region: str | None
    remote: bool
    salary_min: int | None
    salary_max: int | None
    languages: list[str]
    employment_type: str | None = None
    languages_unmet: list[LanguageNeed] = Field(
        default_factory=list,
        description="languages the vacancy asks for above the learner's level (or unlisted)",
    )
    score: ScoreParts
    matched_skills: list[SkillRef]
    missing_skills: list[SkillRef] = Field(description="essential first")


class Provisional(BaseModel):
    """Whether an answer was computed before the matcher finished indexing its item."""

    provisional: bool = Field(
        False,
        description="computed before the matcher finished indexing this item: see "
        "provisional_basis for what it used and indexing for the progress",
    )
    provisional_basis: str | None = None
    indexing: dict[str, Any] | None = None


class JobsOut(Provisional):
    learner_id: str
    weights: Weights
    considered: int = Field(description="open vacancies passing the filters")
    items: list[JobItem]


class CandidatesQuery(Schema):
    """How many candidates, and how far a trainable one may be from the vacancy."""

    trainable_k: int | None = Field(None, ge=0, le=20, description="most missing essential skills")
    region: list[RegionSlug] | None = None
    limit: int = Field(10, ge=1, le=100)


class PlannedCourse(BaseModel):
    course_id: str
    title: str
    provider: str | None
    language: str | None = Field(None, description="teaching language (ISO 639-1)")
    language_detected: bool = Field(
        False, description="the language was detected from the title and description"
    )
    hours: float
    hours_estimated: bool
    covers: list[SkillRef]


class CandidateItem(BaseModel):
    learner_id: str
    region: str | None
    programme: str | None
    score: ScoreParts
    matched_skills: list[SkillRef]
    missing_skills: list[SkillRef]
    missing_essential: int


class TrainableItem(CandidateItem):
    courses: list[PlannedCourse] = Field(description="cheapest courses closing the essential gap")
    hours: float
    uncoverable_skills: list[SkillRef]
    gap_closable: bool


class CandidatesOut(Provisional):
    vacancy_id: str
    weights: Weights
    trainable_k: int
    considered: int = Field(description="consenting learners passing the filters")
    candidates: list[CandidateItem]
    trainable: list[TrainableItem]


ANY_LANGUAGE = (
    "offer courses in every language; by default only courses taught in a language the "
    "learner reads (profile languages; without them the CV's language; without a CV kk and ru)"
)


class TargetQuery(Schema):
    """The target: a vacancy or an ESCO occupation (exactly one)."""

    vacancy_id: str | None = Field(None, max_length=100)
    occupation_uri: str | None = Field(None, max_length=300)
    limit: int = Field(10, ge=1, le=100)
    any_language: bool = Field(False, description=ANY_LANGUAGE)


class PathQuery(Schema):
    """The target of a retraining path (exactly one), and whether optional skills count."""

    vacancy_id: str | None = Field(None, max_length=100)
    occupation_uri: str | None = Field(None, max_length=300)
    include_optional: bool = False
    any_language: bool = Field(False, description=ANY_LANGUAGE)


class TargetRead(BaseModel):
    kind: str
    id: str
    label: str


class LanguageRule(BaseModel):
    reads: list[str] = Field(description="the languages the learner is taken to read")
    source: str = Field(
        description="profile (languages at B1 or above), cv (none such: the CV's language) or "
        "default (neither)"
    )
    definition: str
    below_reading_level: list[str] = Field(
        default_factory=list,
        description="profile languages listed below B1, which do not count for courses",
    )
    any_language: bool
    excluded_courses: int = Field(
        description="courses teaching a missing skill left out for their language"
    )


class CourseItem(BaseModel):
    course_id: str
    title: str
    provider: str | None
    language: str | None
    language_detected: bool = Field(
        description="the language was detected from the text, not stated by the catalogue"
    )
    learner_reads_it: bool = Field(description="false only when any_language=true was asked")
    reason: str = Field(description="why it is offered: what it teaches, its language")
    hours: float | None
    prerequisites: list[str]
    score: ScoreParts
    matched_skills: list[SkillRef] = Field(description="missing skills this course teaches")
    missing_skills: list[SkillRef] = Field(description="missing skills it does not teach")


class CoursesOut(Provisional):
    learner_id: str
    target: TargetRead
    weights: Weights
    missing_skills: list[SkillRef]
    languages: LanguageRule
    items: list[CourseItem]


class VacancyRef(BaseModel):
    vacancy_id: str
    title: str


class StepWhy(BaseModel):
    teaches_missing: list[SkillRef] = Field(description="missing skills it is the first to teach")
    is_prerequisite_of: list[str] = Field(description="later courses of the path needing it")
    language: str | None
    language_detected: bool
    learner_reads_it: bool = Field(description="false only when any_language=true was asked")


class PathStep(PlannedCourse):
    step: int
    prerequisites: list[str] = Field(description="courses of this path to take before it")
    reachable_vacancies: int = Field(description="open vacancies within reach after this step")
    newly_reachable: int
    examples: list[VacancyRef]
    why: StepWhy = Field(description="why the course is in the path")
    reason: str = Field(description="the same, as one English sentence to show")


class ReachRead(BaseModel):
    definition: str
    threshold: float
    before: int
    after: int


class PathOut(Provisional):
    learner_id: str
    target: TargetRead
    missing_skills: list[SkillRef] = Field(description="essential first")
    to_cover: int
    uncoverable_skills: list[SkillRef]
    taught_only_in_other_languages: list[SkillRef] = Field(
        description="uncoverable skills a course in a language the learner does not read teaches"
    )
    languages: LanguageRule
    steps: list[PathStep]
    total_hours: float
    method: str = Field(description="exact (0/1 program) or greedy (then pruned)")
    prerequisite_cycle: bool
    reach: ReachRead
