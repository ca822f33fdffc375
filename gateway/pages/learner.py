"""Learner pages: profile and skills, recommended jobs, retraining path, applying, enrolling."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from services.common.errors import Problem

from ..access_log_views import learner_entries
from . import bp, present
from .web import (
    _,
    answer_problem,
    api,
    api_data,
    flash_answer,
    me,
    page,
    problem_messages,
    safe_next,
)

ACCESS_PAGE = 50
ACCESS_PAGES = 1000


def _learner_id() -> str:
    learner_id = me().learner_id
    if not learner_id:
        raise Problem(_("error.no_profile"), status=409)
    return learner_id


@bp.get("/learner")
@page("learner")
def learner_profile() -> str:
    """Show the learner's profile and skills with their evidence."""
    learner = api_data("GET", f"/learners/{_learner_id()}")
    return render_template("learner/profile.html", learner=learner)


@bp.post("/learner/profile")
@page("learner")
def learner_update() -> Response:
    """Save the CV text and the consent to be found by employers."""
    form = request.form
    changes: dict[str, Any] = {"consent": form.get("consent") == "on"}
    if "cv_text" in form:
        changes["cv_text"] = form["cv_text"].strip() or None
    answer = api("PATCH", f"/learners/{_learner_id()}", payload=changes)
    if answer.status >= 400:
        for line in problem_messages(answer_problem(answer)):
            flash(line, "error")
    else:
        flash(_("profile.saved"), "ok")
    return redirect(url_for("pages.learner_profile"))


@bp.post("/learner/skills/reject")
@page("learner")
def learner_reject_skill() -> Response:
    """Reject a skill: it leaves the profile and is never extracted again."""
    uri = request.form.get("uri", "")
    answer = api("POST", f"/learners/{_learner_id()}/skills/{uri}/reject")
    flash_answer(answer, _("skills.rejected", label=request.form.get("label", uri)))
    return redirect(url_for("pages.learner_profile"))


@bp.get("/learner/jobs")
@page("learner")
def learner_jobs() -> str:
    """Show recommended jobs with the skills that match and those that are missing."""
    filters = {k: request.args.get(k) for k in ("region", "remote", "salary_min")}
    query = {k: v for k, v in filters.items() if v}
    answer = api(
        "GET", f"/learners/{_learner_id()}/recommendations/jobs", query={"limit": 20, **query}
    )
    # 404 here means the matcher has not yet read this (new or just edited) profile from its feed.
    pending = answer.status == 404
    if answer.status >= 400 and not pending:
        raise answer_problem(answer)
    data = None if pending else answer.json()
    return render_template(
        "learner/jobs.html",
        jobs=present.items_of(data),
        filters=filters,
        raw=data,
        pending=pending,
    )


@bp.get("/learner/path")
@page("learner")
def learner_path() -> str:
    """Show the retraining path to a vacancy or occupation: courses, order, hours, what-if."""
    target = {
        k: v for k in ("vacancy_id", "occupation_uri") if (v := request.args.get(k, "").strip())
    }
    if not target:
        raise Problem(_("path.no_target"), status=400)
    answer = api("GET", f"/learners/{_learner_id()}/retraining-path", query=target)
    vacancy = None
    if "vacancy_id" in target:
        found = api("GET", f"/vacancies/{quote(target['vacancy_id'], safe='')}")
        vacancy = found.json() if found.status == 200 else None
    # A 404 for a vacancy that exists means the matcher has not read it (or the profile) yet.
    pending = answer.status == 404 and vacancy is not None
    if answer.status >= 400 and not pending:
        raise answer_problem(answer)
    return render_template(
        "learner/path.html",
        path=present.path_of(None if pending else answer.json()),
        vacancy=vacancy,
        target=target,
        pending=pending,
    )


@bp.post("/learner/apply")
@page("learner")
def learner_apply() -> Response:
    """Apply to a vacancy."""
    payload = {"learner_id": _learner_id(), "vacancy_id": request.form.get("vacancy_id", "")}
    letter = request.form.get("cover_letter", "").strip()
    if letter:
        payload["cover_letter"] = letter
    answer = api("POST", "/applications", payload=payload)
    flash_answer(answer, _("apply.done"))
    return redirect(safe_next(request.form.get("next"), url_for("pages.learner_activity")))


@bp.post("/learner/enrol")
@page("learner")
def learner_enrol() -> Response:
    """Enrol in a course."""
    payload = {"learner_id": _learner_id(), "course_id": request.form.get("course_id", "")}
    answer = api("POST", "/enrolments", payload=payload)
    flash_answer(answer, _("enrol.done"))
    return redirect(safe_next(request.form.get("next"), url_for("pages.learner_activity")))


@bp.post("/learner/enrolments/<enrolment_id>/drop")
@page("learner")
def learner_drop(enrolment_id: str) -> Response:
    """Leave a course."""
    answer = api("POST", f"/enrolments/{quote(enrolment_id, safe='')}/drop")
    flash_answer(answer, _("enrol.dropped"))
    return redirect(url_for("pages.learner_activity"))


@bp.get("/learner/activity")
@page("learner")
def learner_activity() -> str:
    """Show the learner's applications and enrolments."""
    learner_id = _learner_id()
    applications = api_data("GET", "/applications", query={"learner_id": learner_id, "limit": 100})
    enrolments = api_data("GET", "/enrolments", query={"learner_id": learner_id, "limit": 100})
    apps = present.items_of(applications)
    vacancies = present.lookup(
        "/vacancies/{}", {str(a.get("vacancy_id")) for a in apps if a.get("vacancy_id")}
    )
    enrols = present.items_of(enrolments)
    courses = present.lookup(
        "/courses/{}", {str(e.get("course_id")) for e in enrols if e.get("course_id")}
    )
    return render_template(
        "learner/activity.html",
        applications=apps,
        vacancies=vacancies,
        enrolments=enrols,
        courses=courses,
    )


@bp.get("/learner/access-log")
@page("learner")
def learner_access_log() -> str:
    """Show who was shown the learner's data: when, what, which fields and why."""
    number = request.args.get("page", "1")
    ok = number.isdigit() and len(number) <= 4 and 0 < int(number) <= ACCESS_PAGES
    current = int(number) if ok else 1
    data = learner_entries(_learner_id(), limit=ACCESS_PAGE, offset=(current - 1) * ACCESS_PAGE)
    return render_template(
        "learner/access_log.html",
        entries=data["items"],
        total=data["total"],
        page=current,
        more=current * ACCESS_PAGE < data["total"] and current < ACCESS_PAGES,
    )


@bp.app_template_global()
def access_field(name: str) -> str:
    """Return the label of a data field named in the access log (the name itself if unknown)."""
    key = f"access.field.{name}"
    label = _(key)
    return name if label == key else label
