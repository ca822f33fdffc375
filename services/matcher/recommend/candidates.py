"""Candidates for a vacancy: consenting learners who fit, and those a few courses away."""

from __future__ import annotations

from typing import Any

import numpy as np

from services.matcher.recommend.paths import course_entries, plan_cover
from services.matcher.recommend.ranking import (
    Blend,
    candidate_scores,
    learner_items,
    rank_rows,
    vacancy_row,
)
from services.matcher.recommend.state import Matcher


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
    vrow = vacancy_row(m, vacancy_id)
    li = m.learners
    n = li.n
    # Consent is part of the mask itself, so no later step can let a refusing learner through.
    mask = li.alive[:n] & li.column("consent")
    if region:
        mask &= np.isin(li.column("region"), [m.region_codes.get(r, -2) for r in region])
    coverage, missing_required, q = candidate_scores(m, vrow, mask)
    rows, cos = rank_rows(li, q, coverage, mask, limit, blend)
    candidates = learner_items(m, rows, cos, coverage, vrow, blend)
    trainable: list[dict[str, Any]] = []
    if k > 0:
        tmask = mask & (missing_required >= 1) & (missing_required <= k)
        trows, tcos = rank_rows(li, q, coverage, tmask, limit, blend)
        # Trainable learners of one vacancy mostly lack the same one or two skills: each
        # distinct (gap, completed courses) is solved once per request, not once per learner.
        plans: dict[tuple[frozenset[str], tuple[str, ...]], Any] = {}
        for item in learner_items(m, trows, tcos, coverage, vrow, blend):
            need = {s["key"] for s in item["missing_skills"] if s["essential"]}
            key = (frozenset(need), tuple(sorted(item["completed_courses"])))
            if key not in plans:
                plans[key] = plan_cover(m, need, item["completed_courses"])
            cover, options = plans[key]
            item.update(
                courses=course_entries(m, cover, options),
                hours=cover.hours,
                uncoverable_skills=[
                    s for s in item["missing_skills"] if s["key"] in cover.uncoverable
                ],
                gap_closable=not cover.uncoverable,
            )
            trainable.append(item)
    for item in (*candidates, *trainable):
        item.pop("completed_courses", None)
    return {
        "vacancy_id": vacancy_id,
        "weights": blend.describe(),
        "trainable_k": k,
        "considered": int(mask.sum()),
        "candidates": candidates,
        "trainable": trainable,
    }
