"""``?lang=kk|ru|en`` on the taxonomy endpoints: vocabulary labels, else the ESCO label, said so."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from services.matcher.esco.taxonomy import TaxonomySource
from services.matcher.ml.vocabulary import display_labels


def _split(taxonomy: TaxonomySource, lang: str) -> tuple[dict, dict]:
    """Return a subset skill with a label in ``lang`` and one without."""
    labels = display_labels(lang)
    named = next(s for s in taxonomy.skills if s["_id"] in labels)
    unnamed = next(s for s in taxonomy.skills if s["_id"] not in labels)
    return named, unnamed


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_skill_detail_in_the_language_asked_where_the_vocabulary_has_a_label(
    client: FlaskClient, taxonomy: TaxonomySource, lang: str
) -> None:
    named, unnamed = _split(taxonomy, lang)

    shown = client.get(f"/skills/{named['_id']}", query_string={"lang": lang}).get_json()
    english = client.get(f"/skills/{unnamed['_id']}", query_string={"lang": lang}).get_json()

    assert shown["label"] == display_labels(lang)[named["_id"]] != named["label"]
    assert shown["label_lang"] == lang and shown["label_en"] == named["label"]
    assert english["label"] == unnamed["label"] and english["label_lang"] == "en"


def test_skill_search_shows_russian_labels_and_says_which_are_english(
    client: FlaskClient, taxonomy: TaxonomySource
) -> None:
    named, unnamed = _split(taxonomy, "ru")

    hits = {}
    for s in (named, unnamed):
        page = client.get("/skills", query_string={"q": s["label"], "lang": "ru"}).get_json()
        hits[s["_id"]] = next(i for i in page["items"] if i["uri"] == s["_id"])

    assert hits[named["_id"]]["label_lang"] == "ru"
    assert hits[named["_id"]]["label"] == display_labels("ru")[named["_id"]]
    assert hits[unnamed["_id"]]["label"] == unnamed["label"]
    assert hits[unnamed["_id"]]["label_lang"] == "en"


def test_without_lang_labels_stay_english(client: FlaskClient, taxonomy: TaxonomySource) -> None:
    named, _ = _split(taxonomy, "ru")

    body = client.get(f"/skills/{named['_id']}").get_json()

    assert body["label"] == named["label"] and body["label_lang"] == "en"


def test_occupation_detail_lists_its_skills_in_russian_where_it_can(
    client: FlaskClient, taxonomy: TaxonomySource
) -> None:
    labels = display_labels("ru")
    occ = next(
        o
        for o in taxonomy.occupations
        if any(u in labels for u in o["essential_skills"])
        and any(u not in labels for u in o["essential_skills"])
    )

    body = client.get(f"/occupations/{occ['_id']}", query_string={"lang": "ru"}).get_json()

    langs = {s["uri"]: s["label_lang"] for s in body["essential_skills"]}
    assert {u for u, lang in langs.items() if lang == "ru"} == {
        u for u in occ["essential_skills"] if u in labels
    }
    assert "en" in langs.values()
    assert body["label_lang"] in {"ru", "en"}


@pytest.mark.parametrize(
    "path", ["/skills", "/occupations", "/skills/{skill}", "/occupations/{occupation}"]
)
def test_unknown_lang_is_a_422_naming_lang(
    client: FlaskClient, taxonomy: TaxonomySource, path: str
) -> None:
    url = path.format(skill=taxonomy.skills[0]["_id"], occupation=taxonomy.occupations[0]["_id"])

    resp = client.get(url, query_string={"lang": "xx"})

    assert resp.status_code == 422
    assert resp.content_type.startswith("application/problem+json")
    assert any("lang" in str(e.get("field", "")) for e in resp.get_json()["errors"])
