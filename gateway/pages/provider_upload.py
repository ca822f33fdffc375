"""A training provider's CSV upload page: the form, help on the columns, the per-row report.

The file goes to ``POST /api/v1/providers/{key}/enrolments/upload`` through the route's own
policy (own courses only, ``reported_by`` stamped by the gateway, rows in the access log). The
service answers in English for developers; this page says each row's fate in the page's
language, by field and by status code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import render_template, request
from werkzeug.datastructures import FileStorage

from services.common.errors import Problem

from ..i18n import translate
from ..views import call_route
from . import bp, present
from .errors import keeps_form
from .provider import _courses, _key
from .web import _, answer_problem, current_lang, me, page

COLUMNS = ("learner_email", "learner_id", "course_id", "action", "date", "grade")
ACTIONS = ("enrol", "complete", "drop")
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")
# A row's field in the service's report -> the column of the file it came from.
FIELD_COLUMNS = {
    "enrolled_at": "date",
    "completed_at": "date",
    "dropped_at": "date",
    **{name: name for name in (*COLUMNS, "row", "status", "header", "body", "file")},
}
CODES = (200, 201, 403, 404, 409, 413, 415, 422, 503)

# The service's English messages -> the keys saying them in the page's language.
UPLOAD_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S | re.I), key)
    for pattern, key in (
        # whole-file problems (the answer's detail)
        (r"^the CSV header is not valid$", "upload.err.header"),
        (r"^the CSV cannot be read$", "upload.err.unreadable"),
        (r"^the CSV has no rows$", "upload.err.no_rows"),
        (r"^an upload takes at most (?P<n>\d+) rows.*$", "upload.err.too_many_rows"),
        (r"^send the CSV as text/csv.*$", "upload.err.not_csv"),
        (r"^the CSV is not UTF-8$", "upload.err.not_utf8"),
        (r"^the form has no CSV$", "upload.err.no_file"),
        (r"^the request body is larger than this service accepts$", "upload.err.too_large"),
        # a field's message (of a row or of the header)
        (r"^more values than columns$", "upload.msg.extra_values"),
        (r"^one of enrol, complete, drop$", "upload.msg.action"),
        (r"^not a course id$", "upload.msg.not_course_id"),
        (r"^no course \S+$", "upload.msg.no_course"),
        (r"^this course belongs to another provider$", "upload.msg.foreign_course"),
        (r"^not an ISO date.*$", "upload.msg.date"),
        (r"^only a completion has a grade$", "upload.msg.grade_only_complete"),
        (r"^a number from 0 to 100$", "upload.msg.grade_range"),
        (r"^no learner with this email$", "upload.msg.no_learner_email"),
        (r"^is not the learner_email's$", "upload.msg.id_not_email"),
        (r"^no such learner$", "upload.msg.no_learner"),
        (r"^(?:give )?learner_email or learner_id$", "upload.msg.learner_needed"),
        (r"^the learner has no active enrolment on this course$", "upload.msg.no_active"),
        (r"^not applied: the upload's time ran out.*$", "upload.msg.not_reached"),
        (r"^is required$", "problem.required"),
        (r"^unknown column.*$", "upload.msg.unknown_column"),
        (r"^a column is named twice$", "upload.msg.column_twice"),
        (r"^no rows$", "upload.msg.no_rows"),
        (r"^more than (?P<n>\d+) rows$", "upload.msg.too_many_rows"),
        (r"^unsupported media type.*$", "upload.msg.not_csv"),
        (r"^save the file as UTF-8$", "upload.msg.not_utf8"),
        (r"^attach the CSV as file$", "upload.msg.no_file"),
        (r"^is (?P<status>\w+), expected enrolled$", "upload.msg.not_enrolled"),
    )
)  # fmt: skip


def _said(text: str, lang: str) -> str | None:
    for pattern, key in UPLOAD_MESSAGES:
        found = pattern.match(text.strip())
        if found:
            values = found.groupdict()
            if "status" in values:
                values["status"] = translate(lang, f"enrolment.{values['status']}")
            return translate(lang, key, **values)
    return None


def field_name(field: str, lang: str) -> str:
    """Return a report's field (``course_id``, ``header.grade``, ``completed_at``) in ``lang``."""
    parts = [p for p in str(field).split(".") if p]
    if len(parts) > 1 and parts[0] == "header":
        return translate(lang, "upload.col.header_of", column=parts[-1])
    column = FIELD_COLUMNS.get(parts[-1] if parts else "row")
    if column is None:
        return present.field_label(field, lang)
    return translate(lang, f"upload.col.{column}")


