"""A provider's CSV of enrolments, completions and drops: each row checked, applied or refused.

Columns (header row first, names case-insensitive; UTF-8, a BOM is fine):

- ``learner_email`` or ``learner_id`` (either; both must then name the same learner),
- ``course_id``: one of the provider's own courses (another provider's: 403 for that row),
- ``action``: ``enrol``, ``complete`` or ``drop``,
- ``date`` (optional): ISO date or date-time of the enrolment, completion or drop (default now),
- ``grade`` (optional, ``complete`` only): 0-100.

Rows go one by one through the same rules as single calls (:mod:`.service`), in file order, so a
row may complete what an earlier row enrolled. A valid row is applied; an invalid one is not,
and its report names the field and why. ``row`` is the line of the file (the header is line 1).
The whole upload is bounded: the body by the service's ``max_body_bytes`` (413), the rows by
``QABILET_UPLOAD_MAX_ROWS`` (413), the time by ``QABILET_UPLOAD_SECONDS`` (rows not reached by
then are reported with code 503 and not applied: send them again), and a header without the
needed columns is 422.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bson import ObjectId

from services.common.clock import utcnow
from services.common.emails import email_key, email_problem
from services.common.errors import Problem, ValidationProblem, field_error
from services.common.providers import provider_key

from ..courses.models import Course
from ..learners.models import Learner
from . import service
from .models import Enrolment
from .schemas import EnrolmentComplete, EnrolmentCreate

ACTIONS = ("enrol", "complete", "drop")
LEARNER_COLUMNS = ("learner_email", "learner_id")
COLUMNS = (*LEARNER_COLUMNS, "course_id", "action", "date", "grade")
REQUIRED = ("course_id", "action")
NOT_REACHED = "not applied: the upload's time ran out before this row; send it again"


class TooLarge(Problem):
    status = 413
    kind = "payload-too-large"
    title = "Upload too large"


@dataclass
class RowReport:
    """What became of one row: applied (``ok``) or refused (``error``, with why)."""

    row: int
    action: str | None = None
    course_id: str | None = None
    learner_id: str | None = None  # only once the learner was looked up on the provider's course
    enrolment_id: str | None = None
    code: int = 200
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the row's report as plain data."""
        out: dict[str, Any] = {
            "row": self.row,
            "status": "error" if self.errors else "ok",
            "code": self.code,
            "action": self.action,
            "course_id": self.course_id,
            "errors": self.errors,
        }
        if self.learner_id is not None:
            out["learner_id"] = self.learner_id
        if self.enrolment_id is not None:
            out["enrolment_id"] = self.enrolment_id
        return out


class RowError(Exception):
    """A row refused: its status code and the fields at fault."""

    def __init__(self, code: int, errors: list[dict[str, str]]) -> None:
        super().__init__(errors[0]["message"] if errors else "refused")
        self.code = code
        self.errors = errors


