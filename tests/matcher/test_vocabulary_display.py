"""Authored ru/kk display names of skills: the file is sound and pages show its names."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from flask.testing import FlaskClient

from services.matcher.esco.release import load_skills
from services.matcher.esco.taxonomy import TaxonomySource
from services.matcher.ml.vocabulary import display_labels, load_terms
from services.matcher.ml.vocabulary.matcher import (
    SKILL_NAMES_FILE,
    load_skill_names,
    skill_names,
    spotting_labels,
)
from services.matcher.ml.vocabulary.selection import coverage, select, usage
from tests.matcher.conftest import SHARED, needs_esco

ROWS = load_skill_names()
HOW = "authored (translation of ESCO preferred label, unreviewed)"
CYRILLIC = re.compile(r"[а-яёәіңғүұқөһ]", re.IGNORECASE)
# A name with no Cyrillic letter must be a product or tool name ESCO spells the same way.
LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9.+# -]*$")


def test_the_file_has_its_columns_and_complete_rows() -> None:
    lines = SKILL_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if not line.startswith("#"))
    assert header.split("\t") == ["esco_uri", "esco_label", "ru", "kk", "how"]
    assert any("native-speaker review" in line for line in lines if line.startswith("#"))
    assert len(ROWS) >= 1500
    for row in ROWS:
        assert row.ru and row.kk and row.how == HOW, row.uri
        for name in (row.ru, row.kk):
            assert name == name.strip() and "|" not in name, row.uri
            assert CYRILLIC.search(name) or LATIN_NAME.match(name), (row.uri, name)


def test_no_uri_twice_and_no_name_shared_by_two_skills() -> None:
    uris = Counter(r.uri for r in ROWS)
    assert [u for u, n in uris.items() if n > 1] == []
    for lang in ("ru", "kk"):
        names = Counter(getattr(r, lang).casefold() for r in ROWS)
        assert [n for n, k in names.items() if k > 1] == [], lang


@needs_esco
def test_every_row_names_a_real_esco_skill_by_its_preferred_label() -> None:
    label_of = {s.uri: s.label for s in load_skills(SHARED / "esco")}

    unknown = [r.uri for r in ROWS if r.uri not in label_of]
    wrong = [
        (r.uri, r.esco_label) for r in ROWS if r.uri in label_of and label_of[r.uri] != r.esco_label
    ]

    assert unknown == [] and wrong == []


def test_spotting_names_keep_priority_and_the_rest_come_from_the_file() -> None:
    for lang in ("ru", "kk"):
        shown, spotted, named = display_labels(lang), spotting_labels(lang), skill_names(lang)
        both = set(spotted) & set(named)
        only_named = set(named) - set(spotted)
        assert both and only_named, lang
        assert all(shown[u] == spotted[u] for u in both)
        assert all(shown[u] == named[u] for u in only_named)
    assert skill_names("en") == {} and skill_names("xx") == {}


def test_display_names_are_never_spotted_in_text() -> None:
    # Extraction reads terms.tsv only: a name only this file has must not be compiled into it
    # (kz_terms.tsv, authored apart, may spot the same words: "финансовая отчётность").
    compiled = {(t.text, t.lang, t.uri) for t in load_terms() if t.source != "kz"}
    for lang in ("ru", "kk"):
        spotted = spotting_labels(lang)
        only_here = [r for r in ROWS if r.uri not in spotted]
        assert only_here
        assert [r.uri for r in only_here if (getattr(r, lang), lang, r.uri) in compiled] == []


def test_display_labels_is_cached() -> None:
    assert display_labels("kk") is display_labels("kk")


@needs_esco
def test_the_most_seen_skills_all_show_a_name_and_coverage_rises() -> None:
    use = usage(SHARED)

    before, after = coverage(use, spotting_labels), coverage(use, display_labels)

    for lang in ("ru", "kk"):
        assert after[f"essential_relations_{lang}"] >= 0.6 > before[f"essential_relations_{lang}"]
        assert after[f"coursera_matched_mentions_{lang}"] >= 0.95
    # The 1,500 most-seen skills that the spotting files leave unnamed are all in the file.
    assert {c.uri for c in select(use, spotting_labels, 1500)} <= {r.uri for r in ROWS}


def _file_named(taxonomy: TaxonomySource, lang: str) -> dict:
    named, spotted = skill_names(lang), spotting_labels(lang)
    return next(s for s in taxonomy.skills if s["_id"] in named and s["_id"] not in spotted)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_skill_detail_shows_the_file_name_in_the_language_asked(
    client: FlaskClient, taxonomy: TaxonomySource, lang: str
) -> None:
    skill = _file_named(taxonomy, lang)

    body = client.get(f"/skills/{skill['_id']}", query_string={"lang": lang}).get_json()
    english = client.get(f"/skills/{skill['_id']}", query_string={"lang": "en"}).get_json()

    assert body["label"] == skill_names(lang)[skill["_id"]] != skill["label"]
    assert body["label_lang"] == lang and body["label_en"] == skill["label"]
    assert english["label"] == skill["label"] and english["label_lang"] == "en"


def test_occupation_skills_are_listed_with_file_names(
    client: FlaskClient, taxonomy: TaxonomySource
) -> None:
    named = skill_names("ru")
    occ = next(o for o in taxonomy.occupations if set(o["essential_skills"]) & set(named))

    body = client.get(f"/occupations/{occ['_id']}", query_string={"lang": "ru"}).get_json()

    shown = {s["uri"]: s for s in body["essential_skills"]}
    for uri in set(occ["essential_skills"]) & set(named):
        assert shown[uri]["label_lang"] == "ru"
        assert shown[uri]["label"] == display_labels("ru")[uri]
