"""The benchmark contract of POST /skills/extract: the ranking at min_confidence 0, else the set."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from services.matcher.esco.taxonomy import TaxonomySource
from services.matcher.ml.vocabulary.matcher import load_terms
from services.matcher.quality.evaluate import EvalHost, api_call
from services.matcher.recommend.state import Matcher

pytestmark = pytest.mark.usefixtures("taxonomy")


def _extract(client: FlaskClient, **body: Any) -> Any:
    return client.post("/skills/extract", json=body)


def test_min_confidence_zero_returns_the_full_ranking(client: FlaskClient) -> None:
    # One short sentence: the old path gave at most 2 skills per clause whatever top_k said.
    resp = _extract(client, text="We build web services.", min_confidence=0, top_k=100)
    assert resp.status_code == 200
    items = resp.get_json()["items"]
    assert len(items) == 100
    assert len({it["uri"] for it in items}) == 100
    assert all(0.0 <= it["confidence"] <= 1.0 for it in items)
    assert all(it["evidence"] == "We build web services." for it in items)
    assert all(it["source"] in ("vocabulary", "model") for it in items)


def test_ranking_is_the_prefix_of_a_longer_ranking(client: FlaskClient) -> None:
    text = "Design software. Test the code and review it, write documentation."
    top10 = _extract(client, text=text, min_confidence=0, top_k=10).get_json()["items"]
    top50 = _extract(client, text=text, min_confidence=0, top_k=50).get_json()["items"]
    assert [it["uri"] for it in top50[:10]] == [it["uri"] for it in top10]
    assert {it["evidence"] for it in top50} <= {"Design software.", text.split(". ", 1)[1]}


def test_default_call_keeps_the_thresholded_set(
    client: FlaskClient, taxonomy: TaxonomySource
) -> None:
    label = next(s["label"] for s in taxonomy.skills if len(s["label"].split()) >= 2)
    text = f"Our office is friendly. You will {label} every day."
    ranking = _extract(client, text=text, min_confidence=0, top_k=100).get_json()["items"]
    found = _extract(client, text=text).get_json()["items"]
    assert 0 < len(found) < len(ranking)
    assert found[0]["label"] == label
    assert found[0]["evidence"] == f"You will {label} every day."
    strict = _extract(client, text=text, min_confidence=0.9).get_json()["items"]
    assert all(it["confidence"] >= 0.9 for it in strict)


def test_a_vocabulary_hit_says_which_words_named_it(
    client: FlaskClient, taxonomy: TaxonomySource
) -> None:
    uris = {s["_id"] for s in taxonomy.skills}
    term = next(t for t in load_terms() if t.uri in uris and t.lang == "any" and " " not in t.text)
    text = f"Опыт работы с {term.text}."
    default = _extract(client, text=text).get_json()["items"]
    # The default call puts what the vocabulary names first; the ranking scores it like the rest.
    assert default[0]["uri"] == term.uri
    ranking = _extract(client, text=text, min_confidence=0, top_k=100).get_json()["items"]
    for items in (default, ranking):
        hit = next(it for it in items if it["uri"] == term.uri)
        assert hit["source"] == "vocabulary"
        assert hit["matched"].lower() == term.text.lower()


def test_make_eval_scores_through_the_api_code_path(client: FlaskClient, matcher: Matcher) -> None:
    text = "Write SQL queries. Manage a team of developers, plan the budget."
    over_http = _extract(client, text=text, min_confidence=0, top_k=100).get_json()["items"]
    host = EvalHost(matcher.extractor())  # type: ignore[arg-type]
    assert api_call(host, text, min_confidence=0.0, top_k=100) == over_http


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 50_001}, "text"),
        ({"text": "Python", "top_k": 101}, "top_k"),
        ({"text": "Python", "top_k": 0}, "top_k"),
        ({"text": "Python", "min_confidence": -0.1}, "min_confidence"),
        ({"text": "Python", "lang": "de"}, "lang"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: FlaskClient, body: dict[str, Any], field: str
) -> None:
    resp = client.post("/skills/extract", json=body)
    assert resp.status_code == 422
    assert resp.content_type.startswith("application/problem+json")
    assert field in resp.get_data(as_text=True)


@pytest.mark.parametrize("text", ["日本語のテキストです。", "١٢٣ مرحبا", "3 года", "!!!"])
def test_other_scripts_still_get_an_answer(client: FlaskClient, text: str) -> None:
    for body in ({"text": text}, {"text": text, "min_confidence": 0, "top_k": 5}):
        assert client.post("/skills/extract", json=body).status_code == 200
