"""Who counts in a retraining report, and every published figure of one cohort.

Unit and definitions (the same in every report):

- The cohort is every enrolment whose *enrolment date* falls in the period (``from``/``to``,
  inclusive) and matches the programme, region (both as recorded at enrolment) and course
  provider filters. People are counted once: a learner with several matching enrolments is one
  person, placed in the programme and region of their earliest matching enrolment.
- enrolled: people in the cohort; completed: those with a completed matching enrolment (the
  completion date is their first one); hired within N days: those whose first hire on or after
  that completion date came at most N days later (N = 30, 90, 180).
- median days to hire and median starting salary: over the people hired within 180 days (salary:
  those whose hire carried one).
- providers: the same per provider, counting a person once per provider; placement rate =
  hired within 180 days / completed; ranked by placement rate, then by completions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.common.reference import PROGRAMMES, REGION_SLUGS
from services.common.reporting import Cell, CountTable, publish_breakdown, publish_overall

from ..courses.models import Course
from ..enrolments.models import Enrolment
from ..outcomes.models import Outcome
from . import aggregates
from .schemas import Filters

WINDOWS = (30, 90, 180)
STAGES = ("enrolled", "completed", *(f"hired_{n}d" for n in WINDOWS))
# The stages nest: every person hired within 30 days was hired within 90, and so on.
CHAIN = ["enrolled", "completed", *(f"hired_{n}d" for n in reversed(WINDOWS))]
ENROLMENT_FIELDS = (
    "learner_id",
    "course_id",
    "status",
    "enrolled_at",
    "completed_at",
    "region",
    "programme",
)


@dataclass
class Entry:
    """One matching enrolment, stripped of everything but what the reports count."""

    person: str
    provider: str
    programme: str | None
    region: str | None
    enrolled_on: date
    completed_on: date | None


@dataclass
class Person:
    """One person's path through the funnel within a group."""

    completed_on: date | None = None
    hire_days: int | None = None
    salary: int | None = None


def entries_of(snap: aggregates.Snapshot, filters: Filters) -> list[Entry]:
    """Return the counted enrolments in the period and of the provider (as load_entries)."""
    providers, start, end, wanted = snap.providers, filters.start, filters.end, filters.provider
    out = []
    for row in snap.enrolments:
        enrolled_on = row.enrolled_on
        if enrolled_on is None or (start and enrolled_on < start) or (end and enrolled_on > end):
            continue
        provider = providers.get(row.course_id, "")
        # The provider filter ignores case, as load_entries does ("coursera" is "Coursera").
        if wanted and provider.casefold() != wanted.casefold():
            continue
        out.append(
            Entry(row.person, provider, row.programme, row.region, enrolled_on, row.completed_on)
        )
    return out


def hires_of(snap: aggregates.Snapshot) -> dict[str, list[tuple[date, int | None]]]:
    """Return every person's hires as (day, salary), earliest first (as load_hires)."""
    hires: dict[str, list[tuple[date, int | None]]] = defaultdict(list)
    for row in snap.hires:
        if row.day is not None:
            hires[row.person].append((row.day, row.salary))
    for items in hires.values():
        items.sort(key=lambda h: h[0])
    return hires


def load_entries(filters: Filters) -> list[Entry]:
    """Return the enrolments in the period and of the provider (programme/region: later)."""
    providers = {
        str(doc["_id"]): doc.get("provider", "")
        for doc in Course.objects.only("provider").as_pymongo()
    }
    out = []
    for doc in Enrolment.objects.only(*ENROLMENT_FIELDS).as_pymongo():
        enrolled_on = aggregates.day(doc.get("enrolled_at"))
        if enrolled_on is None:
            continue
        if filters.start and enrolled_on < filters.start:
            continue
        if filters.end and enrolled_on > filters.end:
            continue
        provider = providers.get(str(doc["course_id"]), "")
        # People type "coursera" for "Coursera": the provider filter ignores case.
        if filters.provider and provider.casefold() != filters.provider.casefold():
            continue
        out.append(
            Entry(
                person=doc["learner_id"],
                provider=provider,
                # Copied from the profile at enrolment, so they outlive a deleted learner.
                programme=doc.get("programme"),
                region=doc.get("region"),
                enrolled_on=enrolled_on,
                completed_on=(
                    aggregates.day(doc.get("completed_at"))
                    if doc.get("status") == "completed"
                    else None
                ),
            )
        )
    return out


def load_hires(people: Iterable[str]) -> dict[str, list[tuple[date, int | None]]]:
    """Return each person's hires as (day, salary), earliest first."""
    wanted = set(people)
    hires: dict[str, list[tuple[date, int | None]]] = defaultdict(list)
    for doc in Outcome.objects.only("learner_id", "hired_at", "salary").as_pymongo():
        day = aggregates.day(doc.get("hired_at"))
        if doc["learner_id"] in wanted and day is not None:
            hires[doc["learner_id"]].append((day, doc.get("salary")))
    for items in hires.values():
        items.sort(key=lambda h: h[0])
    return hires


