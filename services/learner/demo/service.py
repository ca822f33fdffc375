"""Generate plausible demo learners, enrolled on real imported courses.

Learners get Kazakh or Russian names (by the region's make-up), regions weighted by population,
programme cohorts, language levels, target ESCO occupations, a short CV (never naming the
person), consent for about 70%, and 0-4 enrolments on imported courses, completed ones going
through the normal completion path so the course's skills land on the profile. If learners
already exist nothing is added unless --force is given (so ``make seed`` can run twice).

With ``--hires`` (``make run``'s seeding passes it) some who completed a course are hired
through the running jobs service (see :mod:`services.learner.demo.hires`), so the ministry's
placement rates and medians have something to show; ``--hires-only`` adds them to a store
seeded before hires were generated.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tqdm import tqdm

from services.common.clock import utcnow

from ..courses.models import Course
from ..enrolments import service as enrolments
from ..enrolments.models import Enrolment
from ..enrolments.schemas import EnrolmentComplete, EnrolmentCreate
from ..learners import service as learners
from ..learners.models import Learner
from .data import OCCUPATIONS
from .hires import Call, Completer, HireSummary, hire
from .profiles import Generator, pick
from .providers import Offer, publish

ENROLMENT_OUTCOMES = {"completed": 0.5, "enrolled": 0.3, "dropped": 0.2}
MAX_COURSES = 4
CATALOGUE_BESIDE = 2  # catalogue courses at most beside a provider's
# How often a learner outside the two programmes takes one of the university's courses.
OTHER_TAKES_PROVIDER = 0.6


@dataclass
class DemoSummary:
    """What a demo run created."""

    learners: int = 0
    enrolments: dict[str, int] = field(default_factory=dict)
    skipped: str | None = None
    seconds: float = 0.0
    hires: HireSummary | None = None
    provider_reported: int = 0

    def render(self) -> str:
        """Return the summary as a readable line."""
        if self.skipped:
            return self.skipped
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.enrolments.items()))
        line = (
            f"created {self.learners} learners and {sum(self.enrolments.values())} enrolments "
            f"({parts or 'none'}; {self.provider_reported} completions reported by providers) "
            f"in {self.seconds:.1f} s"
        )
        return f"{line}; {self.hires.render()}" if self.hires else line


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


def provider_courses(rng: random.Random, programme: str, offer: Offer) -> list[tuple[str, float]]:
    """Return one or two of the programme's provider courses (the university's: sometimes)."""
    own = offer.by_programme.get(programme) or []
    if not own or (programme == "other" and rng.random() >= OTHER_TAKES_PROVIDER):
        return []
    return rng.sample(own, k=min(len(own), rng.randint(1, 2)))


def enrol(
    rng: random.Random,
    learner: Learner,
    courses: list[tuple[str, float]],
    reporter_of: dict[str, str | None] | None = None,
) -> list[tuple[str, datetime | None]]:
    """Enrol a learner on courses in the past; complete or drop some; (status, completed at).

    A completion on a demo provider's course is reported by that provider's account.
    """
    statuses: list[tuple[str, datetime | None]] = []
    now = utcnow()
    for course_id, hours in courses:
        outcome = pick(rng, ENROLMENT_OUTCOMES)
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
                body=EnrolmentComplete(
                    grade=round(rng.uniform(55, 100), 1),
                    completed_at=finished,
                    reported_by=(reporter_of or {}).get(course_id),
                ),
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
    jobs: Call | None = None,
    reporters: dict[str, str] | None = None,
) -> DemoSummary:
    """Create ``count`` demo learners (nothing if learners exist, unless ``force``).

    With ``jobs`` (a caller of the jobs service), some who completed a course are hired too.
    With a catalogue, the demo providers publish their courses first; ``reporters`` (provider
    name -> ``reported_by``, e.g. ``provider:<account id>``) report their completions.
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
    # Only beside a catalogue: without courses the demo makes profiles alone.
    offer = publish(reporters or {}) if Course.objects.first() else Offer({}, {})
    picker = CoursePicker(rng)
    completers: list[Completer] = []
    for _ in tqdm(range(count), desc="learners", unit="learner", disable=not progress):
        profile = generator.learner()
        learner = learners.create(body=profile)
        if picker.all:
            target = profile.desired_occupations[0].uri or ""
            own = provider_courses(rng, profile.programme or "other", offer)
            # Beside a provider's courses fewer from the catalogue: a programme comes first.
            picked = picker.pick(target, rng.randint(0, CATALOGUE_BESIDE if own else MAX_COURSES))
            chosen = list({c[0]: c for c in [*own, *picked]}.values())[:MAX_COURSES]
            for status, finished in enrol(rng, learner, chosen, offer.reporter_of):
                summary.enrolments[status] = summary.enrolments.get(status, 0) + 1
                if finished is not None:
                    completers.append(
                        Completer(str(learner.id), profile.programme, finished, target)
                    )
        summary.learners += 1
    if jobs is not None:
        # A separate random stream: adding hires leaves the same seed's learners unchanged.
        summary.hires = hire(random.Random(seed + 1), completers, jobs)
    summary.provider_reported = Enrolment.objects.completed().filter(reported_by__ne=None).count()
    summary.seconds = time.perf_counter() - started
    return summary


def existing_completers() -> list[Completer]:
    """Return every learner's completions as the hiring step needs them."""
    by_id = {
        str(lr.id): lr for lr in Learner.objects.only("id", "programme", "desired_occupations")
    }
    out = []
    for enrolment in Enrolment.objects.completed().only("learner_id", "completed_at"):
        learner = by_id.get(enrolment.learner_id)
        if learner is None or enrolment.completed_at is None:
            continue
        desired = learner.desired_occupations[0].uri if learner.desired_occupations else ""
        out.append(
            Completer(
                enrolment.learner_id, learner.programme or "other", enrolment.completed_at,
                desired or "",
            )
        )  # fmt: skip
    return out
