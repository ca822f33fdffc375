"""Generate plausible demo learners, enrolled on real imported courses.

Usage::

    python -m services.learner.demo --learners N [--seed S] [--force] [--hires]
    python -m services.learner.demo --hires-only

Learners get Kazakh or Russian names (by the region's make-up), regions weighted by population,
programme cohorts, language levels, target ESCO occupations, a short CV (never naming the
person), consent for about 70%, and 0-4 enrolments on imported courses, completed ones going
through the normal completion path so the course's skills land on the profile. If learners
already exist nothing is added unless --force is given (so ``make seed`` can run twice).

With ``--hires`` (``make run``'s seeding passes it) some who completed a course are hired
through the running jobs service (see :mod:`services.learner.demo_hires`), so the ministry's
placement rates and medians have something to show; ``--hires-only`` adds them to a store
seeded before hires were generated.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tqdm import tqdm

from services.common.db import init_db, utcnow
from services.common.reference import REGION_BY_SLUG, REGIONS

from . import demo_hires, enrolments, service
from .course_schemas import EnrolmentComplete, EnrolmentCreate
from .demo_data import (
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
from .models import Course, Enrolment, Learner, Outcome
from .schemas import LearnerCreate
from .settings import ALIAS, Settings

PROGRAMMES = {"ai-sana": 0.6, "tomorrow-school": 0.15, "other": 0.25}
COHORTS = {
    "ai-sana": ("2024-autumn", "2025-spring", "2025-autumn"),
    "tomorrow-school": ("2024-autumn", "2025-spring", "2025-autumn"),
}
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")  # reserved: never real inboxes
CONSENT_SHARE = 0.7
ENROLMENT_OUTCOMES = {"completed": 0.5, "enrolled": 0.3, "dropped": 0.2}


@dataclass
class DemoSummary:
    """What a demo run created."""

    learners: int = 0
    enrolments: dict[str, int] = field(default_factory=dict)
    skipped: str | None = None
    seconds: float = 0.0
    hires: demo_hires.HireSummary | None = None

    def render(self) -> str:
        """Return the summary as a readable line."""
        if self.skipped:
            return self.skipped
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.enrolments.items()))
        line = (
            f"created {self.learners} learners and {sum(self.enrolments.values())} enrolments "
            f"({parts or 'none'}) in {self.seconds:.1f} s"
        )
        return f"{line}; {self.hires.render()}" if self.hires else line


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeioAEIOU" else "a"


def _years_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "года"
    return "лет"


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
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
        return _pick(self.rng, self.region_weights)

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
            ru = _pick(rng, ru_levels if urban else {**ru_levels, "native": 0.1, "B1": 0.2})
        else:
            ru = "native"
            kk = _pick(rng, {"A1": 0.35, "A2": 0.3, "B1": 0.2, "B2": 0.1, "": 0.05})
        en_weights = {"": 0.3, "A1": 0.2, "A2": 0.25, "B1": 0.15, "B2": 0.08, "C1": 0.02}
        if programme != "other":  # programme intakes test English
            en_weights = {"A2": 0.25, "B1": 0.35, "B2": 0.25, "C1": 0.1, "C2": 0.05}
        en = _pick(rng, en_weights)
        levels = {"kk": kk, "ru": ru, "en": en}
        return [{"code": code, "level": level} for code, level in levels.items() if level]

    def occupations(self) -> list[Occupation]:
        """Return one or two target occupations, popular ones more often."""
        weights = {o.uri: o.weight for o in OCCUPATIONS}
        first = _pick(self.rng, weights)
        chosen = [first]
        if self.rng.random() < 0.35:
            second = _pick(self.rng, {u: w for u, w in weights.items() if u != first})
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
        programme = _pick(rng, PROGRAMMES)
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


class CoursePicker:
    """Chooses imported courses relevant to a learner's target occupation."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        courses = list(Course.objects.only("id", "title", "hours"))
        self.all = [(str(c.id), c.hours) for c in courses]
        self.by_occupation: dict[str, list[tuple[str, float]]] = {}
        for occupation in OCCUPATIONS:
            self.by_occupation[occupation.uri] = [
                (str(c.id), c.hours)
                for c in courses
                if any(k in c.title.lower() for k in occupation.keywords)
            ]

    def pick(self, occupation_uri: str, k: int) -> list[tuple[str, float]]:
        """Return up to k distinct courses, mostly relevant ones."""
        pool = self.by_occupation.get(occupation_uri) or self.all
        chosen = self.rng.sample(pool, k=min(k, len(pool)))
        if self.all and self.rng.random() < 0.2:
            chosen.append(self.rng.choice(self.all))  # people also take courses off their path
        return list({c[0]: c for c in chosen}.values())[:k]


