"""Employer pages: vacancies, posting and editing one with a skill preview, candidates, pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from services.common.errors import Problem
from services.common.reference import EMPLOYMENT_TYPES

from . import bp, present
from . import employer_skills as skills
from .errors import keeps_form
from .session import region_choices
from .web import (
    _,
    answer_problem,
    api,
    api_data,
    current_lang,
    flash_answer,
    me,
    page,
    problem_messages,
)

TEXT_FIELDS = ("title", "description", "requirements")
# Kept for the tests and callers that read the preview's thresholds from here.
PRESELECT_MIN_CONFIDENCE = skills.PRESELECT_MIN_CONFIDENCE
ESSENTIAL_MIN_CONFIDENCE = skills.ESSENTIAL_MIN_CONFIDENCE


def _employer_id() -> str:
    employer_id = me().employer_id
    if not employer_id:
        raise Problem(_("error.no_profile"), status=409)
    return employer_id


def _own_vacancy(vacancy_id: str) -> dict[str, Any]:
    vacancy: dict[str, Any] = api_data("GET", f"/vacancies/{quote(vacancy_id, safe='')}")
    if vacancy.get("employer_id") != _employer_id():
        raise Problem(_("error.not_yours"), status=403)
    return vacancy


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


def _vacancy_fields(form: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Return the vacancy's fields from the form, and lines for values that are not numbers."""
    vacancy: dict[str, Any] = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    vacancy.update(
        region=form.get("region", ""),
        remote=form.get("remote") == "on",
        employment_type=form.get("employment_type", "full"),
    )
    errors = []
    for name in ("salary_min", "salary_max"):
        raw = form.get(name, "").replace(" ", "").replace("\u00a0", "")
        if raw.isdigit():
            vacancy[name] = int(raw)
        elif raw:
            errors.append(f"{_('field.' + name)}: {_('problem.integer')}")
        else:
            vacancy[name] = None
    return vacancy, errors


def _text_of(form: Mapping[str, str]) -> str:
    return "\n".join(form.get(k, "") for k in TEXT_FIELDS)


def _vacancy_form(
    form: Mapping[str, str],
    board: skills.Board,
    errors: list[str],
    *,
    vacancy: dict[str, Any] | None = None,
    previewed: bool = False,
) -> tuple[str, int]:
    html = render_template(
        "employer/vacancy_form.html",
        form=form,
        board=board,
        vacancy=vacancy,
        previewed=previewed or vacancy is not None,
        errors=errors,
        regions=region_choices(),
        employment_types=EMPLOYMENT_TYPES,
    )
    return html, 422 if errors else 200


def _work_on_board(form: Mapping[str, str], board: skills.Board, *, extract: bool) -> list[str]:
    """Run the form's skill action (extract from the text, search by name); return problems."""
    problems = []
    if extract:
        problem = skills.extract(board, _text_of(form), call=api)
        if problem:
            problems.append(problem)
    if form.get("action") == "search" or board.query:
        problem = skills.search(board, call=api, lang=current_lang())
        if problem:
            problems.append(problem)
    return problems


@bp.route("/employer/vacancies/new", methods=["GET", "POST"])
@page("employer")
def employer_new_vacancy() -> Any:
    """Post a vacancy: preview the skills extracted from its text, adjust them, then save it."""
    return _new_vacancy_page(request.form, [])


@keeps_form("pages.employer_new_vacancy")
def _new_vacancy_page(form: Mapping[str, str], shown: list[str]) -> Any:
    board = skills.from_form(form)
    if request.method == "GET":
        # Most vacancies are where the employer is: start with its region chosen.
        employer = api_data("GET", f"/employers/{quote(_employer_id(), safe='')}")
        return _vacancy_form(MultiDict({"region": employer.get("region") or ""}), board, [])
    if shown:
        return _vacancy_form(form, board, shown, previewed=bool(board.choices))
    errors: list[str] = []
    if form.get("action") == "save":
        fields, errors = _vacancy_fields(form)
        if not errors:
            payload = {"employer_id": _employer_id(), **fields, "skills": board.ticked()}
            payload = {k: v for k, v in payload.items() if v is not None}
            answer = api("POST", "/vacancies", payload=payload)
            if answer.status < 300:
                created = answer.json() or {}
                flash(_("vacancy.saved"), "ok")
                return redirect(url_for("pages.employer_vacancy", vacancy_id=created.get("id", "")))
            errors = problem_messages(answer_problem(answer))
    # A first preview, "find skills again" and a search all show the list again.
    extract = form.get("action") in ("preview", None, "") or not board.choices
    errors += _work_on_board(form, board, extract=extract and form.get("action") != "search")
    return _vacancy_form(form, board, errors, previewed=True)


