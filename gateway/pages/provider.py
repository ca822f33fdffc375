"""Training provider pages: its courses with their counts, adding, editing, retiring, its report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from services.common.errors import Problem

from . import bp
from .errors import keeps_form
from .web import _, answer_problem, api, api_data, flash_answer, me, page, problem_messages

LEVELS = ("beginner", "intermediate", "advanced")
TEACHING_LANGUAGES = ("kk", "ru", "en")
TEXT_FIELDS = ("title", "description", "subject", "url")
MAX_SKILLS = 200


def _key() -> str:
    key = me().provider_key
    if not key:
        raise Problem(_("error.no_profile"), status=409)
    return key


def _courses() -> list[dict[str, Any]]:
    data = api_data("GET", f"/providers/{quote(_key(), safe='')}/courses")
    return list(data.get("items") or []) if isinstance(data, dict) else []


def _own_course(course_id: str) -> dict[str, Any]:
    course: dict[str, Any] = api_data("GET", f"/courses/{quote(course_id, safe='')}")
    if course.get("provider_key") != _key():
        raise Problem(_("error.not_yours"), status=403)
    return course


@bp.get("/provider")
@page("provider")
def provider_home() -> str:
    """List the provider's courses with their enrolment and completion counts."""
    courses = _courses()
    totals = {
        name: sum(int(c.get(name) or 0) for c in courses)
        for name in ("enrolled", "active", "completed", "dropped")
    }
    return render_template(
        "provider/home.html", courses=courses, totals=totals, provider=me().provider_name
    )


