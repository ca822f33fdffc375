"""Learner pages: course recommendations, choosing a goal occupation, the retraining path."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from . import bp, present
from .learner import learner_id
from .web import _, answer_problem, api, api_data, current_lang, flash_answer, page, safe_next

#: Job matches (or goals) whose gaps make the course recommendations when no target is chosen.
GAP_TARGETS = 3
COURSES_SHOWN = 15
GOALS_MAX = 20
GOALS_SHOWN = 12


def _target() -> dict[str, str]:
    return {
        k: v[:300]
        for k in ("vacancy_id", "occupation_uri")
        if (v := request.args.get(k, "").strip())
    }


def _gap_targets(learner: dict[str, Any]) -> tuple[str, list[tuple[dict[str, str], str]]]:
    """Return the basis ("goals" or "jobs") and its targets with labels."""
    goals = [o for o in learner.get("desired_occupations") or [] if o.get("uri")]
    if goals:
        return "goals", [
            ({"occupation_uri": str(o["uri"])}, str(o.get("title") or o["uri"]))
            for o in goals[:GAP_TARGETS]
        ]
    answer = api(
        "GET", f"/learners/{learner_id()}/recommendations/jobs", query={"limit": GAP_TARGETS}
    )
    jobs = present.items_of(answer.json()) if answer.status == 200 else []
    return "jobs", [({"vacancy_id": str(j["vacancy_id"])}, str(j.get("title"))) for j in jobs]


def _merge(results: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Merge course lists of several targets: a course helping more targets ranks first."""
    merged: dict[str, dict[str, Any]] = {}
    for label, data in results:
        for item in present.items_of(data):
            cid = str(item.get("course_id"))
            held = merged.setdefault(cid, {**item, "for_targets": [], "best": 0.0})
            held["for_targets"].append(label)
            total = (item.get("score") or {}).get("total") or 0.0
            held["best"] = max(held["best"], float(total))
            seen = {s.get("key") or s.get("label") for s in held["matched_skills"]}
            for skill in item.get("matched_skills") or []:
                if (skill.get("key") or skill.get("label")) not in seen:
                    held["matched_skills"].append(skill)
    ranked = sorted(merged.values(), key=lambda c: (-len(c["for_targets"]), -c["best"]))
    return ranked[:COURSES_SHOWN]


@bp.get("/learner/courses")
@page("learner")
def learner_courses() -> str:
    """Recommend courses: toward a chosen target, else from the gaps of goals or best jobs."""
    target = _target()
    learner = api_data("GET", f"/learners/{learner_id()}")
    if target:
        basis, targets = "target", [(target, "")]
    else:
        basis, targets = _gap_targets(learner)
    results: list[tuple[str, Any]] = []
    pending = False
    every_language = request.args.get("any_language") == "1"
    extra = {"any_language": "true"} if every_language else {}
    for query, label in targets:
        answer = api(
            "GET",
            f"/learners/{learner_id()}/recommendations/courses",
            query={**query, "limit": 10, **extra},
        )
        if answer.status == 404 and not target:
            pending = True  # the matcher has not read this profile or vacancy yet
            continue
        if answer.status >= 400:
            raise answer_problem(answer)
        data = answer.json()
        results.append((label or str((data.get("target") or {}).get("label") or ""), data))
    courses = _merge(results)
    rule = next((d.get("languages") for _label, d in results if d.get("languages")), None)
    prereq_ids = {str(p) for c in courses for p in c.get("prerequisites") or []}
    return render_template(
        "learner/courses.html",
        basis=basis,
        target=target,
        target_label=results[0][0] if results and target else "",
        target_labels=[label for label, _data in results],
        courses=courses,
        prereqs=present.lookup("/courses/{}", prereq_ids),
        pending=pending,
        rule=rule or {},
        every_language=every_language,
        toggle_url=_language_toggle(not every_language),
    )


