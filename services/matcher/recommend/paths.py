"""Retraining: what a learner lacks for a target, which courses close it, and what opens up.

Reach (the "what if"): a vacancy is within a learner's reach when the learner holds at least
``reach_threshold`` (0.8 by default) of its required skills, the required skills being those the
employer marked essential, or all of its skills when none is marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from services.matcher.ml.index import top_k
from services.matcher.ml.setcover import Cover, Option, solve
from services.matcher.recommend.provisional import marker
from services.matcher.recommend.ranking import (
    Blend,
    held_keys,
    skill_entry,
)
from services.matcher.recommend.reading import learner_reading
from services.matcher.recommend.state import Matcher
from services.matcher.recommend.targets import learner_skills, resolve_target
from services.matcher.sync.models import CourseCopy, LearnerCopy, VacancyCopy

REACH_EXAMPLES = 3


def course_options(
    m: Matcher, need: set[str], allowed: np.ndarray | None = None
) -> dict[str, Option]:
    """Return the active courses teaching any needed skill, with their prerequisite chains.

    ``allowed`` masks the course rows that may be offered (the learner's languages); a course
    whose prerequisite chain holds a course not allowed is left out with it.
    """
    ci = m.courses
    n = ci.n
    if n == 0 or not need:
        return {}
    teaches = ci.skills.product(m.held_vector(need), n) > 0
    ok = ci.alive[:n] & ci.cols["active"][:n]
    if allowed is not None:
        ok = ok & allowed[:n]
    rows = np.flatnonzero(teaches & ok).tolist()
    wanted = [str(ci.ids[r]) for r in rows]
    options: dict[str, Option] = {}
    barred: set[str] = set()
    stack = list(wanted)
    while stack:
        cid = stack.pop()
        row = ci.row_of(cid)
        if cid in options or cid in barred or row is None:
            continue
        if allowed is not None and not allowed[row]:
            barred.add(cid)
            continue
        hours = float(ci.cols["hours"][row])
        options[cid] = Option(
            id=cid,
            hours=m.settings.default_course_hours if np.isnan(hours) else hours,
            skills=frozenset(held_keys(m, ci, row)),
            prerequisites=m.course_prereqs.get(cid, ()),
        )
        stack.extend(options[cid].prerequisites)
    # Drop every course that needs a barred one, until none is left that does.
    while barred:
        dependants = {c for c, o in options.items() if barred.intersection(o.prerequisites)}
        for c in dependants:
            del options[c]
        barred = dependants
    return options


def plan_cover(
    m: Matcher, need: set[str], done: list[str], allowed: np.ndarray | None = None
) -> tuple[Cover, dict[str, Option]]:
    """Return the cheapest course cover of ``need`` for a learner who completed ``done``."""
    options = course_options(m, need, allowed)
    return solve(need, options, done, exact_max=m.settings.exact_cover_max), options


def course_entries(
    m: Matcher, cover: Cover, options: dict[str, Option], docs: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Return the chosen courses in order, with titles and the needed skills each teaches.

    ``docs`` (course id -> copy) lets a caller with many covers read the copies once.
    """
    if docs is None:
        docs = course_docs(cover.selected)
    out = []
    for cid in cover.selected:
        doc = docs.get(cid)
        opt = options[cid]
        out.append(
            {
                "course_id": cid,
                "title": doc.title if doc else "",
                "provider": doc.provider if doc else None,
                "language": doc.language if doc else None,
                "language_detected": bool(doc.language_detected) if doc else False,
                "hours": opt.hours,
                "hours_estimated": doc is None or doc.hours is None,
                "covers": [skill_entry(m, k, True) for k in sorted(opt.skills & cover.covered)],
            }
        )
    return out


def course_docs(ids: Iterable[str]) -> dict[str, Any]:
    """Return the course copies of ``ids`` by id (one read)."""
    return {d.id: d for d in CourseCopy.objects(id__in=list(ids))}


def _teaching(m: Matcher, keys: set[str]) -> np.ndarray:
    """Return which live, active course rows teach any of ``keys``."""
    ci = m.courses
    n = ci.n
    if n == 0 or not keys:
        return np.zeros(n, bool)
    return (ci.skills.product(m.held_vector(keys), n) > 0) & ci.alive[:n] & ci.cols["active"][:n]


def _excluded(m: Matcher, need: set[str], allowed: np.ndarray) -> int:
    """Return how many courses teaching a needed skill the language rule left out."""
    return int(_outside(_teaching(m, need), allowed).sum())


def _taught_elsewhere(m: Matcher, keys: set[str], allowed: np.ndarray) -> set[str]:
    """Return the skills of ``keys`` that only courses in other languages teach."""
    return {k for k in keys if _outside(_teaching(m, {k}), allowed).any()}


def _outside(teaching: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Return the teaching rows the language rule left out (rows added meanwhile are not)."""
    k = min(len(teaching), len(allowed))
    return teaching[:k] & ~allowed[:k]


def _done(learner_id: str) -> list[str]:
    doc = LearnerCopy.objects(id=learner_id).only("completed_courses").first()
    return list(doc.completed_courses) if doc else []


class Reach:
    """Counts open vacancies within reach of a skill set (the "what if")."""

    def __init__(self, m: Matcher) -> None:
        self.m = m
        vi = m.vacancies
        self.n = vi.n
        self.required = vi.cols["n_required"][: self.n].copy()
        self.open = vi.alive[: self.n] & vi.cols["open"][: self.n] & (self.required > 0)
        self.threshold = m.settings.reach_threshold

    def mask(self, held: set[str]) -> np.ndarray:
        """Return which open vacancies are within reach of ``held``."""
        got = self.m.vacancies.skills.product(self.m.held_vector(held), self.n, essential_only=True)
        share = np.divide(got, self.required, out=np.zeros(self.n, np.float32), where=self.open)
        return self.open & (share >= self.threshold - 1e-6)

    def describe(self) -> str:
        """Return the definition clients see."""
        return (
            f"an open vacancy is within reach when at least {self.threshold:.0%} of its required "
            "skills are held (required = marked essential, or all skills when none is marked)"
        )


def retraining_path(
    m: Matcher,
    *,
    learner_id: str,
    vacancy_id: str | None,
    occupation_uri: str | None,
    include_optional: bool = False,
    any_language: bool = False,
) -> dict[str, Any]:
    """Return the missing skills, the cheapest ordered courses and what each step opens up."""
    held, basis, progress = learner_skills(m, learner_id)
    target = resolve_target(m, vacancy_id=vacancy_id, occupation_uri=occupation_uri)
    missing = [(k, req) for k, req in target.skills if k not in held]
    missing.sort(key=lambda kr: not kr[1])
    need = {k for k, req in missing if req or include_optional}
    reading = learner_reading(m, learner_id, any_language=any_language)
    allowed = reading.allowed(m)
    cover, options = plan_cover(m, need, _done(learner_id), allowed)
    reach = Reach(m)
    before = reach.mask(held)
    vi = m.vacancies
    steps = []
    have = set(held)
    prev = before
    entries = course_entries(m, cover, options)
    course_titles = {e["course_id"]: e["title"] or e["course_id"] for e in entries}
    for i, entry in enumerate(entries, start=1):
        opt = options[entry["course_id"]]
        needed_by = [c for c in cover.selected if entry["course_id"] in options[c].prerequisites]
        entry["covers"] = [skill_entry(m, k, True) for k in sorted((opt.skills & need) - have)]
        have |= opt.skills
        now = reach.mask(have)
        newly = now & ~prev
        ids = [str(vi.ids[r]) for r in np.flatnonzero(newly)[:REACH_EXAMPLES].tolist()]
        titles = {d.id: d.title for d in VacancyCopy.objects(id__in=ids)}
        labels = [c["label"] for c in entry["covers"]]
        entry.update(
            step=i,
            prerequisites=[p for p in opt.prerequisites if p in options and p in cover.selected],
            reachable_vacancies=int(now.sum()),
            newly_reachable=int(newly.sum()),
            examples=[{"vacancy_id": v, "title": titles.get(v, "")} for v in ids],
            why={
                "teaches_missing": entry["covers"],
                "is_prerequisite_of": needed_by,
                "language": entry["language"],
                "language_detected": entry["language_detected"],
                "learner_reads_it": reading.reads(entry["language"]),
            },
            reason=reading.reason(
                entry["language"],
                entry["language_detected"],
                labels,
                before=[course_titles[c] for c in needed_by],
            ),
        )
        steps.append(entry)
        prev = now
    return {
        "learner_id": learner_id,
        "target": {"kind": target.kind, "id": target.id, "label": target.label},
        **marker(m, basis or target.basis, progress or target.progress),
        "missing_skills": [skill_entry(m, k, req) for k, req in missing],
        "to_cover": len(need),
        "uncoverable_skills": [
            skill_entry(m, k, dict(missing).get(k, True)) for k in sorted(cover.uncoverable)
        ],
        "taught_only_in_other_languages": [
            skill_entry(m, k, dict(missing).get(k, True))
            for k in sorted(_taught_elsewhere(m, cover.uncoverable, allowed))
        ],
        "languages": reading.describe(_excluded(m, need, allowed)),
        "steps": steps,
        "total_hours": cover.hours,
        "method": cover.method,
        "prerequisite_cycle": cover.cycle,
        "reach": {
            "definition": reach.describe(),
            "threshold": reach.threshold,
            "before": int(before.sum()),
            "after": int(prev.sum()),
        },
    }


def courses_for_learner(
    m: Matcher,
    *,
    learner_id: str,
    vacancy_id: str | None,
    occupation_uri: str | None,
    limit: int = 10,
    any_language: bool = False,
) -> dict[str, Any]:
    """Return courses that teach what the learner lacks for a target, each explained."""
    blend = Blend.of(m)
    held, basis, progress = learner_skills(m, learner_id)
    target = resolve_target(m, vacancy_id=vacancy_id, occupation_uri=occupation_uri)
    missing = [(k, req) for k, req in target.skills if k not in held]
    missing.sort(key=lambda kr: not kr[1])
    weights = {k: (blend.essential_weight if req else 1.0) for k, req in missing}
    ci = m.courses
    n = ci.n
    reading = learner_reading(m, learner_id, any_language=any_language)
    allowed = reading.allowed(m)
    excluded = 0
    items: list[dict[str, Any]] = []
    if n and weights:
        gain = ci.skills.product(m.vocab.vector(weights), n)
        coverage = gain / float(sum(weights.values()))
        done = set(_done(learner_id))
        mask = ci.alive[:n] & ci.cols["active"][:n] & (gain > 0)
        excluded = int((mask & ~allowed[:n]).sum())
        mask &= allowed[:n]
        for cid in done:
            row = ci.row_of(cid)
            if row is not None:
                mask[row] = False
        # A course indexed since n was read is left out: every array has the same n rows.
        cos = ci.sims_all(target.vector)[:n]
        rows, _ = top_k(np.where(mask, blend.total(cos, coverage), -np.inf), limit)
        ids = [str(ci.ids[r]) for r in rows.tolist()]
        docs = {d.id: d for d in CourseCopy.objects(id__in=ids)}
        for row, cid in zip(rows.tolist(), ids, strict=True):
            teaches = held_keys(m, ci, row)
            doc = docs.get(cid)
            hours = float(ci.cols["hours"][row])
            language = doc.language if doc else None
            detected = bool(doc.language_detected) if doc else False
            matched = [skill_entry(m, k, r) for k, r in missing if k in teaches]
            items.append(
                {
                    "course_id": cid,
                    "title": doc.title if doc else "",
                    "provider": doc.provider if doc else None,
                    "language": language,
                    "language_detected": detected,
                    "learner_reads_it": reading.reads(language),
                    "reason": reading.reason(language, detected, [s["label"] for s in matched]),
                    "hours": None if np.isnan(hours) else hours,
                    "prerequisites": list(m.course_prereqs.get(cid, ())),
                    "score": blend.parts(float(cos[row]), float(coverage[row])),
                    "matched_skills": matched,
                    "missing_skills": [
                        skill_entry(m, k, r) for k, r in missing if k not in teaches
                    ],
                }
            )
    return {
        "learner_id": learner_id,
        "target": {"kind": target.kind, "id": target.id, "label": target.label},
        **marker(m, basis or target.basis, progress or target.progress),
        "weights": blend.describe(),
        "missing_skills": [skill_entry(m, k, req) for k, req in missing],
        "languages": reading.describe(excluded),
        "items": items,
    }
