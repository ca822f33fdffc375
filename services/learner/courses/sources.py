"""Reading the real edX and Coursera catalogue CSVs into courses, with reasons for skips.

Rules (documented here because the catalogues do not state them):

Hours
  edX: ``course_effort`` "2–3 hours per week" gives the midpoint of the range (2.5 h/week; a
  single number is used as is) and ``course_length`` "6 Weeks" the number of weeks; hours =
  hours per week × weeks, rounded to one decimal (2–3 h/week × 6 weeks = 15.0 h).
  Coursera: ``Duration`` is a bucket at Coursera's suggested pace, which this catalogue does not
  give; we assume COURSERA_HOURS_PER_WEEK (8) h/week. "A - B Weeks" = midpoint weeks × 8,
  "A - B Months" = midpoint months × 4.345 weeks × 8 ("1 - 3 Months" = 69.5 h, "3 - 6 Months" =
  156.4 h, "1 - 4 Weeks" = 20 h), "Less Than N Hours" = 0.75 × N ("Less Than 2 Hours" = 1.5 h).
Price
  edX: every course in the catalogue is free to audit ("FREE-Add a Verified Certificate for $49
  USD"), so price_kzt = 0 and the certificate's ``price_USD`` × USD_TO_KZT goes to
  certificate_price_kzt. A course whose price does not start with FREE would cost price_USD ×
  USD_TO_KZT. Coursera: the catalogue has no prices, so price_kzt is null (unknown).
Level
  edX Introductory/Intermediate/Advanced and Coursera Beginner/Intermediate/Advanced map to
  beginner/intermediate/advanced; Coursera "Mixed" (open to all levels, nothing assumed) maps
  to beginner.
Identity
  edX: the slug of course_url (unique in the catalogue). Coursera has no ids or URLs: the key is
  "institution / product type / title", case-folded with spacing collapsed. Coursera lists a
  course once per subject it belongs to (and some twice with stray spaces); a row whose key was
  already seen is skipped as a duplicate.
Language
  edX: the ``language`` column. Coursera has none: the title's script decides (Cyrillic with
  Kazakh letters kk, other Cyrillic ru, Arabic ar, Han zh), otherwise en.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .schemas import CourseCreate

# Tenge per US dollar: a round figure near the National Bank of Kazakhstan rate of 2025.
USD_TO_KZT = 500
COURSERA_HOURS_PER_WEEK = 8.0
WEEKS_PER_MONTH = 4.345
MAX_DESCRIPTION = 20_000

EDX_LANGUAGES = {
    "English": "en",
    "Español": "es",
    "Français": "fr",
    "Italiano": "it",
    "中文": "zh",
    "Português": "pt",
    "日本語": "ja",
    "اللغة العربية": "ar",
    "Deutsch": "de",
    "Русский": "ru",
    "Türkçe": "tr",
}
LEVELS = {
    "introductory": "beginner",
    "beginner": "beginner",
    "mixed": "beginner",
    "intermediate": "intermediate",
    "advanced": "advanced",
}
# Skill names that contain commas; everything else in "Gained Skills" is comma-separated.
COMMA_SKILLS = ("Extract, Transform, Load",)
PLACEHOLDERS = {"", "pending", "none", "no abstract available"}


@dataclass
class Parsed:
    """One catalogue row: a course to import, or the reason it was skipped."""

    row: int
    course: CourseCreate | None = None
    skip: str | None = None


def _clean(value: str | None) -> str | None:
    text = (value or "").strip()
    return None if text.lower() in PLACEHOLDERS else text


def _key_part(text: str) -> str:
    # Case and spacing vary between listings of one course; symbols (C++ / C#) and scripts
    # do not, so they stay in the key.
    return " ".join(text.split()).casefold()


def title_language(title: str) -> str:
    """Guess the teaching language of a Coursera course from its title's script."""
    if re.search("[әғқңөұүһі]", title, re.I):
        return "kk"
    if re.search("[а-яё]", title, re.I):
        return "ru"
    if re.search("[\u0600-\u06ff]", title):
        return "ar"
    if re.search("[\u4e00-\u9fff]", title):
        return "zh"
    return "en"


def edx_hours(effort: str, length: str) -> float | None:
    """Return total hours from "2–3 hours per week" and "6 Weeks", or None if unparseable."""
    per_week = re.fullmatch(
        r"\s*(\d+(?:\.\d+)?)\s*(?:[–—-]\s*(\d+(?:\.\d+)?))?\s*hours? per week\s*", effort, re.I
    )
    weeks = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*weeks?\s*", length, re.I)
    if not per_week or not weeks:
        return None
    low = float(per_week.group(1))
    high = float(per_week.group(2) or low)
    hours = round((low + high) / 2 * float(weeks.group(1)), 1)
    return hours if hours > 0 else None


def coursera_hours(duration: str) -> float | None:
    """Return total hours from a Coursera duration bucket, or None if unparseable."""
    text = duration.strip()
    span = re.fullmatch(r"(\d+)\s*-\s*(\d+)\s*(weeks?|months?)", text, re.I)
    if span:
        weeks = (int(span.group(1)) + int(span.group(2))) / 2
        if span.group(3).lower().startswith("month"):
            weeks *= WEEKS_PER_MONTH
        return round(weeks * COURSERA_HOURS_PER_WEEK, 1)
    under = re.fullmatch(r"less than\s*(\d+)\s*hours?", text, re.I)
    if under:
        return round(0.75 * int(under.group(1)), 1)
    return None


