"""The suite's suppression rule (steps 1-4 of the package's docstring) applied to tables."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .audit import pinned
from .tables import COMPLEMENTARY, SMALL, THRESHOLD, Cell, CountTable

_PROTECTED_LOCK = threading.Lock()


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
