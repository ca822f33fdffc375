"""Learner pages: recommended jobs with filters, the vacancy page, applying, the activity page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from services.common.reference import EMPLOYMENT_TYPES, REGION_SLUGS, meets_level

from ..i18n import LANGUAGES
from . import bp, present
from .learner import learner_id
from .session import region_choices
from .web import _, answer_problem, api, api_data, page, problem_messages, safe_next

JOBS_SHOWN = 20
ALL = "all"


def _job_filters(learner: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Return (what the form shows, what the matcher is asked); the region defaults to home."""
    args = request.args
    region = args.get("region", learner.get("region") or ALL)
    shown = {
        "region": region if region in REGION_SLUGS else ALL,
        "remote": "true" if args.get("remote") == "true" else "",
        "salary_min": args.get("salary_min", "").strip()[:12],
        "language": args.get("language", "") if args.get("language") in LANGUAGES else "",
        "employment_type": (
            args.get("employment_type", "")
            if args.get("employment_type") in EMPLOYMENT_TYPES
            else ""
        ),
    }
    query = {k: v for k, v in shown.items() if v and v != ALL}
    return shown, query


def _recommend(query: dict[str, str]) -> tuple[Any, Any]:
    """Ask the matcher for jobs with the form's filters; return (its answer, its JSON)."""
    answer = api(
        "GET",
        f"/learners/{learner_id()}/recommendations/jobs",
        query={"limit": JOBS_SHOWN, **query},
    )
    return answer, answer.json() if answer.status == 200 else None


@bp.get("/learner/jobs")
@page("learner")
def learner_jobs() -> Any:
    """Show recommended jobs, filtered (home region first), each with matched and missing skills."""
    learner = api_data("GET", f"/learners/{learner_id()}")
    filters, query = _job_filters(learner)
    answer, data = _recommend(query)
    nothing_local = None
    if (
        isinstance(data, dict)
        and not present.items_of(data)
        and "region" in query
        and "region" not in request.args
    ):
        # The home region was preselected and has nothing: say so and widen to every region.
        nothing_local = query.pop("region")
        filters["region"] = ALL
        answer, data = _recommend(query)
    # 404 here means the matcher has not yet read this (new or just edited) profile from its feed.
    pending = answer.status == 404
    errors: list[str] = []
    if answer.status == 422:
        errors = problem_messages(answer_problem(answer))
    elif answer.status >= 400 and not pending:
        raise answer_problem(answer)
    jobs = present.items_of(data)
    employers = present.lookup(
        "/employers/{}", {str(j["employer_id"]) for j in jobs if j.get("employer_id")}
    )
    return render_template(
        "learner/jobs.html",
        jobs=jobs,
        employers=employers,
        filters=filters,
        regions=region_choices(),
        languages=LANGUAGES,
        considered=data.get("considered") if isinstance(data, dict) else None,
        employment_types=EMPLOYMENT_TYPES,
        nothing_local=nothing_local,
        pending=pending,
        errors=errors,
    ), (422 if errors else 200)


def _my_application(vacancy_id: str) -> dict[str, Any] | None:
    answer = api(
        "GET",
        "/applications",
        query={"learner_id": learner_id(), "vacancy_id": vacancy_id, "limit": 1},
    )
    found = present.items_of(answer.json()) if answer.status == 200 else []
    return found[0] if found else None


