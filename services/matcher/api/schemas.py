"""Request and response schemas of the matcher's extraction, taxonomy and status endpoints.

The recommendation answers are in :mod:`services.matcher.api.recommendation_schemas`; both make
the OpenAPI document.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from services.common.api import PageQuery, Schema
from services.common.reference import LanguageCode


class ExtractIn(Schema):
    """Free text to tag with ESCO skills.

    ``min_confidence: 0`` returns the full ranking of candidate skills for the text (its
    ``top_k`` best, each scored by its best sentence or clause; the benchmark setting; in
    Russian/Kazakh text the skills the vocabulary names come first); otherwise the calibrated
    set above the threshold, skills the vocabulary names first.
    """

    text: str = Field(min_length=1, max_length=50_000)
    lang: LanguageCode | None = Field(None, description="kk, ru or en; the model is multilingual")
    top_k: int = Field(10, ge=1, le=100)
    min_confidence: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="least confidence; 0 = the ranking; unset = the per-language default",
    )


class ExtractedRead(BaseModel):
    uri: str
    label: str
    confidence: float = Field(description="calibrated probability that the skill is meant")
    evidence: str = Field(description="the sentence the skill was found in")
    matched: str | None = Field(
        None, description="the words of the text that name the skill ('' when the model found it)"
    )
    source: str | None = Field(None, description="vocabulary (named in the text) or model")


class ExtractOut(BaseModel):
    model: str
    items: list[ExtractedRead]


class OccupationMatchIn(Schema):
    """A job title to normalise to ESCO occupations."""

    title: str = Field(min_length=1, max_length=300)
    top_k: int = Field(10, ge=1, le=50)


class OccupationMatchRead(BaseModel):
    uri: str
    label: str
    label_lang: str = Field("en", description="the language of label (en: the ESCO label)")
    label_en: str = Field("", description="the ESCO preferred label (English)")
    score: float


class OccupationMatchOut(BaseModel):
    model: str
    items: list[OccupationMatchRead]


LABEL_LANG = (
    "kk, ru or en: labels in that language where the vocabulary has one, else the English "
    "ESCO label (label_lang says which)"
)


class LangQuery(Schema):
    """The language labels are shown in."""

    lang: LanguageCode | None = Field(None, description=LABEL_LANG)


class LabelsQuery(Schema):
    """The language whose display names are asked for."""

    lang: Literal["kk", "ru"] = Field(description="kk or ru (English names are the ESCO labels)")


class LabelsOut(BaseModel):
    lang: str
    labels: dict[str, str] = Field(
        description="{ESCO URI: name in lang} of every skill and occupation the vocabulary names"
    )


class SearchQuery(PageQuery):
    """A text to look for in labels and alternative labels, and the language labels are shown in."""

    q: str | None = Field(None, max_length=200)
    lang: LanguageCode | None = Field(None, description=LABEL_LANG)


class ConceptRef(BaseModel):
    uri: str
    label: str
    label_lang: str = Field("en", description="the language of label (en: the ESCO label)")


class SkillSummary(BaseModel):
    uri: str
    label: str
    label_lang: str = Field("en", description="the language of label (en: the ESCO label)")
    label_en: str = Field("", description="the ESCO preferred label (English)")
    skill_type: str
    reuse_level: str


class SkillDetail(SkillSummary):
    alt_labels: list[str]
    description: str
    broader: list[str]
    essential_for: list[ConceptRef] = Field(description="occupations needing it (first 50)")
    essential_for_count: int
    optional_for_count: int


class OccupationSummary(BaseModel):
    uri: str
    label: str
    label_lang: str = Field("en", description="the language of label (en: the ESCO label)")
    label_en: str = Field("", description="the ESCO preferred label (English)")
    isco_group: str
    code: str


class OccupationDetail(OccupationSummary):
    alt_labels: list[str]
    description: str
    essential_skills: list[ConceptRef]
    optional_skills: list[ConceptRef]


class SkillPage(BaseModel):
    items: list[SkillSummary]
    total: int
    limit: int
    offset: int


class OccupationPage(BaseModel):
    items: list[OccupationSummary]
    total: int
    limit: int
    offset: int


class SyncStatusOut(BaseModel):
    state: str
    load_error: str | None
    model: str
    feeds: dict[str, Any]
    handled: dict[str, int]
    failed_events: int
    write_backs: int
    last_error: str | None
    last_sync_at: str | None
    indexes: dict[str, Any]
    embedding_cache: dict[str, int]
    worker_model: str
    indexing: dict[str, Any] | None = None
    # A bulk backlog's first pass and the refines after it (sync/refine.py).
    first_pass: dict[str, Any] | None = None
    refine: dict[str, Any] | None = None
