"""The suppression rule on arbitrary tables: no small cell survives, none can be subtracted out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.reporting import (
    COMPLEMENTARY,
    SMALL,
    publish_breakdown,
    publish_overall,
)

from .disclosure import recoverable, small_differences

COLUMNS = ["enrolled", "completed", "hired"]


@st.composite
def nested_tables(draw: st.DrawFn) -> dict[str, dict[str, int]]:
    """Draw a breakdown whose rows hold nested counts (enrolled >= completed >= hired)."""
    n_rows = draw(st.integers(2, 6))
    rows = {}
    for i in range(n_rows):
        enrolled = draw(st.integers(0, 40))
        completed = draw(st.integers(0, enrolled))
        hired = draw(st.integers(0, completed))
        rows[f"g{i}"] = {"enrolled": enrolled, "completed": completed, "hired": hired}
    return rows


def _published(rows: dict[str, dict[str, int]]) -> tuple[list[dict], dict]:
    """Publish the overall figures and the breakdown, linked as the reports do."""
    totals = {c: sum(r[c] for r in rows.values()) for c in COLUMNS}
    overall = publish_overall(totals, COLUMNS, COLUMNS, [rows])
    table = publish_breakdown(rows, totals, overall, COLUMNS, COLUMNS)
    out = [{c: table.cell(key, c) for c in COLUMNS} for key in rows]
    assert {c: table.total(c) for c in COLUMNS} == overall
    return out, overall


@settings(max_examples=80, deadline=None)
@given(nested_tables())
def test_every_small_count_is_hidden(rows: dict[str, dict[str, int]]) -> None:
    published, _ = _published(rows)
    for true, shown in zip(rows.values(), published, strict=True):
        for col in COLUMNS:
            if 0 < true[col] < 5:
                assert shown[col] == SMALL
            elif isinstance(shown[col], str):
                assert shown[col] == COMPLEMENTARY
            else:
                assert shown[col] == true[col]


@settings(max_examples=80, deadline=None)
@given(nested_tables())
def test_no_hidden_cell_is_recovered_from_the_column_total(rows: dict) -> None:
    published, totals = _published(rows)
    for col in COLUMNS:
        assert recoverable(published, totals[col], col) == []


@settings(max_examples=80, deadline=None)
@given(nested_tables())
def test_no_two_published_stages_differ_by_a_small_group(rows: dict) -> None:
    published, _ = _published(rows)
    for row in published:
        assert small_differences(row, COLUMNS) == []


def test_a_single_small_cell_gets_a_complement() -> None:
    rows = {
        "a": {"enrolled": 3, "completed": 0, "hired": 0},
        "b": {"enrolled": 40, "completed": 0, "hired": 0},
        "c": {"enrolled": 25, "completed": 0, "hired": 0},
    }
    published, totals = _published(rows)
    assert [r["enrolled"] for r in published] == [SMALL, 40, COMPLEMENTARY]
    assert totals["enrolled"] == 68


def test_small_cell_next_to_a_five_needs_a_third() -> None:
    # 1 + 5 = 6 would pin both (the "<5" one can only be 1); the next cell joins them.
    rows = {
        "a": {"enrolled": 1, "completed": 0, "hired": 0},
        "b": {"enrolled": 5, "completed": 0, "hired": 0},
        "c": {"enrolled": 9, "completed": 0, "hired": 0},
        "d": {"enrolled": 30, "completed": 0, "hired": 0},
    }
    published, totals = _published(rows)
    assert [r["enrolled"] for r in published] == [SMALL, COMPLEMENTARY, COMPLEMENTARY, 30]
    assert recoverable(published, totals["enrolled"], "enrolled") == []


def test_four_small_cells_under_a_small_total_are_not_each_pinned_to_one() -> None:
    # Found by hypothesis: completed = 1+1+1+1 shown as four "<5" under a "<5" total, which can
    # only be 4, so each cell was 1. The total is now published as "*".
    rows = {
        "g0": {"enrolled": 4, "completed": 1, "hired": 0},
        "g1": {"enrolled": 1, "completed": 1, "hired": 0},
        "g2": {"enrolled": 6, "completed": 0, "hired": 0},
        "g3": {"enrolled": 4, "completed": 1, "hired": 0},
        "g4": {"enrolled": 0, "completed": 0, "hired": 0},
        "g5": {"enrolled": 2, "completed": 1, "hired": 0},
    }
    published, totals = _published(rows)
    assert [r["completed"] for r in published] == [SMALL, SMALL, 0, SMALL, 0, SMALL]
    assert totals["completed"] == COMPLEMENTARY
    for col in COLUMNS:
        assert recoverable(published, totals[col], col) == []
