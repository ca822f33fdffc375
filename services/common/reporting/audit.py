"""The audit of step 3: the range each hidden cell can take given everything published."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .tables import SMALL, THRESHOLD, CountTable


def _bounds(marker: str, ceiling: float) -> tuple[float, float]:
    if marker == SMALL:
        return (1.0, float(THRESHOLD - 1))
    return (float(THRESHOLD), ceiling)


def _ranges(table: CountTable) -> dict[tuple[str, str], tuple[float, float]]:
    """Return the feasible [min, max] of every hidden cell given everything published."""
    import numpy as np
    from scipy.optimize import linprog

    hidden = list(table.status)
    if not hidden:
        return {}
    index = {key: i for i, key in enumerate(hidden)}
    # Hidden totals are unknowns too, bounded by their markers.
    total_vars = {col: len(hidden) + i for i, col in enumerate(table.total_status)}
    size = len(hidden) + len(total_vars)
    ceiling = float(max([*(table.totals or {}).values(), *_all_counts(table), THRESHOLD]))
    bounds = [_bounds(table.status[key], ceiling) for key in hidden]
    # A total hidden as "*" may be a small one escalated (see protect): only "at least 1".
    bounds += [
        _bounds(SMALL, ceiling) if table.total_status[col] == SMALL else (1.0, ceiling)
        for col in total_vars
    ]
    a_eq: list[list[float]] = []
    b_eq: list[float] = []
    if table.totals is not None:
        for col in table.columns:
            coeffs = [0.0] * size
            rhs = 0.0
            for row in table.rows:
                if (row, col) in index:
                    coeffs[index[(row, col)]] = 1.0
                else:
                    rhs -= table.value(row, col)
            if col in total_vars:
                coeffs[total_vars[col]] = -1.0
            else:
                rhs += table.totals[col]
            if any(coeffs):
                a_eq.append(coeffs)
                b_eq.append(rhs)
    a_ub: list[list[float]] = []
    b_ub: list[float] = []
    if table.chain:
        # later stage <= earlier stage, for consecutive stages of each row
        pairs = list(zip(table.chain, table.chain[1:], strict=False))
        for row in table.rows:
            for upper, lower in pairs:
                coeffs = [0.0] * size
                rhs = 0.0
                for col, sign in ((lower, 1.0), (upper, -1.0)):
                    if (row, col) in index:
                        coeffs[index[(row, col)]] += sign
                    else:
                        rhs -= sign * table.value(row, col)
                if any(coeffs):
                    a_ub.append(coeffs)
                    b_ub.append(rhs)
    out: dict[tuple[str, str], tuple[float, float]] = {}
    kwargs: dict[str, Any] = {"bounds": bounds, "method": "highs"}
    if a_eq:
        kwargs.update(A_eq=np.array(a_eq), b_eq=np.array(b_eq))
    if a_ub:
        kwargs.update(A_ub=np.array(a_ub), b_ub=np.array(b_ub))
    for key, i in index.items():
        c = np.zeros(size)
        c[i] = 1.0
        low = linprog(c, **kwargs)
        high = linprog(-c, **kwargs)
        if not (low.success and high.success):
            # Infeasible cannot happen with true data; treat as unsafe so it gets protected.
            out[key] = (0.0, 0.0)
            continue
        out[key] = (float(low.fun), float(-high.fun))
    return out


def _all_counts(table: CountTable) -> Iterable[int]:
    for counts in table.rows.values():
        yield from counts.values()


def pinned(table: CountTable) -> list[tuple[str, str]]:
    """Return the hidden cells whose value the published figures determine exactly."""
    out = []
    for key, (low, high) in _ranges(table).items():
        if math.floor(high + 1e-6) - math.ceil(low - 1e-6) < 1:
            out.append(key)
    return out