def read_rows(text: str, max_rows: int) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Return the header and the (line, row) pairs of a CSV, refusing a bad or long file."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().casefold() for h in next(reader, [])]
    except csv.Error as exc:
        problem = [field_error("body", str(exc))]
        raise ValidationProblem("the CSV cannot be read", errors=problem) from exc
    problems = [field_error(f"header.{n}", "is required") for n in REQUIRED if n not in header]
    if not any(n in header for n in LEARNER_COLUMNS):
        problems.append(field_error("header.learner_email", "learner_email or learner_id"))
    problems += [
        field_error(f"header.{name or i + 1}", f"unknown column; known: {', '.join(COLUMNS)}")
        for i, name in enumerate(header)
        if name not in COLUMNS
    ]
    if len(set(header)) != len(header):
        problems.append(field_error("header", "a column is named twice"))
    if problems:
        raise ValidationProblem("the CSV header is not valid", errors=problems)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank lines (a spreadsheet's trailing ones) are not rows
            if len(rows) >= max_rows:
                raise TooLarge(
                    f"an upload takes at most {max_rows} rows; split the file",
                    errors=[field_error("body", f"more than {max_rows} rows")],
                    max_rows=max_rows,
                )
            padded = [*values, *([""] * (len(header) - len(values)))]
            row = {name: padded[i].strip() for i, name in enumerate(header)}
            if len(values) > len(header):
                row["\0extra"] = "1"
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ValidationProblem(
            "the CSV cannot be read", errors=[field_error(f"row {reader.line_num}", str(exc))]
        ) from exc
    if not rows:
        raise ValidationProblem("the CSV has no rows", errors=[field_error("body", "no rows")])
    return header, rows


def _when(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RowError(
            422, [field_error("date", "not an ISO date (YYYY-MM-DD) or date-time")]
        ) from exc


def _grade(value: str, action: str) -> float | None:
    if not value:
        return None
    if action != "complete":
        raise RowError(422, [field_error("grade", "only a completion has a grade")])
    try:
        grade = float(value)
    except ValueError:
        grade = -1.0
    if not 0 <= grade <= 100:
        raise RowError(422, [field_error("grade", "a number from 0 to 100")])
    return grade


class Upload:
    """Applies one provider's rows, remembering the courses it has already looked up."""

    def __init__(self, key: str, reported_by: str) -> None:
        self.key = key
        self.reported_by = reported_by
        self.courses: dict[str, Course | None] = {}

    def _course(self, course_id: str) -> Course:
        if not ObjectId.is_valid(course_id):
            raise RowError(422, [field_error("course_id", "not a course id")])
        if course_id not in self.courses:
            self.courses[course_id] = Course.objects(id=course_id).first()
        course = self.courses[course_id]
        if course is None:
            raise RowError(422, [field_error("course_id", f"no course {course_id}")])
        if (course.provider_key or provider_key(course.provider)) != self.key:
            raise RowError(
                403, [field_error("course_id", "this course belongs to another provider")]
            )
        return course

    def _learner(self, row: dict[str, str]) -> str:
        email, learner_id = row.get("learner_email", ""), row.get("learner_id", "")
        found: Learner | None = None
        if email:
            problem = email_problem(email)
            if problem:
                raise RowError(422, [field_error("learner_email", problem)])
            found = Learner.objects(email_key=email_key(email)).only("id").first()
            if found is None:
                raise RowError(422, [field_error("learner_email", "no learner with this email")])
        if learner_id:
            if found is not None and str(found.id) != learner_id:
                raise RowError(422, [field_error("learner_id", "is not the learner_email's")])
            if found is None:
                found = (
                    Learner.objects(id=learner_id).only("id").first()
                    if ObjectId.is_valid(learner_id)
                    else None
                )
                if found is None:
                    raise RowError(422, [field_error("learner_id", "no such learner")])
        if found is None:  # neither column given
            raise RowError(422, [field_error("learner_email", "give learner_email or learner_id")])
        return str(found.id)

    def apply(self, line: int, row: dict[str, str]) -> RowReport:
        """Check and apply one row; a refusal is reported, never raised."""
        action = row.get("action", "").casefold()
        report = RowReport(row=line, action=action or None, course_id=row.get("course_id") or None)
        try:
            if "\0extra" in row:
                raise RowError(422, [field_error("row", "more values than columns")])
            if action not in ACTIONS:
                raise RowError(422, [field_error("action", f"one of {', '.join(ACTIONS)}")])
            course = self._course(row.get("course_id", ""))
            when, grade = _when(row.get("date", "")), _grade(row.get("grade", ""), action)
            # Looked up only on the provider's own course: another's row reads nobody's data.
            report.learner_id = self._learner(row)
            report.enrolment_id, report.code = self._act(
                action, report.learner_id, str(course.id), when, grade
            )
        except RowError as exc:
            report.code, report.errors = exc.code, exc.errors
        except Problem as exc:
            report.code = exc.status
            report.errors = exc.errors or [field_error("row", exc.detail)]
        return report

    def _act(
        self, action: str, learner_id: str, course_id: str, when: datetime | None, grade: Any
    ) -> tuple[str, int]:
        if action == "enrol":
            body = EnrolmentCreate(learner_id=learner_id, course_id=course_id, enrolled_at=when)
            return str(service.create(body=body).id), 201
        active = Enrolment.objects.of_learner(learner_id).for_course(course_id).active().first()
        if active is None:
            raise RowError(
                409, [field_error("action", "the learner has no active enrolment on this course")]
            )
        if action == "complete":
            done = EnrolmentComplete(grade=grade, completed_at=when, reported_by=self.reported_by)
            service.complete(enrolment_id=str(active.id), body=done)
        else:
            service.drop(enrolment_id=str(active.id), when=when)
        return str(active.id), 200


def upload(
    *, key: str, text: str, reported_by: str, max_rows: int, seconds: float
) -> dict[str, Any]:
    """Apply a provider's CSV row by row and return the per-row report.

    Rows still waiting after ``seconds`` are not applied but reported (503, send them again),
    so the answer comes back within the gateway's timeout, whatever the store's speed.
    """
    _, rows = read_rows(text, max_rows)
    runner = Upload(key, reported_by)
    deadline = time.monotonic() + seconds
    reports = []
    for line, row in rows:
        if time.monotonic() < deadline:
            reports.append(runner.apply(line, row).as_dict())
            continue
        late = RowReport(row=line, action=row.get("action") or None, course_id=row.get("course_id"))
        late.code, late.errors = 503, [field_error("row", NOT_REACHED)]
        reports.append(late.as_dict())
    applied = sum(1 for r in reports if r["status"] == "ok")
    return {
        "provider_key": key,
        "received": len(reports),
        "applied": applied,
        "rejected": len(reports) - applied,
        "not_reached": sum(1 for r in reports if r["code"] == 503),
        "reported_by": reported_by,
        "at": utcnow(),
        "rows": reports,
    }
