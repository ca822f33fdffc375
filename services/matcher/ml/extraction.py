"""Free text (Kazakh, Russian, English) -> ESCO skills, each with a confidence and its evidence.

Scoring lives in ``services.matcher.ml.scoring``. Two ways to extract: ``min_confidence=0``
returns the full ranking of skills for the text (best segment of each skill, no per-clause
cap: the benchmark setting; in Russian/Kazakh text the vocabulary's hits first); otherwise
the vocabulary's hits come first and the model gets only what they leave of each sentence,
each sentence nominating its few best skills above the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.matcher.ml.priors import label_prior, skillskape_prior
from services.matcher.ml.scoring import (
    AUTO,
    MODEL_WEIGHTS,
    BlendWeights,
    SkillScorer,
    _gazetteer_tokens,
    _norm,
)
from services.matcher.ml.sentences import detect_language, split_clauses, split_sentences

__all__ = [
    "AUTO",
    "MODEL_WEIGHTS",
    "BlendWeights",
    "Extracted",
    "SkillExtractor",
    "SkillScorer",
    "_gazetteer_tokens",
    "_norm",
    "detect_language",
    "label_prior",
    "skillskape_prior",
    "split_clauses",
    "split_sentences",
]


@dataclass(frozen=True)
class Extracted:
    """One extracted skill."""

    uri: str
    label: str
    confidence: float
    evidence_sentence: str
    #: The words that named the skill (a vocabulary hit) or "" (found by the model).
    matched: str = ""
    source: str = "model"


#: Default extraction thresholds: English text, and text in another language than the labels
#: (without a ranker; a ranker carries its own, selected on the development data).
DEFAULT_MIN_CONFIDENCE = 0.25
DEFAULT_MIN_CONFIDENCE_XLING = 0.08
#: Most skills each sentence nominates in the default (thresholded) extraction.
PER_SEGMENT = 2


class SkillExtractor(SkillScorer):
    """Rank ESCO skills for sentences and extract skills from free text."""

    def extract(
        self,
        text: str,
        lang: str | None = None,
        top_k: int = 10,
        min_confidence: float | None = None,
        per_segment: int = PER_SEGMENT,
        exclude: Sequence[str] = (),
    ) -> list[Extracted]:
        """Extract up to top_k ESCO skills from text, best first, with evidence sentences.

        ``min_confidence=0`` ranks every skill (the top_k best segments' skills); otherwise the
        calibrated set above the threshold (None: the per-language default).
        """
        sentences = split_sentences(text)
        if not sentences:
            return []
        # One multilingual model ranks every language; only the calibration differs.
        xling = (lang or detect_language(text)) != "en"
        # One set, built once (it was rebuilt per skill: ~20 ms of every call).
        excluded = set(exclude)
        banned = {i for i, u in enumerate(self.uris) if u in excluded} if excluded else set()
        if min_confidence is not None and min_confidence <= 0:
            return self._ranking(sentences, xling, top_k, banned)
        if min_confidence is None:
            min_confidence = self.default_min_confidence(xling)
        found, model_sentences, model_owner = self._vocabulary_hits(sentences, banned)
        found = {j: f for j, f in found.items() if f[0] >= min_confidence}
        model = self._model_hits(
            model_sentences, model_owner, xling, min_confidence, per_segment, banned | set(found)
        )
        # Vocabulary hits first (named in the text), then what the model adds.
        ranked = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        ranked += sorted(model.items(), key=lambda kv: -kv[1][0])
        return self._listed(ranked[:top_k], sentences)

    def spot(self, text: str, top_k: int = 10, exclude: Sequence[str] = ()) -> list[Extracted]:
        """Return the skills the vocabulary names in ``text``, no model call (microseconds).

        What a first pass or a first visit tags while the model is busy: the same vocabulary
        hits, at the same per-language threshold, that the default ``extract`` puts first.
        """
        sentences = split_sentences(text)
        if not sentences or self.spotter is None:
            return []
        xling = detect_language(text) != "en"
        excluded = set(exclude)
        banned = {i for i, u in enumerate(self.uris) if u in excluded} if excluded else set()
        found, _, _ = self._vocabulary_hits(sentences, banned)
        floor = self.default_min_confidence(xling)
        ranked = sorted(
            ((j, f) for j, f in found.items() if f[0] >= floor),
            key=lambda kv: (-kv[1][0], kv[1][1]),
        )
        return self._listed(ranked[:top_k], sentences)

    def _listed(
        self, ranked: list[tuple[int, tuple[float, int, str]]], sentences: list[str]
    ) -> list[Extracted]:
        """Return ranked (column, (confidence, sentence, matched words)) as Extracted skills."""
        return [
            Extracted(
                uri=self.uris[j],
                label=self.labels[j],
                confidence=round(c, 4),
                evidence_sentence=sentences[si],
                matched=matched,
                source="vocabulary" if matched else "model",
            )
            for j, (c, si, matched) in ranked
        ]

    def default_min_confidence(self, xling: bool) -> float:
        """Return the default threshold for English or cross-lingual text."""
        # The ranker scores English only (see SkillScorer._score): its threshold is for that.
        if self.ranker is not None and not xling and "en" in self.ranker.thresholds:
            return float(self.ranker.thresholds["en"])
        # Cross-lingual confidences run lower (no word overlap), see MODEL_CHOICE.md.
        return DEFAULT_MIN_CONFIDENCE_XLING if xling else DEFAULT_MIN_CONFIDENCE

    def _ranking(
        self, sentences: list[str], xling: bool, top_k: int, banned: set[int]
    ) -> list[Extracted]:
        """Return the top_k of the full ranking: each skill scored by its best segment."""
        segments, owner = self._segments(sentences, clauses=True)
        score, conf = self._score(segments, np.full(len(segments), xling, dtype=bool))
        if banned:
            score[:, sorted(banned)] = -np.inf
        best = score.argmax(axis=0)
        cols = np.arange(score.shape[1])
        pooled = score[best, cols]
        # In Russian/Kazakh text what the vocabulary names comes first, as in the default call:
        # a reviewed term outranks the hand-set blend's guesses ("React" is not "react to
        # emergencies", whose English word overlap the blend rewards). English text keeps the
        # ranker's order: it weighs the vocabulary feature itself (fitted), and putting hits
        # first there measured worse (TECH MRR 0.709 -> 0.607, skillskape held-out 0.522 -> 0.488).
        named = self._named(sentences, banned)
        if named and xling:
            pooled = pooled.copy()
            cols_named = np.fromiter(named, np.int64, len(named))
            term_conf = np.array([named[j][2] for j in named.keys()], np.float32)
            # Named skills sort by their term's confidence, then by the model's score. A bounded
            # boost instead (+2..10 x confidence) measured the same on the hh/CV/tr lines and no
            # better on the hand-translated phrases, so the simple rule stays.
            span = float(np.ptp(pooled[np.isfinite(pooled)])) + 1.0
            pooled[cols_named] = pooled[cols_named] + span * (1.0 + term_conf * 10.0)
        k = min(top_k, len(cols))
        top = np.argpartition(-pooled, k - 1)[:k]
        top = top[np.argsort(-pooled[top], kind="stable")]
        out = []
        for j in top.tolist():
            if j in banned:
                continue
            si, matched, c = named.get(j, (int(owner[best[j]]), "", 0.0))
            c = c if xling else 0.0
            out.append(
                Extracted(
                    uri=self.uris[j],
                    label=self.labels[j],
                    confidence=round(max(float(conf[best[j], j]), c), 4),
                    evidence_sentence=sentences[si],
                    matched=matched,
                    source="vocabulary" if matched else "model",
                )
            )
        return out

    def _named(self, sentences: list[str], banned: set[int]) -> dict[int, tuple[int, str, float]]:
        """Return {skill column: (sentence, matched words, term confidence)} the text names."""
        named: dict[int, tuple[int, str, float]] = {}
        if self.spotter is None:
            return named
        for si, sent in enumerate(sentences):
            for h in self.spotter.spot(sent).hits:
                j = self.spotter.column[h.term.uri]
                if j not in banned and (j not in named or h.term.confidence > named[j][2]):
                    named[j] = (si, h.matched, h.term.confidence)
        return named

    def _vocabulary_hits(
        self, sentences: list[str], banned: set[int]
    ) -> tuple[dict[int, tuple[float, int, str]], list[str], list[int]]:
        """Return the vocabulary's skills, and the masked sentences left for the model."""
        if self.spotter is None:
            return {}, sentences, list(range(len(sentences)))
        found: dict[int, tuple[float, int, str]] = {}
        rest: list[str] = []
        owner: list[int] = []
        for si, sent in enumerate(sentences):
            spotted = self.spotter.spot(sent)
            for h in spotted.hits:
                j = self.spotter.column[h.term.uri]
                c = h.term.confidence
                if j not in banned and (j not in found or c > found[j][0]):
                    found[j] = (c, si, h.matched)
            # A lone word left beside what the vocabulary named ("Power", "Manage") is no
            # sentence for the model: it matches labels by that one word's overlap (default-call
            # precision tr kk 0.475 -> 0.528, tr ru 0.574 -> 0.593, recall the same). Two words
            # left ("Use for") still go: dropping those too cost TECH recall 0.473 -> 0.435.
            if spotted.has_content and not (spotted.hits and len(spotted.masked.split()) < 2):
                rest.append(spotted.masked)
                owner.append(si)
        return found, rest, owner

    def _model_hits(
        self,
        sentences: list[str],
        sentence_of: list[int],
        xling: bool,
        min_confidence: float,
        per_segment: int,
        banned: set[int],
    ) -> dict[int, tuple[float, int, str]]:
        """Return the model's skills for (masked) sentences: each sentence's few best."""
        if not sentences:
            return {}
        # No clause segments here: what the vocabulary masked out was most of an enumeration's
        # items, and the clauses of the rest cost ru text ~22% of the model's tokens (~30 ms of
        # CPU a 300-character call) for about the same quality: make eval --quick, default-call F1
        # with/without clauses TECH 0.404/0.395, HOUSE 0.415/0.423, hh ru 0.625/0.647, tr en
        # 0.577/0.589, cv/tr ru/kk the same. The ranking call (min_confidence 0) keeps them.
        segments, owner = self._segments(sentences, clauses=False)
        _, conf = self._score(segments, np.full(len(segments), xling, dtype=bool))
        conf[:, self.language_flags] = 0.0
        best: dict[int, tuple[float, int, str]] = {}
        k = min(per_segment, conf.shape[1])
        # Each (masked) sentence nominates its few best skills.
        top = np.argpartition(-conf, k - 1, axis=1)[:, :k]
        for seg, row in enumerate(top):
            for j in row.tolist():
                c = float(conf[seg, j])
                if c < min_confidence or j in banned:
                    continue
                if j not in best or c > best[j][0]:
                    best[j] = (c, sentence_of[int(owner[seg])], "")
        return best
