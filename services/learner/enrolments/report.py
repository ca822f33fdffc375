"""A training provider's report: enrolments on its courses by course and month of enrolment.

Each row is a cohort (the enrolments made on one course in one month) and what has become of
it so far: completed, dropped, and the completion rate. The rows partition the provider's
enrolments in the chosen months, so they are published under the suite's small-cell rule
(services.common.reporting) with the provider's totals: the report can be passed on as it is.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from services.common.clock import as_utc
from services.common.reporting import publish_breakdown, publish_overall
from services.common.reporting.figures import safe_rate
from services.common.reporting.tables import RULE

from ..courses.models import Course
from ..courses.service import known_key, provider_course_ids
from .models import Enrolment

COLUMNS = ("enrolled", "completed", "dropped")
CHAIN = ("enrolled", "completed")  # completed enrolments are among the enrolled
CSV_HEADER = ("course_id", "title", "month", *COLUMNS, "completion_rate")
POPULATION = (
    "enrolments on the provider's courses (retired ones too) made in the chosen months, "
    "by month of enrolment; completed and dropped count what has become of them so far"
)


def _key(course_id: str, month: str) -> str:
    return f"{course_id}|{month}"


def provider_report(*, key: str, start: str | None, end: str | None) -> dict[str, Any]:
    """Return the published counts of one provider's enrolments by course and month."""
    ids = provider_course_ids(known_key(key))
    titles = {str(c.id): c.title for c in Course.objects(id__in=ids).only("id", "title")}
    rows: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    fields = ("course_id", "status", "enrolled_at")
    for doc in Enrolment.objects(course_id__in=ids).only(*fields).as_pymongo():
        month = as_utc(doc["enrolled_at"]).strftime("%Y-%m")
        if (start and month < start) or (end and month > end):
            continue
        counts = rows[_key(doc["course_id"], month)]
        counts["enrolled"] += 1
        if doc["status"] in ("completed", "dropped"):
            counts[doc["status"]] += 1
    totals = {col: sum(r[col] for r in rows.values()) for col in COLUMNS}
    published = publish_overall(totals, COLUMNS, CHAIN, [rows])
    table = publish_breakdown(rows, totals, published, COLUMNS, CHAIN)
    out = []
    for row_key in sorted(rows, key=lambda k: (k.split("|")[1], titles.get(k.split("|")[0], ""))):
        course_id, month = row_key.split("|")
        cells = {col: table.cell(row_key, col) for col in COLUMNS}
        out.append(
            {
                "course_id": course_id,
                "title": titles.get(course_id, ""),
                "month": month,
                **cells,
                "completion_rate": safe_rate(cells["completed"], cells["enrolled"]),
            }
        )
    return {
        "provider_key": key,
        "population": POPULATION,
        "rule": RULE,
        "totals": {
            **published,
            "completion_rate": safe_rate(published["completed"], published["enrolled"]),
        },
        "rows": out,
    }
