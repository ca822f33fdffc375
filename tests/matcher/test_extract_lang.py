"""POST /occupations/match shows its labels in ``?lang=`` as the taxonomy endpoints do."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from services.matcher.esco.release import iter_occupations
from services.matcher.esco.taxonomy import TaxonomySource, import_taxonomy
from tests.matcher.conftest import SHARED, needs_esco


@pytest.fixture
def accounting(app: object) -> TaxonomySource:
    # A small real slice: the accountants and a few neighbouring ICT/finance occupations.
    occs = list(iter_occupations(SHARED))
    family = {o.uri for o in occs if "account" in o.label or "bookkeeper" in o.label}
    others = sorted(o.uri for o in occs if o.isco_group[:3] in {"241", "251"})
    keep = family | set(others[:20])
    source = TaxonomySource.from_dir(SHARED, occupation_filter=lambda o: o.uri in keep)
    import_taxonomy(source)
    return source


def _match(client: FlaskClient, title: str, lang: str | None) -> list[dict[str, object]]:
    qs = {"lang": lang} if lang else {}
    resp = client.post("/occupations/match", json={"title": title}, query_string=qs)
    assert resp.status_code == 200, resp.get_json()
    items: list[dict[str, object]] = resp.get_json()["items"]
    return items


@needs_esco
@pytest.mark.parametrize(
    ("lang", "label"), [("ru", "главный бухгалтер"), ("kk", "бас есепші"), ("en", None)]
)
def test_match_labels_follow_lang(
    client: FlaskClient, accounting: TaxonomySource, lang: str, label: str | None
) -> None:
    top = _match(client, "Главный бухгалтер", lang)[0]

    assert top["label_en"] == "accounting manager"
    if label is None:
        assert (top["label"], top["label_lang"]) == ("accounting manager", "en")
    else:
        assert (str(top["label"]).lower(), top["label_lang"]) == (label, lang)


@needs_esco
def test_match_without_lang_answers_english_with_the_same_ranking(
    client: FlaskClient, accounting: TaxonomySource
) -> None:
    plain = _match(client, "Бас есепші", None)
    ru = _match(client, "Бас есепші", "ru")

    assert all(it["label_lang"] == "en" and it["label"] == it["label_en"] for it in plain)
    assert [it["uri"] for it in plain] == [it["uri"] for it in ru]
    assert [it["score"] for it in plain] == [it["score"] for it in ru]


@needs_esco
def test_an_occupation_without_an_authored_name_falls_back_to_english(
    client: FlaskClient, accounting: TaxonomySource
) -> None:
    from services.matcher.ml.vocabulary import occupation_labels

    named = occupation_labels("kk")
    items = _match(client, "accountant", "kk")
    for it in items:
        if it["uri"] in named:
            assert (it["label"], it["label_lang"]) == (named[str(it["uri"])], "kk")
        else:
            assert (it["label"], it["label_lang"]) == (it["label_en"], "en")


@pytest.mark.parametrize("bad", ["de", "KK", "russian", ""])
def test_an_unknown_lang_is_a_422_naming_the_field(client: FlaskClient, bad: str) -> None:
    resp = client.post(
        "/occupations/match", json={"title": "бухгалтер"}, query_string={"lang": bad}
    )

    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    assert [e["field"] for e in resp.get_json()["errors"]] == ["query.lang"]