def _people(
    entries: Iterable[Entry], hires: dict[str, list[tuple[date, int | None]]]
) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for entry in entries:
        person = people.setdefault(entry.person, Person())
        if entry.completed_on and (
            person.completed_on is None or entry.completed_on < person.completed_on
        ):
            person.completed_on = entry.completed_on
    for key, person in people.items():
        if person.completed_on is None:
            continue
        after = [h for h in hires.get(key, []) if h[0] >= person.completed_on]
        if after:
            person.hire_days = (after[0][0] - person.completed_on).days
            person.salary = after[0][1]
    return people


def _counts(people: Iterable[Person]) -> dict[str, int]:
    counts = dict.fromkeys(STAGES, 0)
    for person in people:
        counts["enrolled"] += 1
        if person.completed_on is not None:
            counts["completed"] += 1
            for n in WINDOWS:
                if person.hire_days is not None and person.hire_days <= n:
                    counts[f"hired_{n}d"] += 1
    return counts


BREAKDOWNS: dict[str, tuple[str, ...]] = {"programme": tuple(PROGRAMMES), "region": REGION_SLUGS}


class Cohort:
    """The enrolments and hires behind one report, with every published figure derived once.

    Overall figures and breakdowns are linked: a breakdown's totals are the published overall
    figures of its cohort, and the figures of a cohort filtered by region or programme are the
    published row of the breakdown one level up. So no filter reveals a hidden cell.
    """

    def __init__(
        self,
        filters: Filters,
        entries: list[Entry] | None = None,
        hires: dict[str, list[tuple[date, int | None]]] | None = None,
    ) -> None:
        self.filters = filters
        self.entries = load_entries(filters) if entries is None else entries
        self.hires = load_hires(e.person for e in self.entries) if hires is None else hires
        self._first: dict[str, Entry] = {}
        for entry in sorted(self.entries, key=lambda e: e.enrolled_on):
            self._first.setdefault(entry.person, entry)
        self._everyone: dict[str, Person] | None = None
        self._people: dict[tuple[str | None, str | None], dict[str, Person]] = {}
        self._overall: dict[tuple[str | None, str | None], dict[str, Cell]] = {}
        self._tables: dict[tuple[str | None, str | None, str], CountTable] = {}

    def select(self, programme: str | None, region: str | None) -> list[Entry]:
        """Return the entries of the people in a programme and/or region ("unknown": unset)."""
        first = self._first
        return [
            e
            for e in self.entries
            if (programme is None or (first[e.person].programme or "unknown") == programme)
            and (region is None or (first[e.person].region or "unknown") == region)
        ]

    def people(self, programme: str | None, region: str | None) -> dict[str, Person]:
        """Return the people of the cohort restricted to a programme and/or region."""
        # Every report asks for the same groups several times (rows, totals, medians).
        key = (programme, region)
        if key not in self._people:
            if self._everyone is None:
                self._everyone = _people(self.entries, self.hires)
            # A person's figures come from all their entries, so the people of a group are
            # those of the whole cohort whose first entry is in it (what select() keeps).
            first = self._first
            self._people[key] = {
                k: p
                for k, p in self._everyone.items()
                if (programme is None or (first[k].programme or "unknown") == programme)
                and (region is None or (first[k].region or "unknown") == region)
            }
        return self._people[key]

    def overall(self, programme: str | None, region: str | None) -> dict[str, Cell]:
        """Return the published funnel counts of a (sub)cohort."""
        key = (programme, region)
        if key in self._overall:
            return self._overall[key]
        if region is not None:
            cells = self._row(self.table(programme, None, "region"), region)
        elif programme is not None:
            cells = self._row(self.table(None, None, "programme"), programme)
        else:
            counts = _counts(self.people(None, None).values())
            breakdowns = [self._rows(None, None, dim) for dim in BREAKDOWNS]
            cells = publish_overall(counts, STAGES, CHAIN, breakdowns)
        self._overall[key] = cells
        return cells

    @staticmethod
    def _row(table: CountTable, key: str) -> dict[str, Cell]:
        return {stage: table.cell(key, stage) for stage in STAGES}

    def _rows(
        self, programme: str | None, region: str | None, dim: str
    ) -> dict[str, dict[str, int]]:
        groups = list(BREAKDOWNS[dim])
        seen = {getattr(self._first[k], dim) or "unknown" for k in self.people(programme, region)}
        groups += sorted(seen - set(groups))
        return {
            group: _counts(
                self.people(
                    group if dim == "programme" else programme,
                    group if dim == "region" else region,
                ).values()
            )
            for group in groups
        }

    def table(self, programme: str | None, region: str | None, dim: str) -> CountTable:
        """Return the published breakdown by ``dim`` of a (sub)cohort."""
        key = (programme, region, dim)
        if key not in self._tables:
            totals = _counts(self.people(programme, region).values())
            self._tables[key] = publish_breakdown(
                self._rows(programme, region, dim),
                totals,
                self.overall(programme, region),
                STAGES,
                CHAIN,
            )
        return self._tables[key]