def _match(vacancy: dict[str, Any], learner: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Split the vacancy's skills into those the learner holds and those missing."""
    uris = {s.get("uri") for s in learner.get("skills") or [] if s.get("uri")}
    labels = {str(s.get("label", "")).casefold() for s in learner.get("skills") or []}
    have: list[dict[str, Any]] = []
    miss: list[dict[str, Any]] = []
    for skill in vacancy.get("skills") or []:
        held = skill.get("uri") in uris or str(skill.get("label", "")).casefold() in labels
        (have if held else miss).append(skill)
    # Required skills first: they weigh most and decide whether a vacancy is within reach.
    miss.sort(key=lambda s: not s.get("essential"))
    return {"have": have, "miss": miss}


def _language_match(vacancy: dict[str, Any], learner: dict[str, Any]) -> list[dict[str, Any]]:
    """Return each language the vacancy asks for, the learner's level in it and whether it meets it.

    A requirement without a level is met by any level; a language missing from the profile is
    not met.
    """
    held = {str(x.get("code")): x.get("level") for x in learner.get("languages") or []}
    out = []
    for want in vacancy.get("languages") or []:
        code, need = str(want.get("code")), want.get("level")
        have = held.get(code)
        met = code in held and meets_level(have, need)
        out.append({"code": code, "need": need, "have": have, "met": met})
    return out


def render_vacancy(
    vacancy_id: str, form: MultiDict[str, str] | None = None, errors: list[str] | None = None
) -> str:
    """Render the vacancy page; a refused application keeps the typed letter."""
    vacancy = api_data("GET", f"/vacancies/{quote(vacancy_id, safe='')}")
    employer_answer = api("GET", f"/employers/{quote(str(vacancy.get('employer_id')), safe='')}")
    employer = employer_answer.json() if employer_answer.status == 200 else {}
    learner = api_data("GET", f"/learners/{learner_id()}")
    skills = vacancy.get("skills") or []
    return render_template(
        "learner/vacancy.html",
        vacancy=vacancy,
        employer=employer if isinstance(employer, dict) else {},
        required=[s for s in skills if s.get("essential")],
        optional=[s for s in skills if not s.get("essential")],
        match=_match(vacancy, learner),
        language_match=_language_match(vacancy, learner),
        application=_my_application(vacancy_id),
        form=form or MultiDict(),
        errors=errors or [],
    )


@bp.get("/learner/vacancies/<vacancy_id>")
@page("learner")
def learner_vacancy(vacancy_id: str) -> str:
    """Show a vacancy: description, employer, salary, skills, this learner's match, apply."""
    return render_vacancy(vacancy_id)


@bp.post("/learner/apply")
@page("learner")
def learner_apply() -> Any:
    """Apply to a vacancy; a refusal shows the vacancy again with the letter kept."""
    vacancy_id = request.form.get("vacancy_id", "")
    payload = {"learner_id": learner_id(), "vacancy_id": vacancy_id}
    letter = request.form.get("cover_letter", "").strip()
    if letter:
        payload["cover_letter"] = letter
    answer = api("POST", "/applications", payload=payload)
    if answer.status >= 400:
        lines = problem_messages(answer_problem(answer))
        if letter and vacancy_id:
            form = MultiDict(request.form.items(multi=True))
            return render_vacancy(vacancy_id, form, lines), answer.status
        flash(" ".join(lines), "error")
    else:
        flash(_("apply.done"), "ok")
    return redirect(safe_next(request.form.get("next"), url_for("pages.learner_activity")))


@bp.get("/learner/activity")
@page("learner")
def learner_activity() -> str:
    """Show the learner's applications and enrolments, each row with what tells it apart."""
    lid = learner_id()
    applications = api_data("GET", "/applications", query={"learner_id": lid, "limit": 100})
    enrolments = api_data("GET", "/enrolments", query={"learner_id": lid, "limit": 100})
    apps = present.items_of(applications)
    apps.sort(key=lambda a: str(a.get("created_at") or ""), reverse=True)
    vacancies = present.lookup(
        "/vacancies/{}", {str(a.get("vacancy_id")) for a in apps if a.get("vacancy_id")}
    )
    employers = present.lookup(
        "/employers/{}", {str(a.get("employer_id")) for a in apps if a.get("employer_id")}
    )
    enrols = present.items_of(enrolments)
    enrols.sort(key=lambda e: str(e.get("enrolled_at") or ""), reverse=True)
    courses = present.lookup(
        "/courses/{}", {str(e.get("course_id")) for e in enrols if e.get("course_id")}
    )
    return render_template(
        "learner/activity.html",
        applications=apps,
        vacancies=vacancies,
        employers=employers,
        enrolments=enrols,
        courses=courses,
    )