def row_message(message: str, code: int, lang: str) -> str:
    """Return a row's message in ``lang``: the known ones by pattern, others by status code."""
    said = _said(message, lang)
    if said is not None:
        return said
    known = present.field_message(message, lang)
    if known != translate(lang, "problem.check_value"):
        return known
    return translate(lang, f"upload.code.{code}" if code in CODES else "problem.check_value")


def problem_lines(problem: Problem) -> list[str]:
    """Return a whole-file refusal (413/415/422) as lines in the page's language."""
    lang = current_lang()
    head = _said(problem.detail, lang) or present.detail_message(
        problem.detail, lang, problem.status
    )
    lines = [head]
    for error in problem.errors:
        if isinstance(error, dict):
            field = str(error.get("field") or "body")
            message = row_message(str(error.get("message") or ""), problem.status, lang)
            lines.append(f"{field_name(field, lang)}: {message}")
    return list(dict.fromkeys(lines))


def _report_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the report's rows with their fields and messages in the page's language."""
    lang = current_lang()
    rows = []
    for row in report.get("rows") or []:
        if not isinstance(row, dict):
            continue
        code = int(row.get("code") or 0)
        errors = [e for e in row.get("errors") or [] if isinstance(e, dict)]
        action = str(row.get("action") or "")
        rows.append(
            {
                "row": row.get("row"),
                "ok": row.get("status") == "ok",
                "code": code,
                "action": translate(lang, f"upload.action.{action}") if action in ACTIONS else "",
                "problems": [
                    {
                        "column": FIELD_COLUMNS.get(str(e.get("field")), ""),
                        "field": field_name(str(e.get("field") or "row"), lang),
                        "message": row_message(str(e.get("message") or ""), code, lang),
                    }
                    for e in errors
                ],
            }
        )
    return rows


def _example_course() -> str:
    try:
        courses = _courses()
    except Problem:
        courses = []
    live = [c for c in courses if not c.get("retired")]
    return str(live[0]["id"]) if live else "COURSE_ID"


def _page(
    errors: list[str], report: Mapping[str, Any] | None = None, status: int = 200
) -> tuple[str, int]:
    html = render_template(
        "provider/upload.html",
        errors=errors,
        report=report or {},
        rows=_report_rows(report or {}),
        columns=COLUMNS,
        example_course=_example_course(),
        provider=me().provider_name,
    )
    return html, status


def _content_type(sent: FileStorage) -> str:
    """Return what the file says it is; a .csv named file is CSV whatever the browser guessed."""
    declared = (sent.mimetype or "").lower()
    if declared in CSV_TYPES:
        return declared
    if (sent.filename or "").lower().endswith(".csv"):
        return "text/csv"
    return declared or "application/octet-stream"  # the service refuses it (415)


@bp.route("/provider/upload", methods=["GET", "POST"])
@page("provider")
def provider_upload() -> Any:
    """Upload a CSV of enrolments, completions and drops, and show what became of each row."""
    if request.method == "GET":
        return _page([])
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _page([_("upload.err.no_file")], status=422)
    try:
        answer = call_route(
            "POST",
            f"/providers/{quote(_key(), safe='')}/enrolments/upload",
            body=sent.read(),
            content_type=_content_type(sent),
        )
    except Problem as exc:  # refused by the route's policy before forwarding
        return _page(problem_lines(exc), status=exc.status)
    if answer.status >= 300:
        return _page(problem_lines(answer_problem(answer)), status=answer.status)
    report = answer.json()
    return _page([], report if isinstance(report, dict) else {})


@keeps_form("pages.provider_upload")
def _too_large(form: Mapping[str, str], shown: list[str]) -> Any:
    # A file over the gateway's body limit: the page again, saying so (a file is never kept,
    # so the forms' "your text is below" line does not apply).
    return _page([_("upload.err.too_large")], status=413)
