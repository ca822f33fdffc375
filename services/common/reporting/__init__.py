"""Statistical reports: small-cell suppression that survives subtraction, medians, CSV output.

``tables`` (the published table and its markers), ``suppression`` (the rule), ``audit`` (what
the published figures pin down), ``figures`` (lone counts, medians, rates), ``export`` (CSV).

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

from .audit import pinned
from .export import csv_response, wants_csv
from .figures import count_cell, safe_median, safe_rate
from .suppression import protect, publish_breakdown, publish_overall
from .tables import COMPLEMENTARY, RULE, SMALL, THRESHOLD, Cell, CountTable

__all__ = [
    "COMPLEMENTARY",
    "RULE",
    "SMALL",
    "THRESHOLD",
    "Cell",
    "CountTable",
    "count_cell",
    "csv_response",
    "pinned",
    "protect",
    "publish_breakdown",
    "publish_overall",
    "safe_median",
    "safe_rate",
    "wants_csv",
]
