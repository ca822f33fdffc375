"""Candidates for a vacancy: consenting learners who fit, and those a few courses away."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from services.matcher.ml.index import top_k
from services.matcher.ml.setcover import Cover, solve
from services.matcher.recommend.paths import course_docs, course_entries, course_options
from services.matcher.recommend.provisional import (
    FROM_RECORD,
    marker,
    owner_record,
    skill_keys,
    untagged_basis,
)
from services.matcher.recommend.ranking import (
    Blend,
    held_keys,
    learner_items,
    rank_rows,
    region_mask,
    skill_entry,
    vacancy_row,
)
from services.matcher.recommend.rows import required_flags
from services.matcher.recommend.state import Matcher, NotIndexedYet
from services.matcher.sync.entities import vacancy_fields
from services.matcher.sync.models import LearnerCopy


def candidates_for_vacancy(
    m: Matcher,
    *,
    vacancy_id: str,
    trainable_k: int | None = None,
    region: list[str] | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Return the best consenting learners, and those missing 1..k required skills with courses."""
    blend = Blend.of(m)
    k = m.settings.trainable_k if trainable_k is None else trainable_k
    try:
        vrow = vacancy_row(m, vacancy_id)
    except NotIndexedYet as exc:
        return _provisional(m, exc, k, region, limit)
    li = m.learners
    n = li.n
    # Consent is part of the mask itself, so no later step can let a refusing learner through.
    mask = li.alive[:n] & li.cols["consent"][:n]
    if region:
        mask &= region_mask(m, li.cols["region"][:n], region)
    coverage, held, q = _coverage(m, vrow, mask)
    rows, cos = rank_rows(li, q, coverage, mask, limit, blend, held=held)
    trows, tcos = rows[:0], cos[:0]
    if k > 0:
        tmask, theld = _trainable(m, vrow, mask, held, k)
        trows, tcos = rank_rows(li, q, coverage, tmask, limit, blend, held=theld)
    # Both lists are explained from one read of the learners' copies.
    items = learner_items(
        m, np.concatenate([rows, trows]), np.concatenate([cos, tcos]), coverage, vrow, blend
    )
    candidates, trainable = items[: len(rows)], items[len(rows) :]
    if trainable:
        _plan_trainable(m, trainable)
    for item in (*candidates, *trainable):
        item.pop("completed_courses", None)
    return {
        "vacancy_id": vacancy_id,
        "weights": blend.describe(),
        "trainable_k": k,
        "considered": int(mask.sum()),
        "candidates": candidates,
        "trainable": trainable,
        **marker(m, untagged_basis(m, "vacancies", vacancy_id)),
    }


