"""Taxonomy look-ups, skill extraction and title matching, called by the matcher views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from services.common.errors import NotFound, Unavailable
from services.matcher.api.schemas import ExtractIn, OccupationMatchIn, SearchQuery
from services.matcher.esco.concepts import OCCUPATION_PREFIX, SKILL_PREFIX, normalise_uri
from services.matcher.esco.release import Occupation, Skill
from services.matcher.ml.threads import request_threads
from services.matcher.ml.vocabulary import display_labels
from services.matcher.recommend.state import Matcher

NOT_IMPORTED = (
    "the ESCO taxonomy is not imported: run python -m services.matcher.esco.taxonomy import"
)
ESSENTIAL_FOR_SHOWN = 50

C = TypeVar("C", Skill, Occupation)


class ExtractorHost(Protocol):
    """What extraction needs of the matcher (``make eval`` passes its own)."""

    model_name: str

    def extractor(self) -> Any:
        """Return the skill extractor, or None before ESCO is imported."""


def extract(m: ExtractorHost, *, body: ExtractIn) -> dict[str, Any]:
    """Return the ESCO skills found in a text: the ranking (min_confidence 0) or the set."""
    extractor = m.extractor()
    if extractor is None:
        raise Unavailable(NOT_IMPORTED)
    # A request may take the second core when nothing else wants it (the background keeps one
    # thread); in the web process the extractor is the worker's proxy, which decides there.
    with request_threads():
        found = extractor.extract(
            body.text, lang=body.lang, top_k=body.top_k, min_confidence=body.min_confidence
        )
    return {
        "model": m.model_name,
        "items": [
            {
                "uri": e.uri,
                "label": e.label,
                "confidence": e.confidence,
                "evidence": e.evidence_sentence,
                # Unknown (None) when the process that extracted did not say.
                "matched": getattr(e, "matched", None),
                "source": getattr(e, "source", None),
            }
            for e in found
        ],
    }


def match_title(m: Matcher, *, body: OccupationMatchIn, lang: str | None = None) -> dict[str, Any]:
    """Return the ESCO occupations a title names, best first, labelled in ``lang``."""
    matcher = m.occupation_matcher()
    if matcher is None:
        raise Unavailable(NOT_IMPORTED)
    with request_threads():
        found = matcher.match(body.title, top_k=body.top_k)
    return {
        "model": m.model_name,
        "items": [
            {
                "uri": o.uri,
                **shown_label(o.uri, o.label, lang),
                "label_en": o.label,
                "score": o.score,
            }
            for o in found
        ],
    }


def shown_label(uri: str, english: str, lang: str | None) -> dict[str, str]:
    """Return the label to show in ``lang`` and its language (the ESCO label when none)."""
    if lang and lang != "en":
        label = display_labels(lang).get(uri)
        if label:
            return {"label": label, "label_lang": lang}
    return {"label": english, "label_lang": "en"}


def _skill_summary(c: Skill, lang: str | None = None) -> dict[str, Any]:
    return {
        "uri": c.uri,
        **shown_label(c.uri, c.label, lang),
        "label_en": c.label,
        "skill_type": c.skill_type,
        "reuse_level": c.reuse_level,
    }


def _occupation_summary(c: Occupation, lang: str | None = None) -> dict[str, Any]:
    return {
        "uri": c.uri,
        **shown_label(c.uri, c.label, lang),
        "label_en": c.label,
        "isco_group": c.isco_group,
        "code": c.code,
    }


def _page(
    found: tuple[int, list[C]],
    summary: Callable[[C, str | None], dict[str, Any]],
    query: SearchQuery,
) -> dict[str, Any]:
    total, items = found
    return {
        "items": [summary(c, query.lang) for c in items],
        "total": total,
        "limit": query.limit,
        "offset": query.offset,
    }


def search_skills(m: Matcher, *, query: SearchQuery) -> dict[str, Any]:
    """Return one page of skills matching a text."""
    found = m.catalog().search_skills(query.q, query.limit, query.offset)
    return _page(found, _skill_summary, query)


def search_occupations(m: Matcher, *, query: SearchQuery) -> dict[str, Any]:
    """Return one page of occupations matching a text."""
    found = m.catalog().search_occupations(query.q, query.limit, query.offset)
    return _page(found, _occupation_summary, query)


def _refs(m: Matcher, uris: list[str], lang: str | None = None) -> list[dict[str, str]]:
    cat = m.catalog()
    out = []
    for uri in uris:
        concept = cat.skills.get(uri) or cat.occupations.get(uri)
        if concept is not None:
            out.append({"uri": uri, **shown_label(uri, concept.label, lang)})
    return out


def skill_detail(m: Matcher, *, uri: str, lang: str | None = None) -> dict[str, Any]:
    """Return one skill with the occupations that need it."""
    cat = m.catalog()
    full = normalise_uri(uri, SKILL_PREFIX)
    c = cat.skills.get(full)
    if c is None:
        raise NotFound(f"no ESCO skill {full}")
    essential_for = cat.essential_for.get(full, [])
    return {
        **_skill_summary(c, lang),
        "alt_labels": c.alt_labels,
        "description": c.description,
        "broader": c.broader,
        "essential_for": _refs(m, essential_for[:ESSENTIAL_FOR_SHOWN], lang),
        "essential_for_count": len(essential_for),
        "optional_for_count": len(cat.optional_for.get(full, [])),
    }


def occupation_detail(m: Matcher, *, uri: str, lang: str | None = None) -> dict[str, Any]:
    """Return one occupation with its essential and optional skills."""
    full = normalise_uri(uri, OCCUPATION_PREFIX)
    c = m.catalog().occupations.get(full)
    if c is None:
        raise NotFound(f"no ESCO occupation {full}")
    return {
        **_occupation_summary(c, lang),
        "alt_labels": c.alt_labels,
        "description": c.description,
        "essential_skills": _refs(m, c.essential, lang),
        "optional_skills": _refs(m, c.optional, lang),
    }