def split_skills(text: str) -> list[str]:
    """Split Coursera's "Gained Skills" into labels, keeping comma-bearing names whole."""
    protected = text
    for i, name in enumerate(COMMA_SKILLS):
        protected = protected.replace(name, f"\x00{i}\x00")
    labels: list[str] = []
    for part in (p.strip() for p in protected.split(",")):
        if not part:
            continue
        if part.startswith("and ") and len(labels) >= 2:
            # "Law, Regulation, and Compliance": a serial-comma name of three parts.
            labels[-2:] = [f"{labels[-2]}, {labels[-1]}, {part}"]
            continue
        labels.append(part)
    restored = []
    for label in labels:
        for i, name in enumerate(COMMA_SKILLS):
            label = label.replace(f"\x00{i}\x00", name)
        restored.append(label[:300])
    return list(dict.fromkeys(restored))


def _usd(value: str) -> int | None:
    match = re.search(r"\d+(?:\.\d+)?", value or "")
    return round(float(match.group()) * USD_TO_KZT) if match else None


def _validated(index: int, data: dict[str, Any]) -> Parsed:
    try:
        return Parsed(index, course=CourseCreate.model_validate(data))
    except ValidationError as exc:
        field = ".".join(str(p) for p in exc.errors()[0]["loc"])
        return Parsed(index, skip=f"invalid {field}")


def parse_edx(rows: list[dict[str, str]]) -> Iterator[Parsed]:
    """Turn edX catalogue rows into courses (see the module docstring for the rules)."""
    seen: set[str] = set()
    for index, row in enumerate(rows):
        title = _clean(row.get("title"))
        url = (row.get("course_url") or "").strip()
        slug = url.rstrip("/").rsplit("/course/", 1)[-1] if "/course/" in url else ""
        if not title:
            yield Parsed(index, skip="missing title")
            continue
        if not slug:
            yield Parsed(index, skip="missing course url")
            continue
        if slug in seen:
            yield Parsed(index, skip="duplicate course url")
            continue
        seen.add(slug)
        language = EDX_LANGUAGES.get((row.get("language") or "").strip())
        if language is None:
            yield Parsed(index, skip="unknown language")
            continue
        level = LEVELS.get((row.get("Level") or "").strip().lower())
        if level is None:
            yield Parsed(index, skip="unknown level")
            continue
        hours = edx_hours(row.get("course_effort") or "", row.get("course_length") or "")
        if hours is None:
            yield Parsed(index, skip="unparseable duration")
            continue
        price = (row.get("price") or "").strip()
        free = price.upper().startswith("FREE")
        usd = _usd(row.get("price_USD") or "")
        parts = [_clean(row.get("summary")), _clean(row.get("course_description"))]
        description = "\n\n".join(p for p in parts if p)[:MAX_DESCRIPTION] or None
        yield _validated(
            index,
            {
                "provider": "edX",
                "external_id": slug,
                "title": title[:300],
                "description": description,
                "institution": (_clean(row.get("institution")) or "")[:200] or None,
                "subject": _clean(row.get("subject")),
                "language": language,
                "hours": hours,
                "level": level,
                "price_kzt": 0 if free else usd,
                "certificate_price_kzt": usd if free else None,
                "url": url,
            },
        )


def parse_coursera(rows: list[dict[str, str]]) -> Iterator[Parsed]:
    """Turn Coursera catalogue rows into courses (see the module docstring for the rules)."""
    seen: set[str] = set()
    for index, row in enumerate(rows):
        title = _clean(row.get("Title"))
        if not title:
            yield Parsed(index, skip="missing title")
            continue
        institution = _clean(row.get("Institution"))
        product = _clean(row.get("Learning Product")) or "Course"
        key = " / ".join(_key_part(p) for p in (institution or "Coursera", product, title))
        if key in seen:
            yield Parsed(index, skip="duplicate title (same institution and product)")
            continue
        seen.add(key)
        level = LEVELS.get((row.get("Level") or "").strip().lower())
        if level is None:
            yield Parsed(index, skip="unknown level")
            continue
        hours = coursera_hours(row.get("Duration") or "")
        if hours is None:
            yield Parsed(index, skip="unparseable duration")
            continue
        skills = split_skills(row.get("Gained Skills") or "")
        description = f"{product} by {institution or 'Coursera'}."
        if skills:
            description += " Skills you gain: " + ", ".join(skills) + "."
        yield _validated(
            index,
            {
                "provider": "Coursera",
                "external_id": key,
                "title": title[:300],
                "description": description[:MAX_DESCRIPTION],
                "institution": (institution or "")[:200] or None,
                "subject": _clean(row.get("Subject")),
                "language": title_language(title),
                "hours": hours,
                "level": level,
                "price_kzt": None,
                "skills": [{"label": s} for s in skills[:200]],
            },
        )
