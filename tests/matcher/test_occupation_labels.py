"""Authored ru/kk occupation names: the reviewed file is sound, titles and labels use it."""

from __future__ import annotations

from collections import Counter

import pytest
from flask.testing import FlaskClient

from services.matcher.esco.release import iter_occupations
from services.matcher.esco.taxonomy import TaxonomySource, import_taxonomy
from services.matcher.ml.vocabulary import load_occupation_labels, occupation_labels
from services.matcher.ml.vocabulary.build import OCCUPATION_HOW, check_occupations
from services.matcher.ml.vocabulary.matcher import OCCUPATIONS_FILE
from tests.matcher.conftest import SHARED, needs_esco

ROWS = load_occupation_labels()


def test_the_file_parses_into_complete_rows() -> None:
    assert len(ROWS) >= 800
    header = OCCUPATIONS_FILE.read_text(encoding="utf-8").splitlines()
    columns = next(line for line in header if not line.startswith("#")).split("\t")
    assert columns == [
        "uri", "en_label", "ru_label", "ru_synonyms", "kk_label", "kk_synonyms", "how"
    ]  # fmt: skip
    for row in ROWS:
        assert row.ru_label and row.kk_label, row.uri
        assert row.how in OCCUPATION_HOW, row.uri
        assert len(row.ru_synonyms) <= 3 and len(row.kk_synonyms) <= 3, row.uri


def test_no_uri_twice() -> None:
    assert [u for u, n in Counter(r.uri for r in ROWS).items() if n > 1] == []


def test_kazakh_labels_are_not_russian_copies() -> None:
    same = [r.en_label for r in ROWS if r.kk_label == r.ru_label]
    # Loan words (фармацевт, агроном, логопед) are spelled alike; most labels must differ.
    assert len(same) < 0.15 * len(ROWS), same


@needs_esco
def test_every_uri_is_a_real_esco_occupation_with_its_english_label() -> None:
    label_of = {o.uri: o.label for o in iter_occupations(SHARED)}
    assert [r.uri for r in ROWS if label_of.get(r.uri) != r.en_label] == []
    assert check_occupations(SHARED / "esco") == len(ROWS)


def test_display_labels_per_language() -> None:
    accountant = next(r for r in ROWS if r.en_label == "accountant")
    assert occupation_labels("ru")[accountant.uri] == "бухгалтер"
    assert occupation_labels("kk")[accountant.uri] == "есепші"
    assert occupation_labels("en") == {}


@pytest.fixture
def accounting(app: object) -> TaxonomySource:
    """Import the accountant family and 40 other finance, ICT and sales occupations."""
    occs = list(iter_occupations(SHARED))
    family = {o.uri for o in occs if "account" in o.label or "bookkeeper" in o.label}
    others = sorted(o.uri for o in occs if o.isco_group[:3] in {"241", "251", "243", "332"})
    keep = family | set(others[:40])
    source = TaxonomySource.from_dir(SHARED, occupation_filter=lambda o: o.uri in keep)
    import_taxonomy(source)
    return source


def _family(source: TaxonomySource) -> set[str]:
    return {o["_id"] for o in source.occupations if "account" in o["label"]}


@needs_esco
@pytest.mark.parametrize("title", ["Главный бухгалтер", "Бас есепші", "бухгалтера", "Есепшілер"])
def test_russian_and_kazakh_titles_resolve_to_the_accountant_family(
    client: FlaskClient, accounting: TaxonomySource, title: str
) -> None:
    # The test app's embedder is a hash: only the authored names can find the family.
    resp = client.post("/occupations/match", json={"title": title, "top_k": 3})

    assert resp.status_code == 200
    assert resp.get_json()["items"][0]["uri"] in _family(accounting)


@needs_esco
def test_chief_accountant_names_the_accounting_manager(
    client: FlaskClient, accounting: TaxonomySource
) -> None:
    for title in ("Главный бухгалтер", "Бас есепші"):
        top = client.post("/occupations/match", json={"title": title}).get_json()["items"][0]
        assert top["label"] == "accounting manager", title


@needs_esco
@pytest.mark.parametrize(("lang", "label"), [("ru", "бухгалтер"), ("kk", "есепші")])
def test_occupation_detail_shows_the_authored_label(
    client: FlaskClient, accounting: TaxonomySource, lang: str, label: str
) -> None:
    uri = next(o["_id"] for o in accounting.occupations if o["label"] == "accountant")

    body = client.get(f"/occupations/{uri}", query_string={"lang": lang}).get_json()

    assert (body["label"], body["label_lang"], body["label_en"]) == (label, lang, "accountant")
