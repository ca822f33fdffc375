"""The skill vocabulary: its data against the real ESCO files, and its matching."""

from __future__ import annotations

import pytest

from services.matcher.esco.release import Skill, load_skills
from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.ml.extraction import SkillExtractor
from services.matcher.ml.vocabulary import PhraseIndex, Term, load_terms
from services.matcher.ml.vocabulary.build import DATA, build, read_tsv
from services.matcher.ml.vocabulary.matcher import TERMS_FILE
from services.matcher.ml.vocabulary.text import fold, kazakh_stem
from tests.matcher.conftest import SHARED, needs_esco

# ---------------------------------------------------------------- the data


@pytest.fixture(scope="module")
def esco_uris() -> set[str]:
    return {s.uri for s in load_skills(SHARED / "esco")}


def test_every_data_file_says_how_it_was_made() -> None:
    for path in sorted(DATA.glob("*.tsv")):
        head = path.read_text(encoding="utf-8").splitlines()[:8]
        assert head[0].startswith("#"), path.name
        assert any("how" in line.lower() or "generated" in line.lower() for line in head), path


def test_authored_files_parse_with_their_columns() -> None:
    cols = {
        "onet_categories.tsv": {"commodity_code", "commodity_title", "esco_labels"},
        "onet_tools.tsv": {"tool", "esco_labels", "aliases"},
        "kz_terms.tsv": {"esco_labels", "lang", "case", "terms"},
        "labels_ru_kk.tsv": {"esco_labels", "lang", "case", "terms"},
        "collections_ru_kk.tsv": {"esco_labels", "lang", "case", "terms"},
        "languages.tsv": {"esco_language", "ru", "kk", "kk_adverb"},
        "non_skill.tsv": {"phrase", "lang", "note"},
    }
    for name, wanted in cols.items():
        rows = list(read_tsv(DATA / name))
        assert rows, name
        assert set(rows[0]) == wanted, name
        assert all(None not in r for r in rows), f"{name}: a row has too many cells"


@needs_esco
def test_every_onet_category_is_reviewed() -> None:
    import csv

    with (SHARED / "onet" / "Technology Skills.txt").open(encoding="utf-8") as f:
        onet = {r["Commodity Code"] for r in csv.DictReader(f, delimiter="\t")}
    reviewed = {r["commodity_code"] for r in read_tsv(DATA / "onet_categories.tsv")}
    assert onet == reviewed


def test_compiled_vocabulary_loads() -> None:
    terms = load_terms()
    assert len(terms) > 5000
    assert {t.source for t in terms} == {
        "onet-esco",
        "onet-authored",
        "onet-category",
        "kz",
        "labels",
        "collections",
        "languages",
    }
    assert {t.lang for t in terms} <= {"any", "en", "ru", "kk"}
    assert {"ru", "kk"} <= {t.lang for t in terms}


@needs_esco
def test_every_esco_uri_in_the_vocabulary_exists(esco_uris: set[str]) -> None:
    missing = {t.uri for t in load_terms()} - esco_uris
    assert not missing, sorted(missing)[:10]


@needs_esco
def test_compiled_file_is_what_make_vocabulary_writes() -> None:
    text, how = build(SHARED)
    assert text == TERMS_FILE.read_text(encoding="utf-8"), "run make vocabulary"
    assert how["onet-category"] > 1000 and how["onet-esco"] > 100


# ---------------------------------------------------------------- matching


def _index(*terms: tuple[str, str, str]) -> PhraseIndex:
    return PhraseIndex(Term(text, lang, uri, "kz") for text, lang, uri in terms)


def test_latin_and_cyrillic_look_alikes_fold_in_tool_tokens() -> None:
    assert fold("1С") == fold("1C") == "1c"
    assert fold("С++") == "c++"
    assert fold("В") == fold("B")  # driving-licence category in either script
    assert fold("Сводные") == "сводные"  # ordinary words keep their script


def test_russian_inflections_and_any_script_match() -> None:
    idx = _index(
        ("сводные таблицы", "ru", "u:xl"),
        ("1С:Бухгалтерия", "any", "u:1c"),
        ("права категории B", "ru", "u:drive"),
    )
    for text, uri in [
        ("работа со сводными таблицами", "u:xl"),
        ("сводных таблиц", "u:xl"),
        ("опыт в 1C Бухгалтерия", "u:1c"),  # Latin C
        ("опыт в 1с:бухгалтерия", "u:1c"),  # lower-case Cyrillic с
        ("наличие прав категории В", "u:drive"),  # Cyrillic В
    ]:
        assert [h.term.uri for h in idx.find(text)] == [uri], text


