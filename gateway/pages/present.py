"""Shape the services' answers for templates, whatever list envelope a service uses."""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import quote

from services.common.errors import Problem

from ..i18n import LANGUAGES, message_ids, translate
from .web import api, current_lang

LOOKUP_LIMIT = 100


def items_of(data: Any, *keys: str) -> list[dict[str, Any]]:
    """Return the records of a list answer: a bare list, or {items|results|...: [...]}."""
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)]
    if isinstance(data, dict):
        for key in (*keys, "items", "results", "recommendations", "candidates", "jobs", "courses"):
            value = data.get(key)
            if isinstance(value, list):
                return [item for item in value if isinstance(item, dict)]
    return []


def lookup(template: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    """Fetch records by id through the API as the user (missing or refused ones are skipped)."""
    found: dict[str, dict[str, Any]] = {}
    for record_id in sorted(ids)[:LOOKUP_LIMIT]:
        answer = api("GET", template.format(quote(record_id, safe="")))
        data = answer.json()
        if answer.status == 200 and isinstance(data, dict):
            found[record_id] = data
    return found


def path_of(data: Any) -> dict[str, Any]:
    """Return a retraining path as {steps, total_hours, missing, uncovered, raw}."""
    body = data if isinstance(data, dict) else {}
    steps = items_of(body, "steps", "courses", "path")
    return {
        "steps": steps,
        "total_hours": body.get("total_hours"),
        "missing": body.get("missing_skills") or body.get("missing") or [],
        "uncovered": body.get("uncovered_skills") or body.get("uncovered") or [],
        "target": body.get("target") or {},
        "raw": body,
    }


# --- a service's refusal, in the page's language ----------------------------------------------
# Services answer in English for developers (problem+json); pages must say the same thing in
# the reader's language, naming the field. Known messages are matched by pattern; anything
# unknown becomes a generic line in the page's language (English pages keep the original).

_WRAPPERS = re.compile(r"^(?:Value error|Assertion failed), (?P<rest>.+)$", re.S)
_PROFILE_DETAIL = re.compile(r"^profile: (?P<rest>.+)$", re.S)

# (pattern, message key); named groups become the message's values.
FIELD_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S | re.I), key)
    for pattern, key in (
        (r"^Field required$", "problem.required"),
        (r"^String should have at least (?P<n>\d+) characters?$", "problem.min_length"),
        (r"^String should have at most (?P<n>\d+) characters?$", "problem.max_length"),
        (r"^List should have at least (?P<n>\d+) items?.*$", "problem.min_items"),
        (r"^List should have at most (?P<n>\d+) items?.*$", "problem.max_items"),
        (r"^Input should be greater than or equal to (?P<n>[-\d.]+)$", "problem.ge"),
        (r"^Input should be greater than (?P<n>[-\d.]+)$", "problem.gt"),
        (r"^Input should be less than or equal to (?P<n>[-\d.]+)$", "problem.le"),
        (r"^Input should be less than (?P<n>[-\d.]+)$", "problem.lt"),
        (r"^Input should be a valid integer.*$", "problem.integer"),
        (r"^Input should be a finite number$|^Input should be a valid number.*$",
         "problem.number"),
        (r"^Input should be a valid boolean.*$", "problem.boolean"),
        (r"^Input should be a valid (?:date|datetime).*$", "problem.date"),
        (r"^Input should be a valid string$", "problem.string"),
        (r"^Input should be a valid (?:list|array)$", "problem.list"),
        (r"^Input should be '[^']*'(?:(?:, | or )'[^']*')*$", "problem.choice"),
        (r"^String should match pattern .*$", "problem.pattern"),
        (r"^unknown field$", "problem.unknown_field"),
        (r"^a BIN has exactly 12 digits, got (?P<n>\d+) characters?$", "problem.bin_length"),
        (r"^a BIN has digits only$", "problem.bin_digits"),
        (r"^no valid BIN starts with these 11 digits$", "problem.bin_never"),
        (r"^check digit mismatch: the last digit should be (?P<digit>\d)$", "problem.bin_check"),
        (r"^already exists$", "problem.already_exists"),
        (r"^already registered.*$", "problem.email_taken_field"),
        (r"^already applied$", "problem.already_applied"),
        (r"^active enrolment .*$", "problem.already_enrolled"),
        (r"^salary_min \(\d+\) exceeds salary_max$|^salary_max \(\d+\) is below salary_min$",
         "problem.salary_order"),
        (r"^only allowed with to=hired$", "problem.salary_only_hire"),
        (r"^must not be after 'to'$|^`from` must not be after `to`$", "problem.from_after_to"),
        (r"^is in the future$", "problem.in_future"),
        (r"^is before enrolled_at$", "problem.before_enrolment"),
        (r"^all filled$", "problem.positions_filled"),
        (r"^vacancy is (?P<status>\w+)$", "problem.vacancy_closed"),
        (r"^(?:an email address has at most|not an email address|write the address in Latin"
         r"|the part before @|the part after @|the domain needs).*$", "problem.email_invalid"),
        (r"^value is not a valid email address.*$", "problem.email_invalid"),
        (r"^leave it out: the account's email is used$|^set from the account.*$",
         "problem.email_own"),
        (r"^give the profile id or a profile$", "problem.profile_needed"),
        (r"^only learner and employer accounts have profiles$", "problem.no_profile_for_role"),
        (r"^give an ESCO occupation uri or a title$", "problem.occupation_or_title"),
        (r"^each language (?:code )?may appear once$", "problem.language_once"),
        (r"^must be between -2\^63 and 2\^63-1$", "problem.out_of_range"),
        (r"^give the provider's name as its courses carry it$", "problem.provider_needed"),
        (r"^only for provider accounts$", "problem.only_provider_accounts"),
        (r"^the course is retired$", "problem.course_retired"),
    )
)  # fmt: skip

