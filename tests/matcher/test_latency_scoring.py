"""The extract call's cheaper arithmetic gives the same similarities and skills as before.

Issue 9 (p95 <= 150 ms): the label matrices are kept transposed, and a segment repeated in one
text is encoded once. Both must leave every score as its definition says.
"""

from __future__ import annotations

import numpy as np

from services.matcher.esco.release import Skill
from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.ml.extraction import SkillExtractor
from services.matcher.ml.vocabulary.matcher import Term
from services.matcher.ml.vocabulary.spotting import Spotter

SKILLS = [
    Skill("u:py", "Python", ["Python programming", "python 3"]),
    Skill("u:cook", "cook meat dishes", []),
    Skill("u:sql", "SQL", ["structured query language", "SQL queries", "write SQL"]),
    Skill("u:xl", "use spreadsheets software", ["Microsoft Excel"]),
    # Trailing skills without alt labels: their reduceat starts point past the last alt label.
    Skill("u:drive", "drive vehicles", []),
    Skill("u:talk", "negotiate with clients", []),
]
SENTENCES = [
    "Write SQL queries to PostgreSQL databases",
    "Build reports in Microsoft Excel",
    "Negotiate with clients and close sales",
]


def _extractor(embedder: FakeEmbedder) -> SkillExtractor:
    return SkillExtractor(SKILLS, embedder, use_descriptions=False, ranker=None)


def test_label_similarities_follow_their_definition() -> None:
    emb = FakeEmbedder()
    ex = _extractor(emb)
    parts = ex._parts(SENTENCES)
    q = emb.encode(SENTENCES, "query")
    labels = emb.encode([s.label for s in SKILLS], "passage")
    want_pref = q @ labels.T
    want_alt = want_pref.copy()
    for j, s in enumerate(SKILLS):
        if s.alt_labels:
            alt = emb.encode(list(s.alt_labels), "passage")
            want_alt[:, j] = np.maximum(want_pref[:, j], (q @ alt.T).max(axis=1))
    np.testing.assert_allclose(parts.pref, want_pref, atol=1e-5)
    np.testing.assert_allclose(parts.alt, want_alt, atol=1e-5)
    # The skills without alt labels keep their preferred label's similarity, the last ones too.
    for j in (1, 4, 5):
        np.testing.assert_allclose(parts.alt[:, j], want_pref[:, j], atol=1e-6)
    # The public matrices still read as (skills, dim) and (alt labels, dim).
    assert ex.pref_matrix.shape == (len(SKILLS), emb.dim)
    assert ex.alt_matrix.shape == (sum(len(s.alt_labels) for s in SKILLS), emb.dim)


def test_a_line_repeated_in_a_text_is_encoded_once_with_the_same_skills() -> None:
    emb = FakeEmbedder()
    ex = _extractor(emb)
    once = "Write SQL queries to PostgreSQL databases. Build reports in Microsoft Excel."
    twice = f"{once} Write SQL queries to PostgreSQL databases."
    want = ex.extract(once, lang="en", min_confidence=0, top_k=6)
    emb.reset_counters()
    got = ex.extract(twice, lang="en", min_confidence=0, top_k=6)
    assert emb.texts_encoded == 2
    assert [(e.uri, e.confidence) for e in got] == [(e.uri, e.confidence) for e in want]
    scores = ex.scores([SENTENCES[0], SENTENCES[1], SENTENCES[0]])
    np.testing.assert_array_equal(scores[0], scores[2])


def test_the_default_call_encodes_sentences_and_the_ranking_call_their_clauses_too() -> None:
    emb = FakeEmbedder()
    ex = SkillExtractor(SKILLS, emb, use_descriptions=False, ranker=None, vocabulary=False)
    # One sentence of three clauses (six words or more, split at the commas).
    text = "Write SQL queries to databases, build reports in spreadsheets, negotiate with clients."
    emb.reset_counters()
    ex.extract(text, lang="en")
    assert emb.texts_encoded == 1
    emb.reset_counters()
    ranked = ex.extract(text, lang="en", min_confidence=0, top_k=3)
    assert emb.texts_encoded == 4
    assert {e.uri for e in ranked} >= {"u:sql"}


def test_a_lone_word_left_beside_a_named_term_goes_to_no_model() -> None:
    emb = FakeEmbedder()
    ex = _extractor(emb)
    ex.spotter = Spotter(ex.uris, [Term("PostgreSQL", "any", "u:sql", "onet-authored")])
    emb.reset_counters()
    out = ex.extract("Administer PostgreSQL.", lang="en", min_confidence=0.0001)
    # The term is found; "Administer" alone is not encoded.
    assert [e.uri for e in out][:1] == ["u:sql"] and out[0].source == "vocabulary"
    assert emb.texts_encoded == 0
    # A one-word sentence the vocabulary did not touch still reaches the model.
    ex.extract("Negotiating.", lang="en")
    assert emb.texts_encoded == 1
