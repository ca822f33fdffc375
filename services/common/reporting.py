"""Statistical reports: small-cell suppression that survives subtraction, medians, CSV output.

The rule (one rule, applied by every report in the suite)
---------------------------------------------------------
Cells are counts of people. Published figures must not reveal a group of 1-4 people.

1. Primary suppression: a count of 1-4 is shown as ``"<5"``. Zero is shown (it is nobody).
2. Stage chains: funnel stages in a row are nested (enrolled >= completed >= hired...). If two
   published stages of one row differ by 1-4, that difference is itself a small group, so the
   later stage is suppressed too (shown as ``"*"``); the earlier one instead when the later is
   the only non-zero cell of its column (the column total would give it away).
3. Complementary suppression: the rows of a breakdown (by programme, by region) partition the
   cohort, so each column sums to the overall figure, which is published. After 1-2, every
   suppressed cell is *audited*: with a linear programme we compute the smallest and largest
   value the cell can take given everything published (the column totals, the stage order in
   its row, ``"<5"`` meaning 1-4 and ``"*"`` meaning at least 5). A cell whose range holds a
   single integer could be recovered by subtraction; then the smallest published non-zero cell
   of the same column (else of the same row) is suppressed as well (``"*"``), and the audit runs
   again until no suppressed cell can be pinned down. If a column is all suppressed and a cell is
   still pinned, the column's total is suppressed too (and so is the overall figure wherever
   else it would be published: the reports derive every overall figure from one place).
   Totals are counts too: an overall figure of 1-4 is ``"<5"``; the audit treats a hidden
   total as an unknown within its marker's range ("*" on a total: any count from 1). When
   every cell of a column is hidden under a ``"<5"`` total and one is still pinned (four
   ``"<5"`` cells under a ``"<5"`` total are 1 each), that total is shown as ``"*"`` instead.
4. Filtered figures agree with breakdowns: the funnel of one region (or programme) is the
   published row of the breakdown it belongs to, so a filter cannot reveal a cell that the
   breakdown hid.
5. Medians and rates: a median over fewer than 5 people is not published; a rate is published
   only when both its counts are.

What this does not cover: differencing two *queries* with overlapping filters (e.g. two periods
one day apart). Reports are restricted to the ministry and admin roles for that reason.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request

THRESHOLD = 5
SMALL = "<5"
COMPLEMENTARY = "*"

Cell = int | str
_PROTECTED_LOCK = threading.Lock()
RULE = (
    f"counts of 1-{THRESHOLD - 1} are shown as '{SMALL}'; other counts that would let one be "
    f"recovered by subtraction (from totals or from the stage order) are shown as "
    f"'{COMPLEMENTARY}'; medians over fewer than {THRESHOLD} people are not shown"
)


@dataclass
class CountTable:
    """Counts by row and column, with the columns' totals when the rows partition them.

    ``total_status`` marks totals that are themselves published hidden (``"<5"`` or ``"*"``),
    e.g. because the breakdown is of a filtered cohort whose overall figure was suppressed.
    """

    columns: list[str]
    rows: dict[str, dict[str, int]]
    totals: dict[str, int] | None = None
    chain: list[str] | None = None  # nested columns, largest first (enrolled >= completed ...)
    status: dict[tuple[str, str], str] = field(default_factory=dict)
    total_status: dict[str, str] = field(default_factory=dict)

    def value(self, row: str, col: str) -> int:
        """Return the true count of one cell."""
        return self.rows[row][col]

    def shown(self, row: str, col: str) -> bool:
        """Tell whether a cell is published."""
        return (row, col) not in self.status

    def cell(self, row: str, col: str) -> Cell:
        """Return the published form of a cell."""
        return self.status.get((row, col), self.rows[row][col])

    def total(self, col: str) -> Cell:
        """Return the published form of a column total."""
        if self.totals is None:
            raise KeyError(col)
        return self.total_status.get(col, self.totals[col])


def _primary(table: CountTable) -> None:
    for row, counts in table.rows.items():
        for col in table.columns:
            if 0 < counts[col] < THRESHOLD:
                table.status[(row, col)] = SMALL


def _chain(table: CountTable) -> None:
    if not table.chain:
        return
    for row in table.rows:
        cols = table.chain
        for i, upper in enumerate(cols):
            for lower in cols[i + 1 :]:
                if not (table.shown(row, upper) and table.shown(row, lower)):
                    continue
                if 0 < table.value(row, upper) - table.value(row, lower) < THRESHOLD:
                    # Hide the later stage, unless it is alone in its column: the total would
                    # give it away, so the earlier stage goes instead.
                    hide = lower
                    if _alone(table, row, lower) and not _alone(table, row, upper):
                        hide = upper
                    table.status[(row, hide)] = COMPLEMENTARY


def _alone(table: CountTable, row: str, col: str) -> bool:
    """Tell whether a cell is the only non-zero one of its column in a partitioned table."""
    if table.totals is None or col in table.total_status:
        return False
    return all(table.value(r, col) == 0 for r in table.rows if r != row)


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


def _smallest_shown(table: CountTable, keys: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    candidates = [k for k in keys if table.shown(*k) and table.value(*k) > 0]
    return min(candidates, key=lambda k: (table.value(*k), k)) if candidates else None


def _fix(table: CountTable, row: str, col: str) -> bool:
    """Hide one more figure so that the pinned cell (row, col) gets a range; False if none."""
    partitioned = table.totals is not None and col not in table.total_status
    pick = _smallest_shown(table, ((r, col) for r in table.rows)) if partitioned else None
    if pick is None:
        pick = _smallest_shown(table, ((row, c) for c in table.columns))
    if pick is not None:
        table.status[pick] = COMPLEMENTARY
        return True
    if partitioned:
        table.total_status[col] = COMPLEMENTARY
        return True
    return False


_PROTECTED: OrderedDict[Any, tuple[dict[tuple[str, str], str], dict[str, str]]] = OrderedDict()
PROTECTED_SIZE = 4096


def _signature(table: CountTable) -> Any:
    return (
        tuple(table.columns),
        tuple((row, tuple(counts[c] for c in table.columns)) for row, counts in table.rows.items()),
        tuple(sorted(table.totals.items())) if table.totals is not None else None,
        tuple(table.chain) if table.chain else None,
        tuple(sorted(table.status.items())),
        tuple(sorted(table.total_status.items())),
    )


def protect(table: CountTable) -> CountTable:
    """Apply the suite's suppression rule to ``table`` in place and return it.

    The rule is a function of the table alone, and its audit solves two linear programmes per
    hidden cell: the outcome of each distinct table is remembered (reports ask for the same
    tables again and again between two writes).
    """
    key = _signature(table)
    with _PROTECTED_LOCK:
        known = _PROTECTED.get(key)
        if known is not None:
            _PROTECTED.move_to_end(key)
    if known is not None:
        table.status, table.total_status = dict(known[0]), dict(known[1])
        return table
    _protect(table)
    with _PROTECTED_LOCK:
        _PROTECTED[key] = (dict(table.status), dict(table.total_status))
        while len(_PROTECTED) > PROTECTED_SIZE:
            _PROTECTED.popitem(last=False)
    return table


def _protect(table: CountTable) -> CountTable:
    _primary(table)
    while True:
        _chain(table)
        bad = pinned(table)
        if not bad:
            return table
        if any(_fix(table, row, col) for row, col in bad[:1]) or any(
            _fix(table, row, col) for row, col in bad[1:]
        ):
            continue
        # A column whose cells are all hidden under a total published as "<5" still pins them
        # when the total can only be the number of "<5" cells (e.g. four of them under "<5":
        # each is 1). Publishing that total as "*" too leaves no exact value to subtract.
        small_totals = [c for _, c in bad if table.total_status.get(c) == SMALL]
        if small_totals:
            for c in small_totals:
                table.total_status[c] = COMPLEMENTARY
            continue
        # Pinned through the stage order by other columns: hide every remaining total, then
        # the rest of the pinned cell's row.
        totals = table.totals or {}
        more = [c for c in totals if totals[c] > 0 and c not in table.total_status]
        if more:
            for c in more:
                table.total_status[c] = COMPLEMENTARY
            continue
        row = bad[0][0]
        rest = [(row, c) for c in table.columns if table.shown(row, c) and table.value(row, c)]
        if not rest:
            return table
        for key in rest:
            table.status[key] = COMPLEMENTARY


def publish_overall(
    counts: Mapping[str, int],
    columns: Sequence[str],
    chain: Sequence[str] | None,
    breakdowns: Iterable[Mapping[str, Mapping[str, int]]] = (),
) -> dict[str, Cell]:
    """Return the published overall figures of a cohort whose ``breakdowns`` are published too.

    A total that one of the breakdowns cannot protect (step 3 of the rule) is hidden here.
    """
    single = protect(
        CountTable(
            columns=list(columns),
            rows={"all": dict(counts)},
            chain=list(chain) if chain else None,
        )
    )
    cells = {col: single.cell("all", col) for col in columns}
    tables = list(breakdowns)
    changed = True
    while changed:  # until every breakdown can be published under these totals
        changed = False
        for rows in tables:
            table = publish_breakdown(rows, counts, cells, columns, chain)
            for col, marker in table.total_status.items():
                # Markers only escalate: a figure shown, then "<5", then "*".
                if isinstance(cells[col], int) or (cells[col] == SMALL and marker != SMALL):
                    cells[col] = marker
                    changed = True
    return cells


def publish_breakdown(
    rows: Mapping[str, Mapping[str, int]],
    totals: Mapping[str, int],
    published_totals: Mapping[str, Cell],
    columns: Sequence[str],
    chain: Sequence[str] | None,
) -> CountTable:
    """Return a protected breakdown whose rows partition a cohort with these published totals."""
    return protect(
        CountTable(
            columns=list(columns),
            rows={key: dict(value) for key, value in rows.items()},
            totals=dict(totals),
            chain=list(chain) if chain else None,
            total_status={c: v for c, v in published_totals.items() if isinstance(v, str)},
        )
    )


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


def wants_csv(fmt: str | None) -> bool:
    """Tell whether the client asked for CSV (``?format=csv`` or ``Accept: text/csv``)."""
    if fmt is not None:
        return fmt == "csv"
    accept = request.accept_mimetypes
    return accept["text/csv"] > accept["application/json"]


def csv_response(
    header: Sequence[str], rows: Iterable[Mapping[str, Any]], filename: str
) -> Response:
    """Return rows as a CSV download (empty for None; numbers as they are)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(header), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in header})
    resp = Response(buf.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