def _number(form: Mapping[str, str], name: str, errors: list[str], *, whole: bool) -> Any:
    raw = form.get(name, "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not raw:
        return None
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        errors.append(
            f"{_('field.' + name)}: {_('problem.integer' if whole else 'problem.number')}"
        )
        return None
    return value


def _course_fields(form: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Return the course's fields from the form, and lines for values that are not numbers."""
    errors: list[str] = []
    fields: dict[str, Any] = {name: form.get(name, "").strip() or None for name in TEXT_FIELDS}
    fields["title"] = form.get("title", "").strip()  # the service names it if it is empty
    fields.update(
        language=form.get("language", ""),
        level=form.get("level", ""),
        state_funded=form.get("state_funded") == "on",
        hours=_number(form, "hours", errors, whole=False),
        price_kzt=_number(form, "price_kzt", errors, whole=True),
    )
    labels = [line.strip() for line in form.get("skills", "").splitlines() if line.strip()]
    fields["skills"] = [{"label": label} for label in dict.fromkeys(labels)][:MAX_SKILLS]
    if fields["hours"] is None and not errors:
        errors.append(f"{_('field.hours')}: {_('problem.required')}")
    return fields, errors


def _course_form(
    form: Mapping[str, str], errors: list[str], course: dict[str, Any] | None = None
) -> tuple[str, int]:
    html = render_template(
        "provider/course_form.html",
        form=form,
        errors=errors,
        course=course,
        levels=LEVELS,
        teaching_languages=TEACHING_LANGUAGES,
    )
    return html, 422 if errors else 200


@bp.route("/provider/courses/new", methods=["GET", "POST"])
@page("provider")
def provider_new_course() -> Any:
    """Add a course under the provider's own name."""
    return _new_course_page(request.form, [])


@keeps_form("pages.provider_new_course")
def _new_course_page(form: Mapping[str, str], shown: list[str]) -> Any:
    if request.method == "GET":
        return _course_form(MultiDict({"language": "ru", "level": "beginner"}), [])
    if shown:
        return _course_form(form, shown)
    fields, errors = _course_fields(form)
    if not errors:
        # The gateway puts the provider's own name on the course (gateway.ownership).
        payload = {k: v for k, v in fields.items() if v is not None}
        answer = api("POST", "/courses", payload=payload)
        if answer.status < 300:
            flash(_("provider.course_saved"), "ok")
            return redirect(url_for("pages.provider_home"))
        errors = problem_messages(answer_problem(answer))
    return _course_form(form, errors)


def _filled(course: dict[str, Any]) -> MultiDict[str, Any]:
    filled: MultiDict[str, Any] = MultiDict(
        {
            **{k: course.get(k) or "" for k in TEXT_FIELDS},
            "language": course.get("language", ""),
            "level": course.get("level", ""),
            "hours": course.get("hours") if course.get("hours") is not None else "",
            "price_kzt": course.get("price_kzt") if course.get("price_kzt") is not None else "",
            "skills": "\n".join(str(s.get("label", "")) for s in course.get("skills") or []),
        }
    )
    if course.get("state_funded"):
        filled["state_funded"] = "on"
    return filled


@bp.route("/provider/courses/<course_id>/edit", methods=["GET", "POST"])
@page("provider")
def provider_edit_course(course_id: str) -> Any:
    """Edit one of the provider's courses."""
    return _edit_course_page(request.form, [])


@keeps_form("pages.provider_edit_course")
def _edit_course_page(form: Mapping[str, str], shown: list[str]) -> Any:
    course_id = str((request.view_args or {}).get("course_id", ""))
    course = _own_course(course_id)
    if request.method == "GET":
        return _course_form(_filled(course), [], course)
    if shown:
        return _course_form(form, shown, course)
    fields, errors = _course_fields(form)
    if not errors:
        # Skills the matcher has mapped keep their URI when their label stays.
        mapped = {str(s.get("label")): s.get("uri") for s in course.get("skills") or []}
        fields["skills"] = [
            {**s, "uri": mapped[s["label"]]} if mapped.get(s["label"]) else s
            for s in fields["skills"]
        ]
        answer = api("PATCH", f"/courses/{quote(course_id, safe='')}", payload=fields)
        if answer.status < 300:
            flash(_("provider.course_updated"), "ok")
            return redirect(url_for("pages.provider_home"))
        errors = problem_messages(answer_problem(answer))
    return _course_form(form, errors, course)


@bp.post("/provider/courses/<course_id>/status/<action>")
@page("provider")
def provider_retire_course(course_id: str, action: str) -> BaseResponse:
    """Retire a course (it takes no new enrolments) or offer it again."""
    if action not in ("retire", "reinstate"):
        return redirect(url_for("pages.provider_home"))
    answer = api(
        "PATCH", f"/courses/{quote(course_id, safe='')}", payload={"retired": action == "retire"}
    )
    flash_answer(answer, _("provider.retired" if action == "retire" else "provider.reinstated"))
    return redirect(url_for("pages.provider_home"))


def _report_query() -> dict[str, str]:
    return {k: request.args[k].strip() for k in ("from", "to") if request.args.get(k, "").strip()}


@bp.get("/provider/report")
@page("provider")
def provider_report() -> tuple[str, int]:
    """Show the provider's enrolments, completions and drops by course and month."""
    query = _report_query()
    answer = api("GET", f"/providers/{quote(_key(), safe='')}/report", query=query)
    errors: list[str] = []
    report: dict[str, Any] = {}
    if answer.status >= 400:
        errors = problem_messages(answer_problem(answer))
    else:
        report = answer.json() or {}
    html = render_template(
        "provider/report.html",
        report=report,
        errors=errors,
        query=query,
        provider=me().provider_name,
        csv_url=url_for("pages.provider_report_csv", **query),  # type: ignore[arg-type]
    )
    return html, 422 if errors else 200


@bp.get("/provider/report.csv")
@page("provider")
def provider_report_csv() -> Response:
    """Download the provider's report as CSV (the same figures as the page)."""
    query = {**_report_query(), "format": "csv"}
    answer = api("GET", f"/providers/{quote(_key(), safe='')}/report", query=query)
    if answer.status >= 400:
        raise answer_problem(answer)
    response = Response(answer.body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="provider-report.csv"'
    return response
