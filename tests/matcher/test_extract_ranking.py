"""The ranking call (min_confidence 0) puts what the vocabulary names first in ru/kk text."""

from __future__ import annotations

from services.matcher.esco.release import Skill
from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.ml.extraction import SkillExtractor
from services.matcher.ml.vocabulary.matcher import Term
from services.matcher.ml.vocabulary.spotting import Spotter


def _extractor() -> SkillExtractor:
    skills = [
        Skill("u:js", "JavaScript Framework", []),
        # A decoy sharing the English word: the blend's word overlap favours it.
        Skill("u:react", "react to emergency situations", ["react to events"]),
        Skill("u:cook", "cook meat dishes", []),
    ]
    ex = SkillExtractor(skills, FakeEmbedder(), use_descriptions=False)
    ex.spotter = Spotter(
        ex.uris, [Term("React", "any", "u:js", "onet-authored", case_sensitive=True)]
    )
    return ex


def test_russian_ranking_puts_the_named_tool_first() -> None:
    ex = _extractor()
    for lang in ("ru", "kk"):
        out = ex.extract("Уверенный опыт работы с React.", lang=lang, top_k=3, min_confidence=0)
        assert [e.uri for e in out][0] == "u:js", lang
        assert out[0].source == "vocabulary" and out[0].matched == "React"
        # The confidence is the term's, not the model's low guess.
        assert out[0].confidence >= 0.85


def test_english_ranking_keeps_the_scorer_order() -> None:
    ex = _extractor()
    ranked = ex.extract("Experience with React.", lang="en", top_k=3, min_confidence=0)
    scores = ex.scores(["Experience with React."], clauses=True)[0]
    # Without the rule the scorer's own order stands (here the decoy's word overlap wins).
    assert [e.uri for e in ranked] == [ex.uris[j] for j in (-scores).argsort(kind="stable")]
    assert ranked[0].uri == "u:react"
