"""Invitation pages: the learner's invitations (decline, apply), the employer's invite and list.

The employer's side lives on its vacancy page (``employer/vacancy.html``, which includes
``employer/_invite.html`` in each candidate card and ``employer/_invitations.html`` below); the
template globals here give those partials the vacancy's invitations and a refused invite's form.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from services.common.errors import Problem

from ..i18n import translate
from . import bp, present
from .employer import employer_vacancy
from .learner import learner_id
from .web import _, answer_problem, api, api_data, current_lang, page

MESSAGE_LIMIT = 1000  # the jobs service's limit on an invitation's note
STATUSES = ("invited", "declined", "applied")

# A refusal's English detail or field message -> the key saying it in the page's language.
INVITE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S | re.I), key)
    for pattern, key in (
        (r"^only a consenting candidate of the vacancy can be invited$", "invite.not_candidate"),
        (r"^is not on this vacancy's candidate list.*$", "invite.not_candidate"),
        (r"^this learner has already been invited to this vacancy$", "invite.already_invited"),
        (r"^already invited$", "invite.already_invited"),
        (r"^this learner has already applied to this vacancy$", "invite.already_applied"),
        (r"^already applied$", "invite.already_applied"),
        (r"^the vacancy is closed; only an open vacancy takes invitations$", "invite.closed"),
        (r"^vacancy is \w+$", "invite.closed"),
        (r"^String should have at most (?P<n>\d+) characters?$", "invite.too_long"),
        (r"^the invitation is (?P<status>\w+); only an open invitation.*$", "invite.answered"),
        (r"^is (?P<status>\w+), expected invited$", "invite.answered"),
    )
)  # fmt: skip
FIELD_LABELS = {
    "message": "invite.message",
    "learner_id": "field.candidate",
    "vacancy_id": "field.vacancy",
    "status": "field.status",
}


def _said(text: str, lang: str) -> str | None:
    for pattern, key in INVITE_MESSAGES:
        found = pattern.match(text.strip())
        if found:
            values = found.groupdict()
            if "status" in values:
                values["status"] = translate(lang, f"invite.status.{values['status']}")
            return translate(lang, key, **values)
    return None


def invite_problem_lines(problem: Problem) -> list[str]:
    """Return an invitation's refusal as lines in the page's language, naming each field."""
    lang = current_lang()
    head = _said(problem.detail, lang) or present.detail_message(
        problem.detail, lang, problem.status
    )
    lines = []
    for error in problem.errors:
        if not isinstance(error, dict):
            continue
        name = str(error.get("field") or "body").split(".")[-1]
        message = str(error.get("message") or "")
        said = _said(message, lang) or present.field_message(message, lang)
        if said == head:
            head = ""  # the field's line says it, and names the field
        label_key = FIELD_LABELS.get(name)
        label = translate(lang, label_key) if label_key else present.field_label(name, lang)
        lines.append(f"{label}: {said}")
    if head and head != translate(lang, "problem.invalid"):
        lines.insert(0, head)
    return list(dict.fromkeys(lines)) or [head or translate(lang, "error.generic")]


def _refusal(method: str, path: str, payload: Any = None) -> Problem | None:
    """Call the API; return why it refused (the gateway's own checks or the service), or None."""
    try:
        answer = api(method, path, payload=payload)
    except Problem as exc:  # the route's policy refused before forwarding (e.g. 422 learner_id)
        return exc
    return answer_problem(answer) if answer.status >= 300 else None


# --- the learner ------------------------------------------------------------------------------


@bp.get("/learner/invitations")
@page("learner")
def learner_invitations() -> str:
    """List the invitations employers sent this learner, newest first."""
    data = api_data("GET", "/invitations", query={"learner_id": learner_id(), "limit": 100})
    return render_template(
        "learner/invitations.html", invitations=present.items_of(data), statuses=STATUSES
    )


@bp.post("/learner/invitations/<invitation_id>/decline")
@page("learner")
def learner_decline_invitation(invitation_id: str) -> Response:
    """Decline an invitation; one already answered says so in the page's language."""
    problem = _refusal("POST", f"/invitations/{quote(invitation_id, safe='')}/decline")
    if problem is None:
        flash(_("invite.declined_done"), "ok")
    else:
        flash(" ".join(invite_problem_lines(problem)), "error")
    return redirect(url_for("pages.learner_invitations"))


# --- the employer -----------------------------------------------------------------------------


@bp.app_template_global()
def vacancy_invitations(vacancy_id: str) -> dict[str, Any]:
    """Return a vacancy's invitations for its page: the list, by learner, or why it is missing."""
    cache: dict[str, dict[str, Any]] = g.setdefault("vacancy_invitations", {})
    if vacancy_id not in cache:
        answer = api("GET", "/invitations", query={"vacancy_id": vacancy_id, "limit": 200})
        found: dict[str, Any] = {"invitations": [], "by_learner": {}, "error": None}
        if answer.status < 300:
            found["invitations"] = present.items_of(answer.json())
            found["by_learner"] = {str(i.get("learner_id")): i for i in found["invitations"]}
        else:
            found["error"] = present.problem_text(answer_problem(answer))
        cache[vacancy_id] = found
    return cache[vacancy_id]


@bp.app_template_global()
def invite_form() -> dict[str, Any]:
    """Return the invite form that was just refused (its learner, text and error lines)."""
    form: dict[str, Any] = g.get("invite_form") or {}
    return form


@bp.app_template_global()
def invite_limit() -> int:
    """Return the longest note an invitation takes."""
    return MESSAGE_LIMIT


@bp.post("/employer/vacancies/<vacancy_id>/invite")
@page("employer")
def employer_invite(vacancy_id: str) -> Any:
    """Invite a candidate to apply; a refusal shows the vacancy again with the note kept."""
    candidate = request.form.get("learner_id", "").strip()
    message = request.form.get("message", "").strip()
    payload: dict[str, Any] = {"vacancy_id": vacancy_id, "learner_id": candidate}
    if message:
        payload["message"] = message
    problem = _refusal("POST", "/invitations", payload)
    if problem is None:
        flash(_("invite.sent"), "ok")
        return redirect(url_for("pages.employer_vacancy", vacancy_id=vacancy_id) + "#invitations")
    lines = invite_problem_lines(problem)
    g.invite_form = {"learner_id": candidate, "message": message, "errors": lines}
    # At the top (the candidate may have left the list meanwhile) and in the candidate's card.
    flash(" ".join(lines), "error")
    return employer_vacancy(vacancy_id), problem.status
