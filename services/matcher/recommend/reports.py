"""The ministry's matcher reports: skills demand vs supply, and fairness of recommendations.

Skills gap: for the open vacancies (of a region, or all), the skills they ask for, counted once
per vacancy (``vacancies``), the share of those where the skill is essential, how many learners
(of that region) hold it (``learners``, suppressed below 5 as everywhere), the gap (vacancies
asking minus learners holding; not published when the learner count is hidden, as it would give
the count away), and the courses that teach it. A skill is its ESCO URI, else its normalised
label, exactly as the matcher ranks.

Fairness: for a deterministic sample of learners (``random.Random(seed)`` over the sorted ids),
each learner's top-10 job recommendations are computed as the learner would see them; per
learner: the mean score of the top 10 (0 when none), the number scoring at or above the reach
threshold, and the position-discounted exposure sum(score_i / log2(i + 2)). These are averaged
by region, by area (cities of republican significance vs oblasts: the closest urban/rural
split the profile data allows) and by preferred language (the first language on the profile).
The disparity ratio of a metric is min group mean / max group mean over the groups of at least
5 learners (smaller groups are shown as "<5" without means). 1.0 means parity.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from services.common.reference import REGION_BY_SLUG
from services.common.reporting import RULE, THRESHOLD, count_cell
from services.matcher.ml.coverage import skill_key
from services.matcher.recommend.ranking import held_keys, jobs_for_learner
from services.matcher.recommend.rows import OPEN_STATUSES
from services.matcher.recommend.state import Matcher
from services.matcher.sync.models import CourseCopy, LearnerCopy, VacancyCopy

METRICS = ("mean_top10_score", "above_threshold", "exposure")
TOP = 10


def _keys(skills: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for skill in skills or []:
        key = skill_key(skill)
        if key is not None:
            out.setdefault(key, skill)
    return out


def _learner_keys(m: Matcher, doc: LearnerCopy) -> set[str]:
    row = m.learners.row_of(str(doc.id))
    if row is not None:
        return held_keys(m, m.learners, row)
    rejected = set(doc.rejected_skills or [])
    keys = _keys([*(doc.skills or []), *(doc.tags or [])])
    return {k for k in keys if k not in rejected}


def skills_gap(m: Matcher, *, region: str | None, top: int) -> dict[str, Any]:
    """Return the most demanded skills of open vacancies against the learners who hold them."""
    demand: Counter[str] = Counter()
    essential: Counter[str] = Counter()
    labels: dict[str, str] = {}
    vacancies = 0
    for doc in VacancyCopy.objects(status__in=list(OPEN_STATUSES)).only("region", "skills"):
        if region and doc.region != region:
            continue
        vacancies += 1
        for key, skill in _keys(doc.skills).items():
            demand[key] += 1
            essential[key] += 1 if skill.get("essential", True) else 0
            labels.setdefault(key, str(skill.get("label") or key))
    supply: Counter[str] = Counter()
    learners = 0
    for doc in LearnerCopy.objects.only("region", "skills", "tags", "rejected_skills"):
        if region and doc.region != region:
            continue
        learners += 1
        supply.update(_learner_keys(m, doc))
    chosen = [key for key, _ in sorted(demand.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    teaching: dict[str, list[dict[str, Any]]] = defaultdict(list)
    wanted = set(chosen)
    for course in CourseCopy.objects(active=True).only("title", "provider", "hours", "skills"):
        for key in _keys(course.skills):
            if key in wanted:
                teaching[key].append(
                    {
                        "course_id": str(course.id),
                        "title": course.title,
                        "provider": course.provider,
                        "hours": course.hours,
                    }
                )
    rows = []
    for key in chosen:
        held = count_cell(supply[key])
        courses = sorted(teaching[key], key=lambda c: (c["hours"] or math.inf, c["title"]))
        rows.append(
            {
                "skill": key if not key.startswith("label:") else None,
                "label": _label(m, key, labels),
                "vacancies": demand[key],
                "share_essential": round(essential[key] / demand[key], 4),
                "learners": held,
                "gap": demand[key] - held if isinstance(held, int) else None,
                "courses_count": len(courses),
                "courses": courses[:5],
            }
        )
    return {
        "region": region,
        "open_vacancies": vacancies,
        "learners": count_cell(learners),
        "suppression": RULE,
        "skills": rows,
    }


def _label(m: Matcher, key: str, fallback: dict[str, str]) -> str:
    try:
        return m.label_of(key)
    except Exception:  # the taxonomy may not be imported: the vacancy's own label will do
        return fallback.get(key, key)


def learner_metrics(scores: list[float], threshold: float) -> dict[str, float]:
    """Return one learner's exposure metrics from their ranked recommendation scores."""
    top = scores[:TOP]
    return {
        "mean_top10_score": statistics.fmean(top) if top else 0.0,
        "above_threshold": float(sum(1 for s in top if s >= threshold)),
        "exposure": sum(s / math.log2(i + 2) for i, s in enumerate(top)),
    }


