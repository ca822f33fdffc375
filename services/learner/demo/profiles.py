"""Plausible demo learner profiles: names, regions, languages, target occupations, a CV."""

from __future__ import annotations

import random
from typing import Any

from services.common.reference import REGION_BY_SLUG, REGIONS

from ..learners.schemas import LearnerCreate
from .data import (
    EDUCATION_EN,
    EDUCATION_RU,
    KAZAKH_FEMALE,
    KAZAKH_MALE,
    KAZAKH_SHARE,
    KAZAKH_SURNAMES,
    OCCUPATIONS,
    PREVIOUS_JOBS_EN,
    PREVIOUS_JOBS_RU,
    RUSSIAN_FEMALE,
    RUSSIAN_MALE,
    RUSSIAN_SURNAMES,
    Occupation,
    female_surname,
    transliterate,
)

PROGRAMMES = {"ai-sana": 0.6, "tomorrow-school": 0.15, "other": 0.25}
COHORTS = {
    "ai-sana": ("2024-autumn", "2025-spring", "2025-autumn"),
    "tomorrow-school": ("2024-autumn", "2025-spring", "2025-autumn"),
}
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")  # reserved: never real inboxes
CONSENT_SHARE = 0.7


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeioAEIOU" else "a"


def _years_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "года"
    return "лет"


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    """Return one key of ``weights``, drawn with those weights."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Generator:
    """Builds one plausible learner at a time from a seeded random source."""

    def __init__(self, rng: random.Random, taken_emails: set[str]) -> None:
        self.rng = rng
        self.taken = taken_emails
        self.region_weights = {r.slug: float(r.population) for r in REGIONS}

    def region(self, programme: str) -> str:
        """Return a region: by population, Tomorrow School mostly in Astana where it is."""
        if programme == "tomorrow-school" and self.rng.random() < 0.6:
            return "astana"
        return pick(self.rng, self.region_weights)

    def name(self, kazakh: bool) -> tuple[str, str]:
        """Return (first name, surname) for a Kazakh or Russian learner of either gender."""
        female = self.rng.random() < 0.5
        if kazakh:
            first = self.rng.choice(KAZAKH_FEMALE if female else KAZAKH_MALE)
            last = self.rng.choice(KAZAKH_SURNAMES)
        else:
            first = self.rng.choice(RUSSIAN_FEMALE if female else RUSSIAN_MALE)
            last = self.rng.choice(RUSSIAN_SURNAMES)
        return first, female_surname(last) if female else last

    def email(self, first: str, last: str) -> str:
        """Return an unused Latin email for the name."""
        base = f"{transliterate(first)}.{transliterate(last)}"
        domain = self.rng.choice(EMAIL_DOMAINS)
        candidate = f"{base}@{domain}"
        while candidate in self.taken:
            candidate = f"{base}{self.rng.randint(1, 9999)}@{domain}"
        self.taken.add(candidate)
        return candidate

    def languages(self, kazakh: bool, programme: str, urban: bool) -> list[dict[str, str]]:
        """Return plausible kk/ru/en levels for the learner's background."""
        rng = self.rng
        if kazakh:
            kk = "native" if rng.random() < (0.7 if urban else 0.92) else rng.choice(["C1", "B2"])
            ru_levels = {"native": 0.3, "C2": 0.25, "C1": 0.25, "B2": 0.15, "B1": 0.05}
            ru = pick(rng, ru_levels if urban else {**ru_levels, "native": 0.1, "B1": 0.2})
        else:
            ru = "native"
            kk = pick(rng, {"A1": 0.35, "A2": 0.3, "B1": 0.2, "B2": 0.1, "": 0.05})
        en_weights = {"": 0.3, "A1": 0.2, "A2": 0.25, "B1": 0.15, "B2": 0.08, "C1": 0.02}
        if programme != "other":  # programme intakes test English
            en_weights = {"A2": 0.25, "B1": 0.35, "B2": 0.25, "C1": 0.1, "C2": 0.05}
        en = pick(rng, en_weights)
        levels = {"kk": kk, "ru": ru, "en": en}
        return [{"code": code, "level": level} for code, level in levels.items() if level]

    def occupations(self) -> list[Occupation]:
        """Return one or two target occupations, popular ones more often."""
        weights = {o.uri: o.weight for o in OCCUPATIONS}
        first = pick(self.rng, weights)
        chosen = [first]
        if self.rng.random() < 0.35:
            second = pick(self.rng, {u: w for u, w in weights.items() if u != first})
            chosen.append(second)
        return [o for o in OCCUPATIONS if o.uri in chosen]

    def cv(self, region: str, targets: list[Occupation], russian_cv: bool) -> str:
        """Return a short CV that never names the person."""
        rng = self.rng
        years = rng.randint(0, 12)
        skills = ", ".join(rng.sample(targets[0].skills, k=min(3, len(targets[0].skills))))
        place = REGION_BY_SLUG[region]
        if russian_cv:
            education = rng.choice(EDUCATION_RU)
            work = (
                f"Опыт работы {years} {_years_ru(years)}: {rng.choice(PREVIOUS_JOBS_RU)}"
                if years
                else "Без опыта работы"
            )
            return (
                f"{education[0].upper()}{education[1:]}. {work}, {place.name_ru}. "
                f"Цель: {targets[0].title_ru}. Навыки: {skills}."
            )
        work = (
            f"{years} year{'s' if years > 1 else ''} of experience as "
            f"{rng.choice(PREVIOUS_JOBS_EN)}"
            if years
            else "no work experience yet"
        )
        return (
            f"Holder of {rng.choice(EDUCATION_EN)}; {work}; based in {place.centre}. "
            f"Retraining to become {_article(targets[0].title)} {targets[0].title}. "
            f"Skills: {skills}."
        )

    def learner(self) -> LearnerCreate:
        """Return one learner profile."""
        rng = self.rng
        programme = pick(rng, PROGRAMMES)
        region = self.region(programme)
        kazakh = rng.random() < KAZAKH_SHARE[region]
        first, last = self.name(kazakh)
        targets = self.occupations()
        desired: list[dict[str, Any]] = [{"uri": o.uri, "title": o.title} for o in targets]
        if rng.random() < 0.2:
            desired.append({"title": targets[0].title_ru})
        own = rng.sample(targets[0].skills, k=rng.randint(0, 2))
        return LearnerCreate.model_validate(
            {
                "name": f"{first} {last}",
                "email": self.email(first, last),
                "region": region,
                "programme": programme,
                "cohort": rng.choice(COHORTS[programme]) if programme in COHORTS else None,
                "languages": self.languages(
                    kazakh, programme, REGION_BY_SLUG[region].kind == "city"
                ),
                "skills": [{"label": s, "level": rng.randint(1, 4)} for s in own],
                "desired_occupations": desired,
                "cv_text": self.cv(region, targets, russian_cv=rng.random() < 0.5),
                "consent": rng.random() < CONSENT_SHARE,
            }
        )
