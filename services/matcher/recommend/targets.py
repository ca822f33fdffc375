"""What a path or course recommendation aims at: a vacancy or an ESCO occupation, as skills.

A vacancy the matcher has not indexed yet is read from the jobs service (its declared skills),
and a learner not indexed yet from the learner service, so the answer is provisional instead of
an error (recommend/provisional.py says what such an answer used).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from services.common.errors import NotFound, ValidationProblem, field_error
from services.matcher.esco.concepts import OCCUPATION_PREFIX, normalise_uri
from services.matcher.ml.coverage import skill_key
from services.matcher.recommend.provisional import FROM_RECORD, owner_record, skill_keys
from services.matcher.recommend.ranking import held_keys, learner_row, vacancy_row
from services.matcher.recommend.rows import required_flags
from services.matcher.recommend.state import Matcher, NotIndexedYet
from services.matcher.sync.entities import learner_fields, vacancy_fields, vacancy_text
from services.matcher.sync.models import VacancyCopy


@dataclass
class Target:
    """What a learner aims at: its skills (key, required) and its embedding."""

    kind: str
    id: str
    label: str
    skills: list[tuple[str, bool]]
    vector: np.ndarray
    basis: str | None = None  # set when read from the owner's record (not indexed yet)
    progress: dict[str, Any] | None = None


def learner_skills(
    m: Matcher, learner_id: str
) -> tuple[set[str], str | None, dict[str, Any] | None]:
    """Return the learner's skill keys, and the provisional basis when not indexed yet."""
    try:
        return held_keys(m, m.learners, learner_row(m, learner_id)), None, None
    except NotIndexedYet as exc:
        f = learner_fields(owner_record(m, exc))
        rejected = set(f["rejected_skills"])
        declared = [s for s in f["declared_skills"] if s.get("uri") not in rejected]
        _know_labels(m, declared)
        basis = FROM_RECORD.format(owner="learner", text="CV")
        return set(skill_keys(declared)), basis, exc.progress


def _know_labels(m: Matcher, skills: list[dict[str, Any]]) -> None:
    """Keep the labels of skills read from a record, as indexing a row does (rows.skill_cols)."""
    for s in skills:
        if (key := skill_key(s)) is not None:
            m.labels.setdefault(key, s.get("label") or key)


def _vacancy_from_record(m: Matcher, exc: NotIndexedYet) -> Target:
    """Return a vacancy target from the jobs service's record: its declared skills only."""
    f = vacancy_fields(owner_record(m, exc))
    declared = f["declared_skills"]
    flags = required_flags(declared)
    skills = [
        (key, flag)
        for s, flag in zip(declared, flags, strict=True)
        if (key := skill_key(s)) is not None
    ]
    _know_labels(m, declared)
    return Target(
        kind="vacancy",
        id=exc.item_id,
        label=f["title"] or exc.item_id,
        skills=list(dict.fromkeys(skills)),
        vector=m.vectors_for([vacancy_text(f, declared)])[0],
        basis=FROM_RECORD.format(owner="vacancy", text="description"),
        progress=exc.progress,
    )


def resolve_target(m: Matcher, *, vacancy_id: str | None, occupation_uri: str | None) -> Target:
    """Return the target named by exactly one of a vacancy id and an ESCO occupation URI."""
    if bool(vacancy_id) == bool(occupation_uri):
        raise ValidationProblem(
            "name one target: vacancy_id or occupation_uri",
            errors=[
                field_error("query.vacancy_id", "give exactly one of vacancy_id, occupation_uri")
            ],
        )
    if vacancy_id:
        try:
            row = vacancy_row(m, vacancy_id)
        except NotIndexedYet as exc:
            return _vacancy_from_record(m, exc)
        cols, _, required = m.vacancies.skills.get(row)
        doc = VacancyCopy.objects(id=vacancy_id).first()
        return Target(
            kind="vacancy",
            id=vacancy_id,
            label=doc.title if doc else vacancy_id,
            skills=[
                (m.vocab.keys[c], r > 0)
                for c, r in zip(cols.tolist(), required.tolist(), strict=True)
            ],
            vector=m.vacancies.vecs[row].copy(),
        )
    uri = normalise_uri(str(occupation_uri), OCCUPATION_PREFIX)
    occ = m.catalog().occupations.get(uri)
    if occ is None:
        raise NotFound(f"no ESCO occupation {uri}")
    text = f"{occ.label}\n{occ.description}".strip()
    return Target(
        kind="occupation",
        id=uri,
        label=occ.label,
        skills=[(u, True) for u in occ.essential] + [(u, False) for u in occ.optional],
        vector=m.vectors_for([text])[0],
    )
