"""Learner pages: profile editing, skills (add, reject, undo) and the access log.

Jobs and the vacancy page are in learner_jobs.py; courses, goals and paths in learner_courses.py.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from services.common.errors import Problem
from services.common.reference import LANGUAGE_LEVELS, PROGRAMMES

from ..access_log_views import learner_entries
from ..i18n import LANGUAGES, translate_plural
from . import bp, present
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

ACCESS_PAGE = 50
ACCESS_PAGES = 1000
SEARCH_SHOWN = 8
LANGUAGE_ROWS = 3
REJECTED_SHOWN = 30


def learner_id() -> str:
    """Return the signed-in learner's profile id (409 if the account has none)."""
    found = me().learner_id
    if not found:
        raise Problem(_("error.no_profile"), status=409)
    return found


@bp.app_template_global("_n")
def plural(key: str, n: int, **values: Any) -> str:
    """Translate a message agreeing with the number ``n`` (CLDR plural rules)."""
    return translate_plural(current_lang(), key, int(n), **values)


def search_skills(q: str) -> list[dict[str, Any]]:
    """Find ESCO skills for a text in any language: label search, then the extractor."""
    found: dict[str, dict[str, Any]] = {}
    lang = current_lang()  # labels in the page's language where the vocabulary has one
    listed = api("GET", "/skills", query={"q": q, "limit": SEARCH_SHOWN, "lang": lang})
    if listed.status == 200:
        for item in present.items_of(listed.json()):
            found.setdefault(str(item.get("uri")), item)
    # Labels are English; the extractor also reads Russian and Kazakh words.
    extracted = api("POST", "/skills/extract", payload={"text": q, "lang": lang, "top_k": 8})
    if extracted.status == 200:
        for item in present.items_of(extracted.json()):
            found.setdefault(str(item.get("uri")), item)
    return [s for uri, s in found.items() if uri and uri != "None"][:SEARCH_SHOWN]


def _rejected(learner: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for uri in (learner.get("rejected_skills") or [])[:REJECTED_SHOWN]:
        answer = api("GET", f"/skills/{uri}", query={"lang": current_lang()})
        data = answer.json() if answer.status == 200 else None
        label = data.get("label") if isinstance(data, dict) else None
        out.append({"uri": uri, "label": str(label or uri)})
    return out


def form_of(learner: dict[str, Any]) -> MultiDict[str, str]:
    """Return the profile form filled from the stored profile."""
    form: MultiDict[str, str] = MultiDict(
        {
            "region": learner.get("region") or "",
            "programme": learner.get("programme") or "other",
            "cv_text": learner.get("cv_text") or "",
        }
    )
    if learner.get("consent"):
        form["consent"] = "on"
    for i, entry in enumerate((learner.get("languages") or [])[:LANGUAGE_ROWS]):
        form[f"lang_code_{i}"] = str(entry.get("code") or "")
        form[f"lang_level_{i}"] = str(entry.get("level") or "")
    return form


def render_profile(form: MultiDict[str, str] | None = None, errors: list[str] | None = None) -> str:
    """Render the profile page; a posted form is shown back as it was typed."""
    learner = api_data("GET", f"/learners/{learner_id()}")
    q = request.args.get("skill_q", "").strip()[:200]
    held = {s.get("uri") for s in learner.get("skills") or []}
    return render_template(
        "learner/profile.html",
        learner=learner,
        form=form if form is not None else form_of(learner),
        errors=errors or [],
        regions=region_choices(),
        programmes=PROGRAMMES,
        languages=LANGUAGES,
        levels=LANGUAGE_LEVELS,
        language_rows=range(LANGUAGE_ROWS),
        skill_q=q,
        found=search_skills(q) if q else [],
        held=held,
        rejected=_rejected(learner),
    )


@bp.get("/learner")
@page("learner")
def learner_profile() -> str:
    """Show the learner's profile, skills with their evidence, and the profile form."""
    return render_profile()


def _changes(form: MultiDict[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {"consent": form.get("consent") == "on"}
    for name in ("region", "programme"):
        if form.get(name):
            changes[name] = form[name]
    if "cv_text" in form:
        changes["cv_text"] = form["cv_text"].strip() or None
    if any(k.startswith("lang_code_") for k in form):
        languages = []
        for i in range(LANGUAGE_ROWS):
            code, level = form.get(f"lang_code_{i}", ""), form.get(f"lang_level_{i}", "")
            if code:
                languages.append({"code": code, "level": level or "B1"})
        changes["languages"] = languages
    return changes


@bp.post("/learner/profile")
@page("learner")
def learner_update() -> Any:
    """Save region, programme, languages, CV text and consent; on refusal show the form again."""
    form = request.form
    answer = api("PATCH", f"/learners/{learner_id()}", payload=_changes(form))
    if answer.status >= 400:
        errors = [_("profile.not_saved"), *problem_messages(answer_problem(answer))]
        return render_profile(MultiDict(form.items(multi=True)), errors), answer.status
    flash(_("profile.saved"), "ok")
    return redirect(url_for("pages.learner_profile"))


@keeps_form("pages.learner_update")
def _profile_again(form: MultiDict[str, str], errors: list[str]) -> str:
    return render_profile(form, errors)


@bp.post("/learner/skills/reject")
@page("learner")
def learner_reject_skill() -> Response:
    """Reject a skill: it leaves the profile and is never extracted again."""
    uri = request.form.get("uri", "")
    answer = api("POST", f"/learners/{learner_id()}/skills/{uri}/reject")
    flash_answer(answer, _("skills.rejected", label=request.form.get("label", uri)))
    return redirect(url_for("pages.learner_profile"))


@bp.post("/learner/skills/add")
@page("learner")
def learner_add_skill() -> Response:
    """Declare a skill found by search, or undo a rejection (declaring lifts it)."""
    uri, label = request.form.get("uri", ""), request.form.get("label", "").strip()
    payload: dict[str, Any] = {"uri": uri or None, "label": label or uri}
    answer = api("POST", f"/learners/{learner_id()}/skills", payload=payload)
    done = "skills.restored" if request.form.get("undo") else "skills.added"
    flash_answer(answer, _(done, label=label or uri))
    return redirect(url_for("pages.learner_profile"))


@bp.get("/learner/access-log")
@page("learner")
def learner_access_log() -> str:
    """Show who was shown the learner's data: when, what, which fields and why."""
    number = request.args.get("page", "1")
    ok = number.isdigit() and len(number) <= 4 and 0 < int(number) <= ACCESS_PAGES
    current = int(number) if ok else 1
    data = learner_entries(learner_id(), limit=ACCESS_PAGE, offset=(current - 1) * ACCESS_PAGE)
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


from . import learner_courses, learner_jobs  # noqa: E402,F401  (their views register on bp)