def _coverage(m: Matcher, vrow: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (coverage of every learner, the rows passing ``mask`` with some, the query).

    The same coverage as ``candidate_scores`` (divided in place, no copy), and the held rows
    found once for both lists.
    """
    vi, li = m.vacancies, m.learners
    cols, weights, _ = vi.skills.get(vrow)
    wvec = np.zeros(len(m.vocab) + 1, np.float32)
    wvec[cols] = weights
    n = len(mask)  # rows a feed adds during the request are left out
    total = float(weights.sum())
    coverage = li.skills.product(wvec, n)
    if total > 0:
        np.divide(coverage, np.float32(total), out=coverage)
    else:
        coverage[:] = 0
    held = np.flatnonzero((coverage != 0) & mask)
    return coverage, held, vi.vecs[vrow].copy()


def _trainable(
    m: Matcher, vrow: int, mask: np.ndarray, held: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (mask, those rows ascending or None) of learners missing 1..k required skills.

    When the vacancy requires more than ``k`` skills, each such learner holds one of them and
    so has coverage: only the ``held`` rows are looked at (else every row is).
    """
    vi, li = m.vacancies, m.learners
    cols, weights, required = vi.skills.get(vrow)
    rvec = np.zeros(len(m.vocab) + 1, np.float32)
    rvec[cols] = required
    need = float(required.sum())
    got = li.skills.product(rvec, len(mask))
    if need - k >= 1 and bool((weights[required > 0] > 0).all()):
        missing = np.rint(need - got[held])
        rows = held[(missing >= 1) & (missing <= k)]
        tmask = np.zeros(len(mask), bool)
        tmask[rows] = True
        return tmask, rows
    missing_all = np.rint(need - got)
    return mask & (missing_all >= 1) & (missing_all <= k), None


def _plan_trainable(m: Matcher, trainable: list[dict[str, Any]]) -> None:
    """Add to each trainable learner the cheapest courses closing their essential gap.

    Trainable learners of one vacancy mostly lack the same one or two skills: each distinct
    (gap, completed courses) is solved once per request, not once per learner. The course
    options are gathered once for every gap together: a gap's cover only looks at courses
    teaching its skills and their prerequisite chains, which the union holds unchanged, so
    each cover is the one ``plan_cover`` gives for that gap alone.
    """
    needs = [
        frozenset(s["key"] for s in it["missing_skills"] if s["essential"]) for it in trainable
    ]
    options = course_options(m, set().union(*needs))
    plans: dict[tuple[frozenset[str], tuple[str, ...]], Cover] = {}
    keys = []
    for item, need in zip(trainable, needs, strict=True):
        key = (need, tuple(sorted(item["completed_courses"])))
        if key not in plans:
            plans[key] = solve(
                set(need), options, item["completed_courses"], exact_max=m.settings.exact_cover_max
            )
        keys.append(key)
    docs = course_docs({cid for cover in plans.values() for cid in cover.selected})
    entries = {key: course_entries(m, cover, options, docs) for key, cover in plans.items()}
    for item, key in zip(trainable, keys, strict=True):
        cover = plans[key]
        item.update(
            # Each learner gets its own copies: a client editing one entry changes no other.
            courses=copy.deepcopy(entries[key]),
            hours=cover.hours,
            uncoverable_skills=[s for s in item["missing_skills"] if s["key"] in cover.uncoverable],
            gap_closable=not cover.uncoverable,
        )


def _provisional(
    m: Matcher, exc: NotIndexedYet, k: int, region: list[str] | None, limit: int
) -> dict[str, Any]:
    """Rank consenting learners by the vacancy's declared skills, read from the jobs service."""
    blend = Blend.of(m)
    blend = Blend(0.0, blend.essential_weight, blend.floor)  # no vector: coverage alone
    skills = vacancy_fields(owner_record(m, exc))["declared_skills"]
    keys = skill_keys(skills)
    essential = dict(zip(keys, required_flags(skills), strict=False))
    li = m.learners
    n = li.n
    mask = li.alive[:n] & li.cols["consent"][:n]
    if region:
        mask &= region_mask(m, li.cols["region"][:n], region)
    weight = {key: blend.essential_weight if essential[key] else 1.0 for key in keys}
    total = sum(weight.values())
    held_w = li.skills.product(m.vocab.vector(weight), n)
    coverage = held_w / total if total > 0 else np.zeros(n, np.float32)
    rows, _ = top_k(np.where(mask & (coverage > 0), coverage, -np.inf), limit)
    ids = [str(li.ids[r]) for r in rows.tolist()]
    docs = {d.id: d for d in LearnerCopy.objects(id__in=ids).only("region", "programme")}
    candidates = []
    for row, lid in zip(rows.tolist(), ids, strict=True):
        doc = docs.get(lid)
        held = held_keys(m, li, row)
        matched = [skill_entry(m, key, essential[key]) for key in keys if key in held]
        missing = [skill_entry(m, key, essential[key]) for key in keys if key not in held]
        candidates.append(
            {
                "learner_id": lid,
                "region": doc.region if doc else None,
                "programme": doc.programme if doc else None,
                "score": blend.parts(0.0, float(coverage[row])),
                "matched_skills": sorted(matched, key=lambda s: not s["essential"]),
                "missing_skills": sorted(missing, key=lambda s: not s["essential"]),
                "missing_essential": sum(1 for s in missing if s["essential"]),
            }
        )
    basis = FROM_RECORD.format(owner="vacancy", text="description")
    return {
        "vacancy_id": exc.item_id,
        "weights": blend.describe(),
        "trainable_k": k,
        "considered": int(mask.sum()),
        "candidates": candidates,
        "trainable": [],
        **marker(m, basis + "; trainable learners once it is indexed", exc.progress),
    }
