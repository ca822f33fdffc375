"""Label-frequency priors over the skill list (opt-in ranking tilt, see MODEL_CHOICE.md)."""

from __future__ import annotations

import ast
import csv
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from services.matcher.esco.release import Skill


def _norm(label: str) -> str:
    from services.matcher.ml.extraction import _norm as norm

    return norm(label)


def label_prior(
    skills: Sequence[Skill], counts: Mapping[str, int], weight: float = 0.1
) -> np.ndarray:
    """Return a log-frequency prior per skill from label counts (e.g. skillskape_train.csv)."""
    index = {_norm(s.label): i for i, s in enumerate(skills)}
    prior = np.zeros(len(skills), np.float32)
    for label, c in counts.items():
        i = index.get(_norm(label))
        if i is not None:
            prior[i] = weight * math.log1p(c)
    return prior


def skillskape_prior(path: str | Path, skills: Sequence[Skill], weight: float = 0.3) -> np.ndarray:
    """Return a label prior from skillskape_train.csv (synthetic job-ad sentences -> skills)."""
    # It lifts the validation sets a lot because their labels come from the same job-ad
    # domain; it also tilts ranking towards ~500 tech/business skills, so it is opt-in.
    counts: Counter[str] = Counter()
    with Path(path).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for label in ast.literal_eval(row["skills"]):
                if label != "UNK":
                    counts[label] += 1
    return label_prior(skills, counts, weight)
