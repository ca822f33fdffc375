"""Counts per cohort cell: what every published figure of a report is summed from.

A cell is the (programme, region) of a person's first matching enrolment ("unknown" when
unset). Each person adds to exactly one cell: one to ``enrolled``, one to ``completed`` and to
each ``hired_<n>d`` they reached, and their days to hire and salary to the median inputs. The
figures of any group (a programme, a region, both, everyone) are sums over its cells, so a
tally can be kept current by taking one person out and putting them back in after a write
(services.learner.reports.running) or summed from scratch (services.learner.reports.cohort).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.common.reporting import THRESHOLD

WINDOWS = (30, 90, 180)
STAGES = ("enrolled", "completed", *(f"hired_{n}d" for n in WINDOWS))
UNKNOWN = "unknown"

CellKey = tuple[str, str]  # (programme, region) of the person's first matching enrolment


@dataclass(frozen=True, slots=True)
class Person:
    """One person's path through the funnel, and the cell they are counted in."""

    cell: CellKey
    completed: bool = False
    hire_days: int | None = None  # from their first completion to their first hire after it
    salary: int | None = None  # of that hire


@dataclass
class Counts:
    """The sums of one cell (or of a group of cells)."""

    stages: list[int] = field(default_factory=lambda: [0] * len(STAGES))
    days: Counter[int] = field(default_factory=Counter)  # of those hired within 180 days
    salaries: Counter[int] = field(default_factory=Counter)  # of those, when reported

    def add(self, person: Person, sign: int = 1) -> None:
        """Count a person in (``sign`` 1) or take them out again (-1)."""
        self.stages[0] += sign
        if not person.completed:
            return
        self.stages[1] += sign
        days = person.hire_days
        if days is None:
            return
        for i, n in enumerate(WINDOWS, start=2):
            if days <= n:
                self.stages[i] += sign
        if days <= max(WINDOWS):
            _bump(self.days, days, sign)
            if person.salary is not None:
                _bump(self.salaries, person.salary, sign)

    def merge(self, other: Counts) -> None:
        """Add another cell's sums to these."""
        self.stages = [a + b for a, b in zip(self.stages, other.stages, strict=True)]
        self.days.update(other.days)
        self.salaries.update(other.salaries)

    @property
    def people(self) -> int:
        """Return how many people these sums count."""
        return self.stages[0]

    def figures(self) -> dict[str, int]:
        """Return the stage counts by name."""
        return dict(zip(STAGES, self.stages, strict=True))


def _bump(counter: Counter[int], key: int, sign: int) -> None:
    counter[key] += sign
    if not counter[key]:
        del counter[key]


def median(counts: Counter[int]) -> float | None:
    """Return the median of the counted values, or None over fewer than the threshold.

    The same figure as services.common.reporting.safe_median over the values one by one
    (statistics.median of floats: the middle one, or the mean of the two middle ones).
    """
    n = sum(counts.values())
    if n < THRESHOLD:
        return None
    wanted = {(n - 1) // 2, n // 2}
    found: dict[int, float] = {}
    seen = 0
    for value in sorted(counts):
        size = counts[value]
        for index in wanted:
            if seen <= index < seen + size:
                found[index] = float(value)
        seen += size
        if len(found) == len(wanted):
            break
    if n % 2:
        return float(found[n // 2])
    return float((found[n // 2 - 1] + found[n // 2]) / 2)


class Tally:
    """Counts per cell of one cohort."""

    def __init__(self) -> None:
        self.cells: dict[CellKey, Counts] = {}

    @classmethod
    def of(cls, people: Iterable[Person]) -> Tally:
        """Return the tally of these people."""
        tally = cls()
        for person in people:
            tally.add(person)
        return tally

    def add(self, person: Person, sign: int = 1) -> None:
        """Count a person in their cell (``sign`` -1: take them out)."""
        cell = self.cells.get(person.cell)
        if cell is None:
            cell = self.cells[person.cell] = Counts()
        cell.add(person, sign)
        if not cell.people:
            del self.cells[person.cell]

    def group(self, programme: str | None, region: str | None) -> Counts:
        """Return the sums of the people in a programme and/or region (None: any)."""
        out = Counts()
        for (p, r), counts in self.cells.items():
            if (programme is None or p == programme) and (region is None or r == region):
                out.merge(counts)
        return out

    def seen(self, programme: str | None, region: str | None, dim: str) -> set[str]:
        """Return the values of ``dim`` that people of a programme and/or region have."""
        at = 0 if dim == "programme" else 1
        return {
            key[at]
            for key in self.cells
            if (programme is None or key[0] == programme) and (region is None or key[1] == region)
        }

    def signature(self) -> list[tuple[Any, ...]]:
        """Return every count in a comparable form (a kept tally must equal a recount)."""
        return sorted(
            (key, tuple(c.stages), sorted(c.days.items()), sorted(c.salaries.items()))
            for key, c in self.cells.items()
        )