DETAIL_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S | re.I), key)
    for pattern, key in (
        (r"^the (?:body|query|data|profile) (?:is|was) not (?:valid|accepted)$",
         "problem.invalid"),
        (r"^the learner is already enrolled on this course$", "problem.already_enrolled"),
        (r"^this learner has already applied to this vacancy$", "problem.already_applied"),
        (r"^the vacancy is closed to applications$", "problem.vacancy_closed"),
        (r"^an employer with this BIN already exists$", "problem.bin_taken"),
        (r"^(?:an account|a learner) with this email already exists$", "problem.email_taken"),
        (r"^the salary range is not valid$", "problem.salary_order"),
        (r"^cannot move an application from (?P<frm>\w+) to (?P<to>\w+);.*$",
         "problem.illegal_move"),
        (r"^all (?P<n>\d+) positions are filled.*$", "problem.positions_filled"),
        (r"^the employer has (?P<n>\d+) open vacancies.*$", "problem.open_vacancies"),
        (r"^the vacancy has (?P<n>\d+) applications.*$", "problem.has_applications"),
        (r"^you cannot deactivate your own account$", "problem.self_deactivate"),
        (r"^the form has expired or did not come from this site.*$", "problem.csrf"),
        (r"^this needs the role .*$", "error.role"),
        (r"^the request body is larger than this service accepts$", "problem.too_large"),
        (r"^the matcher knows no .*$|^the matcher is \w+: indexes are being rebuilt$"
         r"|^the ESCO taxonomy is still being imported.*$", "problem.not_indexed"),
        (r"^no (?:\w+ )?with id .*$|^no such record$|^no account .*$|^no ESCO .*$"
         r"|^no public route .*$|^no such report$|^The requested URL was not found.*$",
         "problem.not_found"),
        (r"^.* did not answer.*$|^.* answered \d+$|^.*(?:timed out|unavailable).*$",
         "problem.unavailable"),
        (r"^sign in first.*$", "problem.unsigned"),
        (r"^the time range is reversed$", "problem.from_after_to"),
        (r"^a value is out of the range the store can keep$", "problem.out_of_range"),
        (r"^this course belongs to another provider$", "problem.not_your_course"),
        (r"^providers may only publish courses under their own name$", "problem.not_your_name"),
        (r"^only training providers may do this$", "problem.only_providers"),
        (r"^the course is retired and takes no new enrolments$", "problem.course_retired"),
        (r"^you may only read your own provider's records$", "problem.not_your_records"),
        (r"^providers (?:see|may only list) enrolments .*$", "problem.by_course_only"),
    )
)  # fmt: skip

