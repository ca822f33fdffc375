"""Reference data every service shares: Kazakhstan's regions, languages and programmes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Region:
    """A first-level division of Kazakhstan (oblast or city of republican significance)."""

    slug: str
    name_en: str
    name_ru: str
    name_kk: str
    centre: str
    population: int
    kind: Literal["oblast", "city"]


# Boundaries after the 2022 reform (Abai, Jetisu and Ulytau split off). Population: estimates for
# 1 January 2024 published by the Bureau of National Statistics, rounded to thousands; used to
# weight generated demo data, not for statistics.
REGIONS: tuple[Region, ...] = (
    Region("abai", "Abai Region", "Абайская область", "Абай облысы", "Semey", 603_000, "oblast"),
    Region(
        "akmola",
        "Akmola Region",
        "Акмолинская область",
        "Ақмола облысы",
        "Kokshetau",
        787_000,
        "oblast",
    ),
    Region(
        "aktobe",
        "Aktobe Region",
        "Актюбинская область",
        "Ақтөбе облысы",
        "Aktobe",
        930_000,
        "oblast",
    ),
    Region(
        "almaty",
        "Almaty Region",
        "Алматинская область",
        "Алматы облысы",
        "Konaev",
        1_506_000,
        "oblast",
    ),
    Region(
        "atyrau",
        "Atyrau Region",
        "Атырауская область",
        "Атырау облысы",
        "Atyrau",
        697_000,
        "oblast",
    ),
    Region(
        "east-kazakhstan",
        "East Kazakhstan Region",
        "Восточно-Казахстанская область",
        "Шығыс Қазақстан облысы",
        "Oskemen",
        727_000,
        "oblast",
    ),
    Region(
        "jambyl",
        "Jambyl Region",
        "Жамбылская область",
        "Жамбыл облысы",
        "Taraz",
        1_213_000,
        "oblast",
    ),
    Region(
        "jetisu",
        "Jetisu Region",
        "область Жетісу",
        "Жетісу облысы",
        "Taldykorgan",
        697_000,
        "oblast",
    ),
    Region(
        "karaganda",
        "Karaganda Region",
        "Карагандинская область",
        "Қарағанды облысы",
        "Karaganda",
        1_129_000,
        "oblast",
    ),
    Region(
        "kostanay",
        "Kostanay Region",
        "Костанайская область",
        "Қостанай облысы",
        "Kostanay",
        831_000,
        "oblast",
    ),
    Region(
        "kyzylorda",
        "Kyzylorda Region",
        "Кызылординская область",
        "Қызылорда облысы",
        "Kyzylorda",
        846_000,
        "oblast",
    ),
    Region(
        "mangystau",
        "Mangystau Region",
        "Мангистауская область",
        "Маңғыстау облысы",
        "Aktau",
        777_000,
        "oblast",
    ),
    Region(
        "north-kazakhstan",
        "North Kazakhstan Region",
        "Северо-Казахстанская область",
        "Солтүстік Қазақстан облысы",
        "Petropavl",
        531_000,
        "oblast",
    ),
    Region(
        "pavlodar",
        "Pavlodar Region",
        "Павлодарская область",
        "Павлодар облысы",
        "Pavlodar",
        751_000,
        "oblast",
    ),
    Region(
        "turkistan",
        "Turkistan Region",
        "Туркестанская область",
        "Түркістан облысы",
        "Turkistan",
        2_111_000,
        "oblast",
    ),
    Region(
        "ulytau",
        "Ulytau Region",
        "область Ұлытау",
        "Ұлытау облысы",
        "Zhezkazgan",
        221_000,
        "oblast",
    ),
    Region(
        "west-kazakhstan",
        "West Kazakhstan Region",
        "Западно-Казахстанская область",
        "Батыс Қазақстан облысы",
        "Oral",
        687_000,
        "oblast",
    ),
    Region("astana", "Astana", "Астана", "Астана", "Astana", 1_355_000, "city"),
    Region("almaty-city", "Almaty", "Алматы", "Алматы қаласы", "Almaty", 2_229_000, "city"),
    Region("shymkent", "Shymkent", "Шымкент", "Шымкент қаласы", "Shymkent", 1_222_000, "city"),
)

REGION_BY_SLUG: dict[str, Region] = {r.slug: r for r in REGIONS}
REGION_SLUGS: tuple[str, ...] = tuple(r.slug for r in REGIONS)

RegionSlug = Literal[
    "abai",
    "akmola",
    "aktobe",
    "almaty",
    "atyrau",
    "east-kazakhstan",
    "jambyl",
    "jetisu",
    "karaganda",
    "kostanay",
    "kyzylorda",
    "mangystau",
    "north-kazakhstan",
    "pavlodar",
    "turkistan",
    "ulytau",
    "west-kazakhstan",
    "astana",
    "almaty-city",
    "shymkent",
]
"""A region slug, usable as a pydantic field type (unknown slugs are a 422 naming the field)."""

LANGUAGES: dict[str, dict[str, str]] = {
    "kk": {"en": "Kazakh", "ru": "казахский", "kk": "қазақ тілі"},
    "ru": {"en": "Russian", "ru": "русский", "kk": "орыс тілі"},
    "en": {"en": "English", "ru": "английский", "kk": "ағылшын тілі"},
}
LanguageCode = Literal["kk", "ru", "en"]

# How a vacancy employs: the jobs service stores one, the matcher filters on it, pages name it.
EMPLOYMENT_TYPES: tuple[str, ...] = ("full", "part", "project", "internship", "volunteer")
EmploymentType = Literal["full", "part", "project", "internship", "volunteer"]

# CEFR levels, lowest first, then "native", so that a level's index orders proficiency.
LANGUAGE_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
LanguageLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2", "native"]

PROGRAMMES: dict[str, str] = {
    "ai-sana": "AI-Sana",
    "tomorrow-school": "Tomorrow School",
    "other": "Other",
}
Programme = Literal["ai-sana", "tomorrow-school", "other"]


def level_rank(level: str) -> int:
    """Return the position of a language level (A1 = 0 ... native = 6)."""
    return LANGUAGE_LEVELS.index(level)


def meets_level(have: str | None, need: str | None) -> bool:
    """Return whether a learner listing a language at ``have`` meets a requirement of ``need``.

    A requirement without a level is met by any listing; one with a level needs a stated level
    at least as high (a listing without a level does not show it).
    """
    if need not in LANGUAGE_LEVELS:
        return True
    return have in LANGUAGE_LEVELS and level_rank(str(have)) >= level_rank(str(need))
