"""An attacker's view of a published table, independent of the code that suppressed it.

Given only what a report publishes (shown counts, "<5" / "*" markers and the column totals),
enumerate every assignment of the hidden cells of one column that is consistent with the total
and the markers, and say which hidden cells take a single possible value (recovered by
subtraction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SMALL = "<5"
HIDDEN = "*"


def _ranges(markers: Sequence[str], remainder: int) -> list[set[int]]:
    """Return, for each hidden cell, the set of values it can take in some consistent solution."""
    options = [range(1, 5) if m == SMALL else range(5, remainder + 1) for m in markers]
    seen: list[set[int]] = [set() for _ in markers]

    def walk(i: int, left: int, chosen: list[int]) -> None:
        if i == len(options):
            if left == 0:
                for j, value in enumerate(chosen):
                    seen[j].add(value)
            return
        for value in options[i]:
            if value > left:
                break
            chosen.append(value)
            walk(i + 1, left - value, chosen)
            chosen.pop()

    walk(0, remainder, [])
    return seen


def recoverable(rows: Sequence[Mapping[str, Any]], total: Any, column: str) -> list[int]:
    """Return the indexes of rows whose hidden ``column`` cell the total gives away."""
    hidden = [i for i, row in enumerate(rows) if isinstance(row[column], str)]
    if not hidden or total == HIDDEN:
        return []  # a hidden total of 5 or more: the attacker learns only a lower bound
    shown = sum(row[column] for row in rows if isinstance(row[column], int))
    markers = [rows[i][column] for i in hidden]
    options: list[set[int]] = [set() for _ in hidden]
    for candidate in range(1, 5) if total == SMALL else [total]:
        for j, values in enumerate(_ranges(markers, candidate - shown)):
            options[j] |= values
    return [i for i, values in zip(hidden, options, strict=True) if len(values) <= 1]


def small_differences(row: Mapping[str, Any], stages: Sequence[str]) -> list[tuple[str, str]]:
    """Return pairs of published nested stages of a row that differ by 1-4 people."""
    out = []
    for i, upper in enumerate(stages):
        for lower in stages[i + 1 :]:
            a, b = row[upper], row[lower]
            if isinstance(a, int) and isinstance(b, int) and 0 < a - b < 5:
                out.append((upper, lower))
    return out
