"""The learned skill ranker: a logistic model over per-skill features of a text segment.

Every (segment, skill) pair gets a few features from the extractor's score parts (embedding
similarity, TF-IDF overlap, verbatim label mention, vocabulary hit) and from the skill itself
(a label prior from the training data, its type and reuse level). The model is linear in them,
so scoring all 13,896 skills of a segment is a handful of matrix operations: no candidate
stage, and its probability is the confidence the API reports. It is fitted by
``python -m services.matcher.ml.ranker_train`` (``make train``) on training data only and kept as
small JSON in ``services/matcher/ml/data/`` (see that module and MODEL_CHOICE.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Every feature the ranker knows; an artefact names the ones it uses, in its order.
FEATURES: tuple[str, ...] = (
    "pref",  # cosine to the preferred label, z-scored over all skills of the segment
    "pref_tail",  # max(pref - 2, 0): only the top of that distribution tells skills apart
    "pref_top",  # max(pref - 3, 0)
    "alt",  # best cosine over preferred and alt labels, z-scored (when alt labels are encoded)
    "alt_tail",
    "lexical",  # TF-IDF overlap with the label and alt labels
    "exact",  # a label or alt label of 1-4 words appears verbatim
    "vocab",  # a vocabulary term of the skill appears (its confidence)
    "prior",  # log(1 + times the skill is a training label)
    "xling_pref",  # the segment is not English (no word overlap with the labels): pref again
    "xling_lexical",
    "knowledge",  # ESCO skill type "knowledge"
    "transversal",  # ESCO reuse level "transversal"
    "language",  # a language skill ("write Kazakh"): the model confuses languages
    "label_words",  # log(1 + words in the preferred label)
)

#: Features that depend on the segment; the others are per skill only.
SEGMENT_FEATURES = frozenset(
    {"pref", "pref_tail", "pref_top", "alt", "alt_tail", "lexical", "exact", "vocab"}
    | {"xling_pref"}
    | {"xling_lexical"}
)
TAIL = 2.0


def zscore(m: np.ndarray) -> np.ndarray:
    """Standardise each row over its columns."""
    mu = m.mean(axis=1, keepdims=True)
    sd = m.std(axis=1, keepdims=True)
    sd[sd < 1e-6] = 1.0
    return ((m - mu) / sd).astype(np.float32)


def segment_features(
    pref: np.ndarray,
    alt: np.ndarray | None,
    lexical: np.ndarray,
    exact: np.ndarray,
    vocab: np.ndarray,
    xling: np.ndarray,
) -> dict[str, np.ndarray]:
    """Return the per-segment feature matrices, each (n_segments, n_skills)."""
    zp = zscore(pref)
    xl = xling.astype(np.float32)[:, None]
    out = {
        "pref": zp,
        "pref_tail": np.maximum(zp - TAIL, 0.0),
        "pref_top": np.maximum(zp - TAIL - 1.0, 0.0),
        "lexical": lexical.astype(np.float32),
        "exact": exact.astype(np.float32),
        "vocab": vocab.astype(np.float32),
        "xling_pref": zp * xl,
        "xling_lexical": lexical.astype(np.float32) * xl,
    }
    za = zscore(alt) if alt is not None else zp
    out["alt"] = za
    out["alt_tail"] = np.maximum(za - TAIL, 0.0)
    return out


def skill_features(
    skill_types: Sequence[str],
    reuse_levels: Sequence[str],
    labels: Sequence[str],
    language: np.ndarray,
    prior: np.ndarray,
) -> dict[str, np.ndarray]:
    """Return the per-skill feature vectors, each (n_skills,)."""
    return {
        "prior": prior.astype(np.float32),
        "knowledge": np.array([t == "knowledge" for t in skill_types], np.float32),
        "transversal": np.array([r == "transversal" for r in reuse_levels], np.float32),
        "language": language.astype(np.float32),
        "label_words": np.log1p([len(lb.split()) for lb in labels]).astype(np.float32),
    }


def prior_vector(uris: Sequence[str], counts: Mapping[str, float]) -> np.ndarray:
    """Return log(1 + count) per skill column from counts by URI."""
    return np.log1p(np.array([float(counts.get(u, 0.0)) for u in uris], np.float64)).astype(
        np.float32
    )


@dataclass(frozen=True)
class Ranker:
    """A fitted logistic ranker: weights over standardised features, and its thresholds."""

    model: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    #: Times each skill (by URI) is a label of the training sentences (the ``prior`` feature).
    prior_counts: Mapping[str, float] = field(default_factory=dict)
    #: Least confidence of the default (thresholded) extraction, by "en" / "xling".
    thresholds: Mapping[str, float] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)

    def weights(self) -> tuple[np.ndarray, float]:
        """Return the weights on raw features and the bias (standardisation folded in)."""
        scale = np.asarray(self.scale, np.float64)
        w = np.asarray(self.coef, np.float64) / scale
        b = float(self.intercept - np.sum(w * np.asarray(self.mean, np.float64)))
        return w, b

    def logits(
        self, segment: Mapping[str, np.ndarray], skill: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        """Return the (n_segments, n_skills) logits of being a gold skill."""
        w, b = self.weights()
        shape = next(iter(segment.values())).shape
        out = np.full(shape, b, np.float32)
        static = np.zeros(shape[1], np.float64)
        for name, wi in zip(self.features, w.tolist(), strict=True):
            if name in SEGMENT_FEATURES:
                out += np.float32(wi) * segment[name]
            else:
                static += wi * skill[name]
        out += static.astype(np.float32)[None, :]
        return out

    def to_json(self) -> str:
        """Return the artefact as stable, diffable JSON."""
        doc = {
            "model": self.model,
            "features": list(self.features),
            "mean": [_r(v) for v in self.mean],
            "scale": [_r(v) for v in self.scale],
            "coef": [_r(v) for v in self.coef],
            "intercept": _r(self.intercept),
            "thresholds": {k: _r(v) for k, v in sorted(self.thresholds.items())},
            "meta": self.meta,
            "prior_counts": {k: self.prior_counts[k] for k in sorted(self.prior_counts)},
        }
        return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Ranker:
        """Read an artefact written by :meth:`to_json`."""
        d = json.loads(text)
        feats = tuple(d["features"])
        unknown = set(feats) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown ranker features: {sorted(unknown)}")
        return cls(
            model=d["model"],
            features=feats,
            mean=tuple(d["mean"]),
            scale=tuple(d["scale"]),
            coef=tuple(d["coef"]),
            intercept=float(d["intercept"]),
            prior_counts=dict(d.get("prior_counts") or {}),
            thresholds=dict(d.get("thresholds") or {}),
            meta=dict(d.get("meta") or {}),
        )


def _r(v: float) -> float:
    # Rounded so the artefact diffs cleanly and floating-point noise never shows in it.
    return float(f"{float(v):.6g}")


def artefact_path(model: str) -> Path:
    """Return where the ranker of an embedding model is kept."""
    return DATA_DIR / f"ranker-{model}.json"


def load_ranker(model: str, path: Path | None = None) -> Ranker | None:
    """Return the committed ranker of ``model``, or None when it has none."""
    p = path or artefact_path(model)
    if not p.exists():
        return None
    return Ranker.from_json(p.read_text(encoding="utf-8"))
