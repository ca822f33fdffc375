"""Single published figures: a lone count, a median, a rate (step 5 of the rule)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from .tables import SMALL, THRESHOLD, Cell


def count_cell(value: int) -> Cell:
    """Return a single count (not part of a table) as published."""
    return SMALL if 0 < value < THRESHOLD else value


def safe_median(values: Sequence[float]) -> float | None:
    """Return the median of ``values``, or None over fewer than the threshold of people."""
    if len(values) < THRESHOLD:
        return None
    return float(statistics.median(values))


def safe_rate(numerator: Cell, denominator: Cell) -> float | None:
    """Return numerator/denominator rounded to 4 places, only when both are published."""
    if isinstance(numerator, str) or isinstance(denominator, str) or not denominator:
        return None
    return round(numerator / denominator, 4)
