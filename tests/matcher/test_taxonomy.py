"""ESCO import (idempotent, relations embedded) and the taxonomy endpoints."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from services.matcher.esco.models import EscoOccupation, EscoSkill, EscoSkillGroup
from services.matcher.esco.taxonomy import TaxonomySource, import_taxonomy, main
from tests.matcher.conftest import SHARED, SUBSET_OCCUPATIONS, SUBSET_SKILLS, needs_esco

pytestmark = needs_esco


def test_import_stores_skills_occupations_relations_and_groups(
    app, esco_subset: TaxonomySource
) -> None:
    result = import_taxonomy(esco_subset)

    assert result["skills"]["inserted"] == EscoSkill.objects.count() == SUBSET_SKILLS
    assert result["occupations"]["inserted"] == EscoOccupation.objects.count() == SUBSET_OCCUPATIONS
    assert EscoSkillGroup.objects.count() == len(esco_subset.groups) > 600
    stored = {s.uri for s in EscoSkill.objects.only("uri")}
    for occ in EscoOccupation.objects:
        # Relations point only at stored skills, and a skill is essential or optional, not both.
        assert set(occ.essential_skills) | set(occ.optional_skills) <= stored
        assert not set(occ.essential_skills) & set(occ.optional_skills)
    assert sum(len(o.essential_skills) for o in EscoOccupation.objects) > SUBSET_OCCUPATIONS


def test_second_import_changes_nothing_and_an_edit_is_applied(
    app, esco_subset: TaxonomySource
) -> None:
    import_taxonomy(esco_subset)
    again = import_taxonomy(esco_subset)
    assert again["skills"] == {"inserted": 0, "updated": 0, "unchanged": SUBSET_SKILLS}
    assert again["occupations"]["inserted"] == again["occupations"]["updated"] == 0

    edited = TaxonomySource(
        skills=[{**esco_subset.skills[0], "label": "renamed"}, *esco_subset.skills[1:]],
        occupations=esco_subset.occupations,
        groups=esco_subset.groups,
    )
    third = import_taxonomy(edited)
    assert third["skills"]["updated"] == 1
    assert EscoSkill.objects.get(uri=esco_subset.skills[0]["_id"]).label == "renamed"
    assert EscoSkill.objects.count() == SUBSET_SKILLS


def test_command_line_imports_an_isco_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QABILET_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("QABILET_EMBEDDER", "fake")
    assert main(["import", "--data-dir", str(SHARED), "--isco", "2512"]) == 0
    out = capsys.readouterr().out
    assert "occupations: inserted" in out
    assert EscoOccupation.objects.count() >= 3
    assert all(o.isco_group == "2512" for o in EscoOccupation.objects)
    assert main(["import", "--data-dir", str(SHARED), "--isco", "2512"]) == 0
    assert "inserted 0, updated 0" in capsys.readouterr().out


def test_skill_search_ranks_exact_and_prefix_matches_first(
    client: FlaskClient, taxonomy: TaxonomySource
) -> None:
    label = taxonomy.skills[0]["label"]
    page = client.get("/skills", query_string={"q": label, "limit": 5}).get_json()
    assert page["items"][0]["label"] == label
    assert page["total"] >= 1 and page["limit"] == 5
    everything = client.get("/skills?limit=1").get_json()
    assert everything["total"] == SUBSET_SKILLS


def test_skill_detail_by_full_uri_or_identifier(
    client: FlaskClient, taxonomy: TaxonomySource
) -> None:
    occ = next(o for o in taxonomy.occupations if o["essential_skills"])
    uri = occ["essential_skills"][0]
    by_path = client.get(f"/skills/{uri}")
    by_quoted = client.get("/skills/" + quote(uri, safe=""))
    by_id = client.get("/skills/" + uri.rsplit("/", 1)[1])
    for resp in (by_path, by_quoted, by_id):
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["uri"] == uri
        assert occ["_id"] in {o["uri"] for o in body["essential_for"]}
    assert client.get("/skills/http://data.europa.eu/esco/skill/nope").status_code == 404


def test_occupation_search_and_detail_list_essential_skills(
    client: FlaskClient, taxonomy: TaxonomySource
) -> None:
    occ = next(o for o in taxonomy.occupations if o["essential_skills"])
    page = client.get("/occupations", query_string={"q": occ["label"]}).get_json()
    assert page["items"][0]["uri"] == occ["_id"]
    body = client.get(f"/occupations/{occ['_id']}").get_json()
    assert [s["uri"] for s in body["essential_skills"]] == occ["essential_skills"]
    assert body["label"] == occ["label"] and body["isco_group"].startswith("25")


def test_extract_and_title_match_need_the_taxonomy(client: FlaskClient) -> None:
    resp = client.post("/skills/extract", json={"text": "I write Python"})
    assert resp.status_code == 503
    assert "taxonomy" in resp.get_json()["detail"]


def test_extract_finds_skills_with_evidence(client: FlaskClient, taxonomy: TaxonomySource) -> None:
    label = next(s["label"] for s in taxonomy.skills if len(s["label"].split()) >= 2)
    text = f"Our team is friendly. You will {label} every day."
    body = client.post("/skills/extract", json={"text": text, "min_confidence": 0.0}).get_json()
    assert body["model"] == "fake"
    top = body["items"][0]
    assert top["label"] == label
    assert top["evidence"] == f"You will {label} every day."


def test_title_match_ranks_the_named_occupation_first(
    client: FlaskClient, taxonomy: TaxonomySource
) -> None:
    occ = taxonomy.occupations[3]
    body = client.post("/occupations/match", json={"title": occ["label"], "top_k": 3}).get_json()
    assert body["items"][0]["uri"] == occ["_id"]
    assert len(body["items"]) == 3


@pytest.mark.parametrize(
    "payload", [{"text": ""}, {"text": "x", "top_k": 0}, {"text": "x", "lang": "de"}, {}]
)
def test_extract_rejects_bad_input(client: FlaskClient, payload: dict) -> None:
    assert client.post("/skills/extract", json=payload).status_code == 422