def test_kazakh_suffixes_are_stripped() -> None:
    assert kazakh_stem("тілін") == kazakh_stem("тілі") == "тіл"
    assert kazakh_stem("бухгалтерлік") == "бухгалтер"
    idx = _index(("қазақ тілі", "kk", "u:kk"))
    assert [h.term.uri for h in idx.find("Қазақ тілін еркін білемін")] == ["u:kk"]


def test_kazakh_inflected_forms_meet_their_base_term() -> None:
    # Stem-final letters that look like suffixes ("қызмет"+"і", "білім"+"і") and vowel-final
    # bases ("жоба", "статистика") used to stem apart from their inflected forms.
    idx = _index(
        ("жоба", "kk", "u:project"),
        ("қызмет", "kk", "u:service"),
        ("білім", "kk", "u:knowledge"),
        ("статистика", "kk", "u:stats"),
    )
    for text, uri in [
        ("жобаларды", "u:project"),
        ("жобасының", "u:project"),
        ("қызметі", "u:service"),
        ("қызметтерін", "u:service"),
        ("білімі", "u:knowledge"),
        ("білімдерін", "u:knowledge"),
        ("статистикасын", "u:stats"),
    ]:
        assert [h.term.uri for h in idx.find(text)] == [uri], text
    assert not idx.find("жүйесі")  # another word stays unmatched


@needs_esco
def test_language_names_compile_to_the_esco_language_skills() -> None:
    labels = {(t.text, t.lang): t.uri for t in load_terms() if t.source == "languages"}
    assert ("немецкий язык", "ru") in labels and ("неміс тілі", "kk") in labels
    idx = PhraseIndex(t for t in load_terms() if t.source == "languages")
    found = {h.term.uri for h in idx.find("Ағылшынша еркін сөйлеймін, неміс тілін білемін")}
    assert len(found) >= 4  # English and German, each as language and as speaking it


def test_case_sensitive_terms_need_their_spelling() -> None:
    idx = PhraseIndex([Term("Swift", "any", "u:swift", "onet-authored", case_sensitive=True)])
    assert idx.find("iOS: Swift, SwiftUI")
    assert not idx.find("a swift reply to customers")


def test_longest_term_wins_and_numbers_match_nothing() -> None:
    idx = _index(("1С", "any", "u:erp"), ("1С:ЗУП", "any", "u:payroll"))
    assert [h.term.uri for h in idx.find("1С:ЗУП и 1С")] == ["u:payroll", "u:erp"]
    vocab = PhraseIndex(load_terms())
    assert vocab.find("опытом 3 года") == []
    assert vocab.find("от 1 года, 2-3 years") == []


def test_vocabulary_names_the_issue_examples() -> None:
    vocab = PhraseIndex(load_terms())
    text = "Опыт работы с Excel, Power BI, Tableau, статистика, A/B тесты, 1С, Docker, Git"
    found = {h.matched for h in vocab.find(text)}
    assert {"Excel", "Power BI", "Tableau", "статистика", "A/B тесты", "1С", "Docker", "Git"} <= (
        found
    )
    assert {h.matched for h in vocab.find("эксель, ВПР, сводные таблицы")} == {
        "эксель",
        "ВПР",
        "сводные таблицы",
    }


def test_fake_model_extractor_puts_vocabulary_hits_first() -> None:
    skills = [
        Skill("u:xl", "use spreadsheets software", ["spreadsheets"]),
        Skill("u:3d", "3D printing process", ["3D printing"]),
        Skill("u:cook", "cook meat dishes", []),
    ]
    terms = [Term("Excel", "any", "u:xl", "onet-authored")]
    ex = SkillExtractor(skills, FakeEmbedder(), use_descriptions=False)
    from services.matcher.ml.vocabulary.spotting import Spotter

    ex.spotter = Spotter(ex.uris, terms)
    # A tiny threshold, not 0: min_confidence 0 asks for the full ranking instead.
    out = ex.extract("Отчёты в Excel. Опытом 3 года.", min_confidence=0.01)
    assert out[0].uri == "u:xl" and out[0].source == "vocabulary" and out[0].matched == "Excel"
    assert out[0].evidence_sentence == "Отчёты в Excel."
    assert ex.extract("опытом 3 года", min_confidence=0.01) == []


# ---------------------------------------------------------------- the API with the real model
