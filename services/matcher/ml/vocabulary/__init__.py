"""Skill vocabulary for Kazakhstan (O*NET tools, local terms, ru/kk labels) and its matcher."""

from services.matcher.ml.vocabulary.matcher import (
    Hit,
    OccupationLabels,
    PhraseIndex,
    Term,
    display_labels,
    load_non_skill,
    load_occupation_labels,
    load_terms,
    native_names,
    occupation_labels,
)

__all__ = [
    "Hit",
    "OccupationLabels",
    "PhraseIndex",
    "Term",
    "display_labels",
    "load_non_skill",
    "load_occupation_labels",
    "load_terms",
    "native_names",
    "occupation_labels",
]
