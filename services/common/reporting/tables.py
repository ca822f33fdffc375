"""The published table: counts by row and column, and the markers that hide some of them."""

from __future__ import annotations

from dataclasses import dataclass, field

THRESHOLD = 5
SMALL = "<5"
COMPLEMENTARY = "*"

Cell = int | str
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
