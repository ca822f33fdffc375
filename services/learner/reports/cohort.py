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

from services.common.providers import provider_key
from services.common.reference import PROGRAMMES, REGION_SLUGS
from services.common.reporting import Cell, CountTable, publish_breakdown, publish_overall

from ..courses.models import Course
from ..enrolments.models import Enrolment
from ..outcomes.models import Outcome
from . import aggregates
from .schemas import Filters
from .tally import STAGES, UNKNOWN, WINDOWS, Counts, Person, Tally

__all__ = ["STAGES", "WINDOWS"]

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
Hires = dict[str, list[tuple[date, int | None]]]


@dataclass
class Entry:
    """One matching enrolment, stripped of everything but what the reports count."""

    person: str
    provider: str
    programme: str | None
    region: str | None
    enrolled_on: date
    completed_on: date | None


def load_entries(filters: Filters) -> list[Entry]:
    """Return the enrolments in the period and of the provider (programme/region: later)."""
    providers = {
        str(doc["_id"]): doc.get("provider", "")
        for doc in Course.objects.only("provider").as_pymongo()
    }
    wanted = provider_key(filters.provider) if filters.provider else None
    keys = {name: provider_key(name) for name in set(providers.values())} if wanted else {}
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
        # People type "coursera" or "Coursera ": the filter compares provider keys.
        if wanted is not None and keys.get(provider, "") != wanted:
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


def load_hires(people: Iterable[str]) -> Hires:
    """Return each person's hires as (day, salary), earliest first."""
    wanted = set(people)
    hires: Hires = defaultdict(list)
    for doc in Outcome.objects.only("learner_id", "hired_at", "salary").as_pymongo():
        day = aggregates.day(doc.get("hired_at"))
        if doc["learner_id"] in wanted and day is not None:
            hires[doc["learner_id"]].append((day, doc.get("salary")))
    for items in hires.values():
        items.sort(key=lambda h: h[0])
    return hires


def people_of(entries: list[Entry], hires: Hires) -> list[Person]:
    """Return the people of these matching enrolments, counted from scratch."""
    first: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.enrolled_on):
        first.setdefault(entry.person, entry)
    completed: dict[str, date] = {}
    for entry in entries:
        done = entry.completed_on
        if done and (entry.person not in completed or done < completed[entry.person]):
            completed[entry.person] = done
    out = []
    for key, entry in first.items():
        cell = (entry.programme or UNKNOWN, entry.region or UNKNOWN)
        done = completed.get(key)
        if done is None:
            out.append(Person(cell))
            continue
        after = [h for h in hires.get(key, []) if h[0] >= done]
        if after:
            out.append(Person(cell, True, (after[0][0] - done).days, after[0][1]))
        else:
            out.append(Person(cell, True))
    return out


def recount(filters: Filters) -> tuple[Tally, dict[str, Tally]]:
    """Return the tally of the filtered cohort and of each provider's share, from the store."""
    entries = load_entries(filters)
    hires = load_hires(e.person for e in entries)
    by_provider: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_provider[entry.provider or UNKNOWN].append(entry)
    shares = {name: Tally.of(people_of(rows, hires)) for name, rows in by_provider.items()}
    return Tally.of(people_of(entries, hires)), shares


BREAKDOWNS: dict[str, tuple[str, ...]] = {"programme": tuple(PROGRAMMES), "region": REGION_SLUGS}


class Cohort:
    """The counts behind one report, with every published figure derived once.

    Overall figures and breakdowns are linked: a breakdown's totals are the published overall
    figures of its cohort, and the figures of a cohort filtered by region or programme are the
    published row of the breakdown one level up. So no filter reveals a hidden cell.
    """

    def __init__(self, filters: Filters, tally: Tally) -> None:
        self.filters = filters
        self.tally = tally
        self._groups: dict[tuple[str | None, str | None], Counts] = {}
        self._overall: dict[tuple[str | None, str | None], dict[str, Cell]] = {}
        self._tables: dict[tuple[str | None, str | None, str], CountTable] = {}

    def group(self, programme: str | None, region: str | None) -> Counts:
        """Return the sums of the people of the cohort in a programme and/or region."""
        # Every report asks for the same groups several times (rows, totals, medians).
        key = (programme, region)
        if key not in self._groups:
            self._groups[key] = self.tally.group(programme, region)
        return self._groups[key]

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
            counts = self.group(None, None).figures()
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
        groups += sorted(self.tally.seen(programme, region, dim) - set(groups))
        return {
            group: self.group(
                group if dim == "programme" else programme,
                group if dim == "region" else region,
            ).figures()
            for group in groups
        }

    def table(self, programme: str | None, region: str | None, dim: str) -> CountTable:
        """Return the published breakdown by ``dim`` of a (sub)cohort."""
        key = (programme, region, dim)
        if key not in self._tables:
            totals = self.group(programme, region).figures()
            self._tables[key] = publish_breakdown(
                self._rows(programme, region, dim),
                totals,
                self.overall(programme, region),
                STAGES,
                CHAIN,
            )
        return self._tables[key]