# A field path's last name -> the message key of its label on forms.
FIELD_LABELS = {
    "bin": "field.bin",
    "name": "field.name",
    "email": "field.email",
    "password": "field.password",
    "sector": "field.sector",
    "region": "field.region",
    "programme": "field.programme",
    "cohort": "field.cohort",
    "cv_text": "field.cv_text",
    "consent": "field.consent",
    "title": "field.title",
    "description": "field.description",
    "requirements": "field.requirements",
    "salary_min": "field.salary_min",
    "salary_max": "field.salary_max",
    "salary": "field.salary",
    "employment_type": "field.employment_type",
    "remote": "field.remote",
    "skills": "field.skills",
    "label": "skills.skill",
    "uri": "skills.skill",
    "languages": "field.languages",
    "level": "field.level",
    "code": "field.languages",
    "positions": "field.positions",
    "schedule": "field.schedule",
    "experience": "field.experience",
    "desired_occupations": "field.desired_occupations",
    "course_id": "field.course",
    "vacancy_id": "field.vacancy",
    "learner_id": "field.learner",
    "employer_id": "field.employer",
    "cover_letter": "field.cover_letter",
    "status": "field.status",
    "role": "field.role",
    "provider": "field.provider",
    "note": "field.note",
    "grade": "field.grade",
    "hours": "field.hours",
    "price_kzt": "field.price_kzt",
    "certificate_price_kzt": "field.price_kzt",
    "url": "field.url",
    "subject": "field.subject",
    "institution": "field.institution",
    "state_funded": "field.state_funded",
    "external_id": "field.external_id",
    "retired": "field.retired",
    "enrolled_at": "field.enrolled_at",
    "completed_at": "field.completed_at",
    "profile": "field.profile",
    "body": "field.form",
}
# A name that means something else in a query (date range) than in a body (target status).
QUERY_LABELS = {"from": "field.from", "to": "field.to"}
BODY_LABELS = {
    "to": "field.target_status",
    "from": "field.from",
    "language": "field.teaching_language",
}


def _matched(
    text: str, table: tuple[tuple[re.Pattern[str], str], ...]
) -> tuple[str, dict[str, str]] | None:
    text = text.strip()
    wrapped = _WRAPPERS.match(text)
    if wrapped:
        text = wrapped.group("rest").strip()
    for pattern, key in table:
        found = pattern.match(text)
        if found:
            return key, {k: v for k, v in found.groupdict().items() if v is not None}
    return None


def _status_values(values: dict[str, str], lang: str) -> dict[str, str]:
    # Application statuses inside a message are names the reader knows from the page.
    return {
        k: translate(lang, f"status.{v}") if k in ("frm", "to", "status") else v
        for k, v in values.items()
    }


def field_label(field: str, lang: str) -> str:
    """Return the label of a problem's field path (``profile.bin``, ``query.from``) in ``lang``."""
    parts = [p for p in str(field).split(".") if p and not p.isdigit()]
    in_query = bool(parts) and parts[0] == "query"
    meaningful = [p for p in parts if p not in ("body", "query", "profile")]
    if not meaningful:  # the whole query or body: its filters, or the form
        return translate(lang, "ministry.filters" if in_query else "field.form")
    name = meaningful[-1]
    key = (QUERY_LABELS if in_query else BODY_LABELS).get(name) or FIELD_LABELS.get(name)
    if key is None:
        return name.replace("_", " ")
    return translate(lang, key)


def field_message(message: str, lang: str) -> str:
    """Return a field error's message in ``lang`` (English pages keep an unknown one)."""
    found = _matched(message, FIELD_MESSAGES) or _matched(message, DETAIL_MESSAGES)
    if found is None:
        return message if lang == "en" else translate(lang, "problem.check_value")
    key, values = found
    return translate(lang, key, **_status_values(values, lang))


@functools.lru_cache(maxsize=len(LANGUAGES))
def _interface_texts(lang: str) -> frozenset[str]:
    return frozenset(translate(lang, key) for key in message_ids())


def detail_message(detail: str, lang: str, status: int | None = None) -> str:
    """Return a problem's detail in ``lang``; an unknown one becomes a generic line."""
    if detail in _interface_texts(lang):  # a page's own message, already in the language
        return detail
    rest = _PROFILE_DETAIL.match(detail.strip())
    text = rest.group("rest") if rest else detail
    found = _matched(text, DETAIL_MESSAGES) or _matched(text, FIELD_MESSAGES)
    if found is not None:
        key, values = found
        return translate(lang, key, **_status_values(values, lang))
    if lang == "en" and text.strip():
        return text
    if status:
        return translate(lang, "problem.with_status", status=status)
    return translate(lang, "error.generic")


def problem_lines(problem: Problem, lang: str | None = None) -> list[str]:
    """Return a problem as lines in the page's language: what went wrong, then each field."""
    lang = lang or current_lang()
    head = detail_message(problem.detail, lang, problem.status)
    lines = []
    for error in problem.errors:
        if not isinstance(error, dict):
            continue
        message = field_message(str(error.get("message") or ""), lang)
        if message != head:  # the detail already said it
            lines.append(f"{field_label(str(error.get('field') or 'body'), lang)}: {message}")
    # "The body is not valid" says nothing the field lines do not say better.
    if lines and head == translate(lang, "problem.invalid"):
        return list(dict.fromkeys(lines))
    return list(dict.fromkeys([head, *lines]))


def problem_text(problem: Problem, lang: str | None = None) -> str:
    """Return a problem as one sentence in the page's language (for flash messages)."""
    return " ".join(problem_lines(problem, lang))