def enrol(
    rng: random.Random, learner: Learner, courses: list[tuple[str, float]]
) -> list[tuple[str, datetime | None]]:
    """Enrol a learner on courses in the past; complete or drop some; (status, completed at)."""
    statuses: list[tuple[str, datetime | None]] = []
    now = utcnow()
    for course_id, hours in courses:
        outcome = _pick(rng, ENROLMENT_OUTCOMES)
        study_days = max(1.0, hours / rng.uniform(3.0, 10.0) * 7)  # 3-10 hours a week
        started = now - timedelta(
            days=rng.uniform(study_days if outcome == "completed" else 7, 540)
        )
        enrolment = enrolments.create(
            body=EnrolmentCreate(
                learner_id=str(learner.id), course_id=course_id, enrolled_at=started
            )
        )
        finished = None
        if outcome == "completed":
            finished = min(now, started + timedelta(days=study_days * rng.uniform(0.8, 1.5)))
            enrolments.complete(
                enrolment_id=str(enrolment.id),
                body=EnrolmentComplete(grade=round(rng.uniform(55, 100), 1), completed_at=finished),
            )
        elif outcome == "dropped":
            enrolments.drop(enrolment_id=str(enrolment.id))
        statuses.append((outcome, finished))
    return statuses


def generate(
    count: int,
    *,
    seed: int = 0,
    force: bool = False,
    progress: bool = True,
    jobs: demo_hires.Call | None = None,
) -> DemoSummary:
    """Create ``count`` demo learners (nothing if learners exist, unless ``force``).

    With ``jobs`` (a caller of the jobs service), some who completed a course are hired too.
    """
    summary = DemoSummary()
    existing = Learner.objects.count()
    if existing and not force:
        summary.skipped = f"{existing} learners already exist; nothing added (use --force)"
        return summary
    started = time.perf_counter()
    rng = random.Random(seed)
    taken = {e for e in Learner.objects.scalar("email_key")}
    generator = Generator(rng, taken)
    picker = CoursePicker(rng)
    completers: list[demo_hires.Completer] = []
    for _ in tqdm(range(count), desc="learners", unit="learner", disable=not progress):
        profile = generator.learner()
        learner = service.create(body=profile)
        if picker.all:
            target = profile.desired_occupations[0].uri or ""
            for status, finished in enrol(rng, learner, picker.pick(target, rng.randint(0, 4))):
                summary.enrolments[status] = summary.enrolments.get(status, 0) + 1
                if finished is not None:
                    completers.append(
                        demo_hires.Completer(str(learner.id), profile.programme, finished, target)
                    )
        summary.learners += 1
    if jobs is not None:
        # A separate random stream: adding hires leaves the same seed's learners unchanged.
        summary.hires = demo_hires.hire(random.Random(seed + 1), completers, jobs)
    summary.seconds = time.perf_counter() - started
    return summary


def existing_completers() -> list[demo_hires.Completer]:
    """Return every learner's completions as the hiring step needs them."""
    learners = {
        str(lr.id): lr for lr in Learner.objects.only("id", "programme", "desired_occupations")
    }
    out = []
    for enrolment in Enrolment.objects(status="completed").only("learner_id", "completed_at"):
        learner = learners.get(enrolment.learner_id)
        if learner is None or enrolment.completed_at is None:
            continue
        desired = learner.desired_occupations[0].uri if learner.desired_occupations else ""
        out.append(
            demo_hires.Completer(
                enrolment.learner_id, learner.programme or "other", enrolment.completed_at,
                desired or "",
            )
        )  # fmt: skip
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m services.learner.demo")
    parser.add_argument("--learners", type=int, default=0, help="how many to create")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same data)")
    parser.add_argument("--force", action="store_true", help="add even if learners exist")
    parser.add_argument(
        "--hires",
        action="store_true",
        help="also hire some who completed a course, through the running jobs service",
    )
    parser.add_argument(
        "--hires-only",
        action="store_true",
        help="only generate hires for the learners already there (if none are recorded yet)",
    )
    args = parser.parse_args(argv)
    if args.learners < 0:
        parser.error("--learners must not be negative")
    if not args.learners and not args.hires_only:
        parser.error("give --learners N (or --hires-only)")
    settings = Settings.from_env()
    init_db(settings, ALIAS)
    jobs = demo_hires.jobs_call(settings) if args.hires or args.hires_only else None
    if args.hires_only:
        assert jobs is not None
        if Outcome.objects.first():
            print("hires are already recorded; nothing added")
            return 0
        hired = demo_hires.hire(random.Random(args.seed + 1), existing_completers(), jobs)
        print(hired.render())
        return 0
    if not Course.objects.first():
        print("no courses yet: learners get no enrolments (run the course importer first)")
    summary = generate(
        args.learners, seed=args.seed, force=args.force, progress=sys.stderr.isatty(), jobs=jobs
    )
    print(summary.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
