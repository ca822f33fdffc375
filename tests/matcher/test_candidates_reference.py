"""The candidates path against a straightforward reference on a generated state, and the cover.

The reference recomputes everything per learner with plain Python (skill sets, one cosine per
row, one course plan per trainable learner through ``plan_cover``): the request path's shared
posting-list products, single read of the copies and one course pool per request must rank the
same learners with the same scores and plan the same courses.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from services.matcher.bench.scale_data import Corpus
from services.matcher.ml import setcover
from services.matcher.ml.setcover import Option
from services.matcher.recommend.candidates import candidates_for_vacancy
from services.matcher.recommend.paths import course_entries, plan_cover
from services.matcher.recommend.ranking import Blend, held_keys
from tests.matcher.conftest import needs_esco, scale_matcher

N = 2000


@pytest.fixture
def state(corpus: Corpus, tmp_path: Path) -> Iterator[Any]:
    # No graph: the exact path, so the reference's full scan must give the very same lists.
    yield from scale_matcher(corpus, tmp_path / "store", N, ann_threshold=10**9)


class Reference:
    """Every consenting learner scored one at a time, with no shared work."""

    def __init__(self, m: Any, vacancy_id: str) -> None:
        self.m = m
        blend = Blend.of(m)
        vi, li = m.vacancies, m.learners
        vrow = vi.row_of(vacancy_id)
        cols, weights, required = vi.skills.get(vrow)
        target = [
            (m.vocab.keys[c], float(w), bool(r > 0))
            for c, w, r in zip(cols.tolist(), weights.tolist(), required.tolist(), strict=True)
        ]
        total = sum(w for _, w, _ in target)
        q = vi.vecs[vrow]
        self.entries: dict[str, dict[str, Any]] = {}
        for row in range(li.n):
            if not (li.alive[row] and li.cols["consent"][row]):
                continue
            held = held_keys(m, li, row)
            coverage = sum(w for key, w, _ in target if key in held) / total if total else 0.0
            cos = float(li.vecs[row] @ q)
            self.entries[str(li.ids[row])] = {
                "learner_id": str(li.ids[row]),
                "total": blend.parts(cos, coverage)["total"],
                "missing": sorted(key for key, _, req in target if req and key not in held),
            }

    def top(self, k: int | None, limit: int = 10) -> list[float]:
        """Return the best totals, of every learner or of those missing 1..k required skills."""
        pool = [e for e in self.entries.values() if k is None or 1 <= len(e["missing"]) <= k]
        return sorted((e["total"] for e in pool), reverse=True)[:limit]

    def trainable(self, learner_id: str) -> dict[str, Any]:
        """Return a learner's entry with the plan ``plan_cover`` gives for its gap alone."""
        item = dict(self.entries[learner_id])
        cover, options = plan_cover(self.m, set(item["missing"]), [])
        item["courses"] = [c["course_id"] for c in course_entries(self.m, cover, options)]
        item["hours"] = cover.hours
        return item


def shown(item: dict[str, Any]) -> dict[str, Any]:
    """Return what the reference computes, read from a candidates response entry."""
    out = {
        "learner_id": item["learner_id"],
        "total": item["score"]["total"],
        "missing": sorted(s["key"] for s in item["missing_skills"] if s["essential"]),
    }
    if "courses" in item:
        out["courses"] = [c["course_id"] for c in item["courses"]]
        out["hours"] = item["hours"]
    return out


@needs_esco
def test_candidates_and_their_course_plans_equal_a_per_learner_reference(state: Any) -> None:
    vi = state.vacancies
    rows = np.flatnonzero(vi.alive[: vi.n] & vi.column("open") & (vi.column("n_required") > 1))
    rng = np.random.default_rng(5)
    planned = 0
    for vrow in rng.choice(rows, 12, replace=False).tolist():
        vid = str(vi.ids[vrow])
        ref = Reference(state, vid)
        # Generated vacancies require ~10 skills: wide gaps give trainable learners with plans.
        for k in (2, 8, 12):
            got = candidates_for_vacancy(state, vacancy_id=vid, trainable_k=k)
            cands = [shown(i) for i in got["candidates"]]
            train = [shown(i) for i in got["trainable"]]
            # Learners with equal totals may come in either order: the totals must be the
            # best ones, in order, and each learner's entry must be the reference's own.
            assert [c["total"] for c in cands] == ref.top(None), (vid, k)
            assert [t["total"] for t in train] == ref.top(k), (vid, k)
            assert cands == [ref.entries[c["learner_id"]] for c in cands]
            assert train == [ref.trainable(t["learner_id"]) for t in train]
            planned += sum(1 for t in train if t["courses"])
    assert planned > 20  # the comparison covered real course plans, not empty ones


def _catalogue(rng: random.Random, skills: int, courses: int) -> dict[str, Option]:
    names = [f"s{i}" for i in range(skills)]
    out: dict[str, Option] = {}
    for i in range(courses):
        pre = (f"c{rng.randrange(i)}",) if i > 2 and rng.random() < 0.3 else ()
        taught = frozenset(rng.sample(names, rng.randint(1, 3)))
        out[f"c{i}"] = Option(f"c{i}", float(rng.choice([4, 6, 8, 10, 12, 20])), taught, pre)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_enumerated_cover_is_as_cheap_as_the_integer_program(seed: int) -> None:
    rng = random.Random(seed)
    options = _catalogue(rng, skills=8, courses=rng.randint(4, 14))
    need = set(rng.sample([f"s{i}" for i in range(8)], rng.randint(1, 4)))
    done = {f"c{rng.randrange(len(options))}"} if rng.random() < 0.3 else set()
    coverable = need & setcover._skills([c for c in options if c not in done], options)
    if not coverable:
        return
    pool = sorted(
        {
            x
            for c in options
            if options[c].skills & coverable
            for x in setcover.closure(c, options, done)
        }
    )
    enumerated = setcover._enumerated(coverable, pool, options, done)
    milp = setcover._exact(coverable, pool, options, done)
    assert enumerated is not None and milp is not None
    assert coverable <= setcover._skills(enumerated, options)
    for cid in enumerated:  # every chosen course's prerequisites are chosen or done
        assert all(p in enumerated or p in done for p in options[cid].prerequisites)

    def cost(chosen: set[str]) -> float:
        return sum(options[c].hours + setcover.PER_COURSE for c in chosen)

    assert cost(enumerated) == pytest.approx(cost(milp), abs=1e-6)


def test_too_many_choices_fall_back_to_the_integer_program() -> None:
    options = {
        f"c{i}": Option(f"c{i}", 1.0 + i, frozenset({f"s{j}" for j in range(6)})) for i in range(9)
    }
    pool = sorted(options)
    # 9 teachers for each of 6 skills: 9**6 choices, past ENUMERATE_MAX.
    assert setcover._enumerated({f"s{j}" for j in range(6)}, pool, options, set()) is None
    cover = setcover.solve({f"s{j}" for j in range(6)}, options)
    assert (cover.selected, cover.method) == (["c0"], "exact")
