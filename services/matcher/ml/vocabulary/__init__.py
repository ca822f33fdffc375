"""Skill vocabulary for Kazakhstan (O*NET tools, local terms, ru/kk labels) and its matcher."""

from services.matcher.ml.vocabulary.matcher import (
    Hit,
    PhraseIndex,
    Term,
    display_labels,
    load_non_skill,
    load_terms,
)

__all__ = ["Hit", "PhraseIndex", "Term", "display_labels", "load_non_skill", "load_terms"]