def _language_toggle(every: bool) -> str:
    """Return this page's address with the every-language switch set to ``every``."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "any_language"}
    if every:
        args["any_language"] = "1"
    return url_for("pages.learner_courses", **args)


def search_occupations(q: str) -> list[dict[str, Any]]:
    """Find ESCO occupations by a name in any language: label search, then the title model."""
    found: dict[str, dict[str, Any]] = {}
    lang = current_lang()  # labels in the page's language where the vocabulary has one
    listed = api("GET", "/occupations", query={"q": q, "limit": GOALS_SHOWN, "lang": lang})
    if listed.status == 200:
        for item in present.items_of(listed.json()):
            found.setdefault(str(item.get("uri")), item)
    # ESCO labels are English: a Russian or Kazakh title is matched by meaning.
    matched = api(
        "POST",
        "/occupations/match",
        query={"lang": lang},
        payload={"title": q, "top_k": GOALS_SHOWN},
    )
    if matched.status == 200:
        for item in present.items_of(matched.json()):
            found.setdefault(str(item.get("uri")), item)
    return list(found.values())[:GOALS_SHOWN]


@bp.get("/learner/goals")
@page("learner")
def learner_goals() -> str:
    """Search occupations by name and choose one as a goal or a path target."""
    q = request.args.get("q", "").strip()[:200]
    learner = api_data("GET", f"/learners/{learner_id()}")
    goals = learner.get("desired_occupations") or []
    return render_template(
        "learner/goals.html",
        q=q,
        found=search_occupations(q) if q else [],
        goals=goals,
        goal_uris={g.get("uri") for g in goals},
    )


def _set_goals(goals: list[dict[str, Any]], done: str) -> None:
    body = [{k: v for k, v in g.items() if k in ("uri", "title") and v} for g in goals]
    answer = api("PATCH", f"/learners/{learner_id()}", payload={"desired_occupations": body})
    flash_answer(answer, done)


@bp.post("/learner/goals")
@page("learner")
def learner_add_goal() -> Response:
    """Add an occupation to the learner's goals."""
    uri, label = request.form.get("uri", ""), request.form.get("label", "").strip()
    goals = api_data("GET", f"/learners/{learner_id()}").get("desired_occupations") or []
    if uri and all(g.get("uri") != uri for g in goals):
        goals = [*goals, {"uri": uri, "title": label or None}][-GOALS_MAX:]
    _set_goals(goals, _("goal.added", label=label or uri))
    return redirect(safe_next(request.form.get("next"), url_for("pages.learner_goals")))


@bp.post("/learner/goals/remove")
@page("learner")
def learner_remove_goal() -> Response:
    """Remove an occupation from the learner's goals."""
    uri, label = request.form.get("uri", ""), request.form.get("label", "")
    goals = api_data("GET", f"/learners/{learner_id()}").get("desired_occupations") or []
    _set_goals([g for g in goals if g.get("uri") != uri], _("goal.removed", label=label or uri))
    return redirect(safe_next(request.form.get("next"), url_for("pages.learner_goals")))


@bp.get("/learner/path")
@page("learner")
def learner_path() -> Any:
    """Show the retraining path to a vacancy or occupation: courses, order, hours, what-if."""
    target = _target()
    if not target:
        return redirect(url_for("pages.learner_goals"))
    answer = api("GET", f"/learners/{learner_id()}/retraining-path", query=target)
    vacancy = None
    if "vacancy_id" in target:
        found = api("GET", f"/vacancies/{quote(target['vacancy_id'], safe='')}")
        vacancy = found.json() if found.status == 200 else None
    # A 404 for a vacancy that exists means the matcher has not read it (or the profile) yet.
    pending = answer.status == 404 and vacancy is not None
    if answer.status >= 400 and not pending:
        raise answer_problem(answer)
    path = present.path_of(None if pending else answer.json())
    titles = {str(s.get("course_id")): str(s.get("title") or "") for s in path["steps"]}
    # A course pulled in only as another's prerequisite says which one needs it.
    needed_by: dict[str, list[str]] = {}
    for step in path["steps"]:
        for pre in step.get("prerequisites") or []:
            needed_by.setdefault(str(pre), []).append(str(step.get("course_id")))
    reach = path["raw"].get("reach") or {}
    return render_template(
        "learner/path.html",
        path=path,
        vacancy=vacancy,
        target=target,
        pending=pending,
        titles=titles,
        needed_by=needed_by,
        reach=reach,
    )


@bp.post("/learner/enrol")
@page("learner")
def learner_enrol() -> Response:
    """Enrol in a course."""
    payload = {"learner_id": learner_id(), "course_id": request.form.get("course_id", "")}
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


@bp.get("/learner/courses/<course_id>")
@page("learner")
def learner_course(course_id: str) -> str:
    """Show a course: provider, language, level, hours, price, what it teaches and needs first."""
    course = api_data("GET", f"/courses/{quote(course_id, safe='')}")
    learner = api_data("GET", f"/learners/{learner_id()}")
    held = {s.get("uri") for s in learner.get("skills") or [] if s.get("uri")}
    mine = api("GET", "/enrolments", query={"learner_id": learner_id(), "limit": 100})
    enrolment = next(
        (
            e
            for e in present.items_of(mine.json() if mine.status == 200 else None)
            if e.get("course_id") == course.get("id") and e.get("status") != "dropped"
        ),
        None,
    )
    skills = course.get("skills") or []
    return render_template(
        "learner/course.html",
        course=course,
        new_skills=[s for s in skills if s.get("uri") not in held],
        known_skills=[s for s in skills if s.get("uri") in held],
        prereqs=present.lookup("/courses/{}", set(course.get("prerequisites") or [])),
        enrolment=enrolment,
    )
