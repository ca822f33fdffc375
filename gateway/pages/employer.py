"""Employer pages: vacancies, posting one with a skill preview, candidates, the pipeline."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from services.common.errors import Problem

from . import bp, present
from .session import region_choices
from .web import _, answer_problem, api, api_data, flash_answer, me, page, problem_messages

EMPLOYMENT_TYPES = ("full", "part", "project", "internship", "volunteer")
PREVIEW_TOP_K = 15
# Russian and Kazakh texts are extracted with a low floor (0.08), so the preview lists weak
# guesses too: only fairly confident skills start ticked, and only strong ones as essential,
# because every essential skill counts twice in matching and decides who is "within reach".
PRESELECT_MIN_CONFIDENCE = 0.2
ESSENTIAL_MIN_CONFIDENCE = 0.5


def _employer_id() -> str:
    employer_id = me().employer_id
    if not employer_id:
        raise Problem(_("error.no_profile"), status=409)
    return employer_id


@bp.get("/employer")
@page("employer")
def employer_home() -> str:
    """List the employer's vacancies."""
    employer_id = _employer_id()
    employer = api_data("GET", f"/employers/{employer_id}")
    data = api_data("GET", "/vacancies", query={"employer_id": employer_id, "limit": 100})
    return render_template(
        "employer/home.html", employer=employer, vacancies=present.items_of(data)
    )


def _vacancy_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    vacancy: dict[str, Any] = {
        "employer_id": _employer_id(),
        "title": form.get("title", "").strip(),
        "description": form.get("description", "").strip(),
        "requirements": form.get("requirements", "").strip(),
        "region": form.get("region", ""),
        "remote": form.get("remote") == "on",
        "employment_type": form.get("employment_type", "full"),
    }
    for name in ("salary_min", "salary_max"):
        raw = form.get(name, "").replace(" ", "")
        if raw.isdigit():
            vacancy[name] = int(raw)
    return vacancy


def _chosen_skills(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    chosen = []
    for key in form.getlist("skill"):
        uri, _sep, label = key.partition("|")
        if not label:
            continue
        chosen.append(
            {
                "uri": uri or None,
                "label": label,
                "essential": f"essential|{uri}" in form,
                "source": "extracted",
            }
        )
    return chosen


@bp.route("/employer/vacancies/new", methods=["GET", "POST"])
@page("employer")
def employer_new_vacancy() -> Any:
    """Post a vacancy: preview the skills extracted from its text, then save it."""
    form = request.form
    errors: list[str] = []
    extracted: list[dict[str, Any]] = []
    if request.method == "POST" and form.get("action") == "save":
        vacancy = _vacancy_from_form(form)
        vacancy["skills"] = _chosen_skills(form)
        answer = api("POST", "/vacancies", payload=vacancy)
        if answer.status < 300:
            created = answer.json() or {}
            flash(_("vacancy.saved"), "ok")
            return redirect(url_for("pages.employer_vacancy", vacancy_id=created.get("id", "")))
        errors = problem_messages(answer_problem(answer))
    if request.method == "POST":
        text = "\n".join(form.get(k, "") for k in ("title", "description", "requirements"))
        if text.strip():
            answer = api("POST", "/skills/extract", payload={"text": text, "top_k": PREVIEW_TOP_K})
            if answer.status < 300:
                extracted = present.items_of(answer.json(), "skills")
            else:
                errors.append(answer_problem(answer).detail)
    return (
        render_template(
            "employer/vacancy_new.html",
            form=form,
            extracted=extracted,
            previewed=request.method == "POST",
            errors=errors,
            regions=region_choices(),
            employment_types=EMPLOYMENT_TYPES,
            preselect=PRESELECT_MIN_CONFIDENCE,
            essential_min=ESSENTIAL_MIN_CONFIDENCE,
        ),
        422 if errors else 200,
    )


@bp.get("/employer/vacancies/<vacancy_id>")
@page("employer")
def employer_vacancy(vacancy_id: str) -> str:
    """Show a vacancy with its candidates, trainable candidates and applications."""
    vid = quote(vacancy_id, safe="")
    vacancy = api_data("GET", f"/vacancies/{vid}")
    if vacancy.get("employer_id") != _employer_id():
        raise Problem(_("error.not_yours"), status=403)
    answer = api("GET", f"/vacancies/{vid}/candidates", query={"limit": 20})
    candidates: dict[str, Any] = {"ready": [], "trainable": [], "error": None, "pending": False}
    if answer.status == 404:  # the matcher has not read this (just posted) vacancy yet
        candidates["pending"] = True
    elif answer.status < 300:
        data = answer.json()
        candidates["ready"] = present.items_of(data, "candidates", "ready", "matches")
        if isinstance(data, dict):
            candidates["trainable"] = present.items_of(data.get("trainable") or [])
    else:
        candidates["error"] = answer_problem(answer).detail
    applications = present.items_of(
        api_data("GET", "/applications", query={"vacancy_id": vacancy_id, "limit": 200})
    )
    applicants = present.lookup(
        "/learners/{}", {str(a.get("learner_id")) for a in applications if a.get("learner_id")}
    )
    return render_template(
        "employer/vacancy.html",
        vacancy=vacancy,
        candidates=candidates,
        applications=applications,
        applicants=applicants,
    )


@bp.post("/employer/applications/<application_id>/transition")
@page("employer")
def employer_move_application(application_id: str) -> Response:
    """Move an application to its next stage."""
    payload: dict[str, Any] = {"to": request.form.get("to", "")}
    answer = api(
        "POST", f"/applications/{quote(application_id, safe='')}/transition", payload=payload
    )
    vacancy_id = request.form.get("vacancy_id", "")
    flash_answer(answer, _("application.moved", status=_("status." + payload["to"])))
    return redirect(url_for("pages.employer_vacancy", vacancy_id=vacancy_id))


@bp.post("/employer/vacancies/<vacancy_id>/close")
@page("employer")
def employer_close_vacancy(vacancy_id: str) -> Response:
    """Close a vacancy."""
    answer = api("POST", f"/vacancies/{quote(vacancy_id, safe='')}/close")
    flash_answer(answer, _("vacancy.closed"))
    return redirect(url_for("pages.employer_vacancy", vacancy_id=vacancy_id))