@bp.route("/employer/vacancies/<vacancy_id>/edit", methods=["GET", "POST"])
@page("employer")
def employer_edit_vacancy(vacancy_id: str) -> Any:
    """Edit a vacancy: its text, region, salary, employment and skills."""
    return _edit_vacancy_page(request.form, [])


@keeps_form("pages.employer_edit_vacancy")
def _edit_vacancy_page(form: Mapping[str, str], shown: list[str]) -> Any:
    vacancy_id = str((request.view_args or {}).get("vacancy_id", ""))
    vacancy = _own_vacancy(vacancy_id)
    if request.method == "GET":
        filled = MultiDict(
            {
                **{k: vacancy.get(k) or "" for k in TEXT_FIELDS},
                "region": vacancy.get("region", ""),
                "employment_type": vacancy.get("employment_type", "full"),
                "salary_min": vacancy.get("salary_min") or "",
                "salary_max": vacancy.get("salary_max") or "",
            }
        )
        if vacancy.get("remote"):
            filled["remote"] = "on"
        return _vacancy_form(filled, skills.from_vacancy(vacancy.get("skills") or []), [],
                             vacancy=vacancy)  # fmt: skip
    board = skills.from_form(form)
    if shown:
        return _vacancy_form(form, board, shown, vacancy=vacancy)
    errors: list[str] = []
    if form.get("action") == "save":
        fields, errors = _vacancy_fields(form)
        if not errors:
            answer = api(
                "PATCH",
                f"/vacancies/{quote(vacancy_id, safe='')}",
                payload={**fields, "skills": board.ticked()},
            )
            if answer.status < 300:
                flash(_("vacancy.updated"), "ok")
                return redirect(url_for("pages.employer_vacancy", vacancy_id=vacancy_id))
            errors = problem_messages(answer_problem(answer))
    else:
        errors = _work_on_board(form, board, extract=form.get("action") == "preview")
    return _vacancy_form(form, board, errors, vacancy=vacancy)


def _candidates(vacancy_id: str) -> dict[str, Any]:
    answer = api("GET", f"/vacancies/{quote(vacancy_id, safe='')}/candidates", query={"limit": 20})
    candidates: dict[str, Any] = {"ready": [], "trainable": [], "error": None, "pending": False}
    if answer.status == 404:  # the matcher has not read this (just posted) vacancy yet
        candidates["pending"] = True
    elif answer.status < 300:
        data = answer.json()
        candidates["ready"] = present.items_of(data, "candidates", "ready", "matches")
        if isinstance(data, dict):
            candidates["trainable"] = present.items_of(data.get("trainable") or [])
    else:
        candidates["error"] = present.problem_text(answer_problem(answer))
    return candidates


@bp.get("/employer/vacancies/<vacancy_id>")
@page("employer")
def employer_vacancy(vacancy_id: str) -> str:
    """Show a vacancy with its candidates, trainable candidates and applications."""
    vacancy = _own_vacancy(vacancy_id)
    applications = present.items_of(
        api_data("GET", "/applications", query={"vacancy_id": vacancy_id, "limit": 200})
    )
    applicants = present.lookup(
        "/learners/{}", {str(a.get("learner_id")) for a in applications if a.get("learner_id")}
    )
    skill_list = vacancy.get("skills") or []
    return render_template(
        "employer/vacancy.html",
        vacancy=vacancy,
        essential=[s for s in skill_list if s.get("essential", True)],
        optional=[s for s in skill_list if not s.get("essential", True)],
        candidates=_candidates(vacancy_id),
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


def _set_status(vacancy_id: str, action: str, done: str) -> Response:
    answer = api("POST", f"/vacancies/{quote(vacancy_id, safe='')}/{action}")
    flash_answer(answer, done)
    return redirect(url_for("pages.employer_vacancy", vacancy_id=vacancy_id))


@bp.post("/employer/vacancies/<vacancy_id>/close")
@page("employer")
def employer_close_vacancy(vacancy_id: str) -> Response:
    """Close a vacancy."""
    return _set_status(vacancy_id, "close", _("vacancy.closed"))


@bp.post("/employer/vacancies/<vacancy_id>/reopen")
@page("employer")
def employer_reopen_vacancy(vacancy_id: str) -> Response:
    """Open a closed vacancy again."""
    return _set_status(vacancy_id, "reopen", _("vacancy.reopened"))