def area_of(region: str | None) -> str:
    """Return "urban" for cities of republican significance, "oblast" for oblasts."""
    info = REGION_BY_SLUG.get(region or "")
    if info is None:
        return "unknown"
    return "urban" if info.kind == "city" else "oblast"


def _groups(values: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    groups = []
    for name in sorted(values):
        members = values[name]
        row: dict[str, Any] = {"group": name, "learners": count_cell(len(members))}
        for metric in METRICS:
            row[metric] = (
                round(statistics.fmean(x[metric] for x in members), 4)
                if len(members) >= THRESHOLD
                else None
            )
        groups.append(row)
    disparity = {}
    for metric in METRICS:
        means = [g[metric] for g in groups if g[metric] is not None]
        top = max(means) if means else None
        disparity[metric] = round(min(means) / top, 4) if means and top and len(means) > 1 else None
    return {"groups": groups, "disparity_ratio": disparity}


def fairness(m: Matcher, *, sample: int, seed: int, threshold: float) -> dict[str, Any]:
    """Return recommendation exposure by region, area and preferred language, with disparities."""
    index = m.learners
    ids = sorted(str(index.ids[row]) for row in range(index.n) if index.alive[row])
    chosen = random.Random(seed).sample(ids, min(sample, len(ids)))
    docs = {str(d.id): d for d in LearnerCopy.objects(id__in=chosen).only("region", "languages")}
    by_region: dict[str, list[dict[str, float]]] = defaultdict(list)
    by_area: dict[str, list[dict[str, float]]] = defaultdict(list)
    by_language: dict[str, list[dict[str, float]]] = defaultdict(list)
    everyone = []
    for learner_id in chosen:
        result = jobs_for_learner(m, learner_id=learner_id, limit=TOP)
        scores = [float(item["score"]["total"]) for item in result["items"]]
        metrics = learner_metrics(scores, threshold)
        doc = docs.get(learner_id)
        region = doc.region if doc and doc.region else "unknown"
        language = doc.languages[0] if doc and doc.languages else "unknown"
        by_region[region].append(metrics)
        by_area[area_of(region)].append(metrics)
        by_language[language].append(metrics)
        everyone.append(metrics)
    overall = _groups({"all": everyone})["groups"][0] if everyone else None
    return {
        "sample": len(chosen),
        "seed": seed,
        "threshold": threshold,
        "metrics": {
            "mean_top10_score": "mean blended score of the top 10 recommended open vacancies",
            "above_threshold": "recommendations in the top 10 scoring at least the threshold",
            "exposure": "sum of score / log2(position + 1) over the top 10",
        },
        "suppression": RULE,
        "overall": overall,
        "by_region": _groups(by_region),
        "by_area": _groups(by_area),
        "by_language": _groups(by_language),
    }
