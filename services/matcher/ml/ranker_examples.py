"""The ranker's training and selection examples, and the on-disk store of their vectors."""

from __future__ import annotations

import ast
import csv
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from services.matcher.esco.release import Skill
from services.matcher.ml.embedding import Embedder, Kind
from services.matcher.ml.extraction import SkillExtractor
from services.matcher.ml.labels import LabelStore
from services.matcher.ml.vocabulary.matcher import load_terms
from services.matcher.quality.eval_sets import load_decorte

ALT_EXAMPLES = 600
DESC_EXAMPLES = 400
FOLDS = 5
SEED = 0


class StoreEmbedder:
    """Query vectors through an on-disk store (one per distinct text), passages through."""

    def __init__(self, inner: Embedder, store: LabelStore) -> None:
        self.inner = inner
        self.store = store
        self.name = inner.name
        self.dim = inner.dim

    def encode(self, texts: list[str], kind: Kind = "passage", **kw: Any) -> np.ndarray:
        """Return vectors, encoding (and storing) only the query texts never seen."""
        if kind != "query":
            return self.inner.encode(texts, kind, **kw)
        missing = self.store.missing(texts)
        for i in range(0, len(missing), 32):
            chunk = missing[i : i + 32]
            self.store.add(chunk, self.inner.encode(chunk, "query"))
        return self.store.matrix(texts)


def query_store(cache_dir: Path, model: str, dim: int) -> LabelStore:
    """Return the on-disk store of sentence vectors under ``cache_dir``."""
    return LabelStore(cache_dir / f"queries-{model}", dim)


@dataclass
class Example:
    """One training or development text with its gold skill columns."""

    text: str
    gold: set[int]
    source: str
    fold: int = -1


def read_skillskape(path: Path) -> list[tuple[int, str, list[str]]]:
    """Return (row number, sentence, labels) of the labelled rows, in file order."""
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f)):
            labels = [lb for lb in ast.literal_eval(row["skills"]) if lb != "UNK"]
            if labels:
                out.append((n, row["sentence"], labels))
    return out


def skillskape_examples(
    rows: Sequence[tuple[int, str, list[str]]], ex: SkillExtractor, source: str
) -> list[Example]:
    """Map skillskape rows to examples (labels that are not ESCO preferred labels dropped)."""
    out = []
    for n, text, labels in rows:
        gold = {i for lb in labels if (i := ex.index_of(lb)) is not None}
        if gold:
            out.append(Example(text, gold, source, n % FOLDS))
    return out


def taxonomy_examples(skills: Sequence[Skill], ex: SkillExtractor) -> list[Example]:
    """Alt label -> skill, description -> skill, authored ru/kk term -> skill."""
    out: list[Example] = []
    column = {u: i for i, u in enumerate(ex.uris)}
    owners = [i for i, s in enumerate(skills) for _ in s.alt_labels]
    alts = [a for s in skills for a in s.alt_labels]
    for pos in random.Random(1).sample(range(len(alts)), 1500)[:ALT_EXAMPLES]:
        out.append(Example(alts[pos], {owners[pos]}, "alt"))
    sampled = [s for s in random.Random(SEED).sample(list(skills), 1500) if s.description]
    for s in sampled[:DESC_EXAMPLES]:
        out.append(Example(s.description.split(". ")[0], {column[s.uri]}, "desc"))
    for t in load_terms():
        if t.lang in ("ru", "kk") and t.uri in column:
            out.append(Example(t.text, {column[t.uri]}, "term"))
    return out


def validation_examples(data_dir: Path, ex: SkillExtractor) -> dict[str, list[Example]]:
    """Return the Decorte TECH/HOUSE validation sentences (selection only, never fitted)."""
    column = {u: i for i, u in enumerate(ex.uris)}
    out = {}
    for name in ("tech", "house"):
        path = data_dir / "eval-dev" / "skill-extraction" / f"{name}_validation_annotations.csv"
        ds = load_decorte(path, ex.uris, ex.index_of, "selection")
        out[ds.name] = [
            Example(t, {column[u] for u in g}, ds.name)
            for t, g in zip(ds.texts, ds.gold, strict=True)
        ]
    return out


def prior_counts(
    rows: Sequence[tuple[int, str, list[str]]], ex: SkillExtractor
) -> tuple[Counter[int], list[Counter[int]]]:
    """Return label counts by skill column over all rows, and per fold."""
    total: Counter[int] = Counter()
    folds: list[Counter[int]] = [Counter() for _ in range(FOLDS)]
    for n, _, labels in rows:
        for lb in labels:
            i = ex.index_of(lb)
            if i is not None:
                total[i] += 1
                folds[n % FOLDS][i] += 1
    return total, folds
