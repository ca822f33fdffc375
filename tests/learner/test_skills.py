"""Skills on a profile: declared, removed, rejected, and the matcher's write-back."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from .helpers import SKILL, create_learner, feed, field_names

PY = SKILL + "python"
SQL = SKILL + "sql"
EXCEL = SKILL + "excel"


def _skills(client: FlaskClient, learner_id: str) -> dict[str, dict[str, Any]]:
    body = client.get(f"/learners/{learner_id}").get_json()
    return {s["uri"] or s["label"]: s for s in body["skills"]}


def _extract(client: FlaskClient, learner_id: str, *items: tuple[str, float]) -> Any:
    skills = [
        {"uri": uri, "label": uri.rsplit("/", 1)[-1], "confidence": conf, "evidence": "from CV"}
        for uri, conf in items
    ]
    return client.put(f"/learners/{learner_id}/extracted-skills", json={"skills": skills})


def test_add_self_skill(client: FlaskClient) -> None:
    learner = create_learner(client)
    resp = client.post(
        f"/learners/{learner['id']}/skills", json={"uri": PY, "label": "Python", "level": 3}
    )
    assert resp.status_code == 201
    skill = _skills(client, learner["id"])[PY]
    assert (skill["source"], skill["level"], skill["evidence"]) == ("self", 3, None)


def test_adding_the_same_skill_twice_updates_it(client: FlaskClient) -> None:
    learner = create_learner(client)
    client.post(f"/learners/{learner['id']}/skills", json={"uri": PY, "label": "Python"})
    client.post(
        f"/learners/{learner['id']}/skills", json={"uri": PY, "label": "Python 3", "level": 4}
    )
    skills = _skills(client, learner["id"])
    assert len(skills) == 1 and (skills[PY]["label"], skills[PY]["level"]) == ("Python 3", 4)


def test_delete_skill_by_uri_and_by_label(client: FlaskClient) -> None:
    learner = create_learner(client)
    client.post(f"/learners/{learner['id']}/skills", json={"uri": PY, "label": "Python"})
    client.post(f"/learners/{learner['id']}/skills", json={"label": "Public speaking"})
    assert client.delete(f"/learners/{learner['id']}/skills/{PY}").status_code == 204
    assert client.delete(f"/learners/{learner['id']}/skills/public speaking").status_code == 204
    assert _skills(client, learner["id"]) == {}
    again = client.delete(f"/learners/{learner['id']}/skills/{PY}")
    assert again.status_code == 404


def test_rejected_skill_is_removed_and_never_comes_back_as_extracted(
    client: FlaskClient,
) -> None:
    learner = create_learner(client)
    lid = learner["id"]
    assert _extract(client, lid, (PY, 0.9), (SQL, 0.7)).status_code == 200
    assert set(_skills(client, lid)) == {PY, SQL}
    resp = client.post(f"/learners/{lid}/skills/{PY}/reject")
    assert resp.status_code == 200
    assert resp.get_json()["rejected_skills"] == [PY]
    assert set(_skills(client, lid)) == {SQL}
    _extract(client, lid, (PY, 0.99), (SQL, 0.7), (EXCEL, 0.6))
    assert set(_skills(client, lid)) == {SQL, EXCEL}
    assert client.get(f"/learners/{lid}").get_json()["rejected_skills"] == [PY]


def test_rejecting_requires_a_uri_and_an_existing_learner(client: FlaskClient) -> None:
    learner = create_learner(client)
    bad = client.post(f"/learners/{learner['id']}/skills/not a uri/reject")
    assert bad.status_code == 422 and field_names(bad) == ["uri"]
    missing = client.post(f"/learners/0123456789abcdef01234567/skills/{PY}/reject")
    assert missing.status_code == 404


def test_declaring_a_rejected_skill_lifts_the_rejection(client: FlaskClient) -> None:
    learner = create_learner(client)
    lid = learner["id"]
    client.post(f"/learners/{lid}/skills/{PY}/reject")
    client.post(f"/learners/{lid}/skills", json={"uri": PY, "label": "Python"})
    body = client.get(f"/learners/{lid}").get_json()
    assert body["rejected_skills"] == []
    assert [s["source"] for s in body["skills"]] == ["self"]


def test_extracted_skills_replace_previous_extracted_but_keep_others(
    client: FlaskClient,
) -> None:
    learner = create_learner(client, skills=[{"uri": SQL, "label": "SQL", "level": 2}])
    lid = learner["id"]
    _extract(client, lid, (PY, 0.8), (SQL, 0.9))
    skills = _skills(client, lid)
    # A skill the learner declared stays theirs, with their level.
    assert (skills[SQL]["source"], skills[SQL]["level"]) == ("self", 2)
    assert (skills[PY]["source"], skills[PY]["confidence"]) == ("extracted", 0.8)
    _extract(client, lid, (EXCEL, 0.5))
    assert {k: s["source"] for k, s in _skills(client, lid).items()} == {
        SQL: "self",
        EXCEL: "extracted",
    }


def test_extracted_write_back_announces_only_changes(client: FlaskClient) -> None:
    learner = create_learner(client)
    lid = learner["id"]
    start = len(feed(client))
    _extract(client, lid, (PY, 0.8))
    _extract(client, lid, (PY, 0.8))
    events = feed(client)[start:]
    assert [e["type"] for e in events] == ["learner.updated"]
    assert [s["uri"] for s in events[0]["data"]["skills"]] == [PY]


def test_extracted_duplicates_keep_the_most_confident(client: FlaskClient) -> None:
    learner = create_learner(client)
    _extract(client, learner["id"], (PY, 0.4), (PY, 0.9), (PY, 0.6))
    skills = _skills(client, learner["id"])
    assert list(skills) == [PY] and skills[PY]["confidence"] == 0.9


def test_confirming_an_extracted_skill_makes_it_self(client: FlaskClient) -> None:
    learner = create_learner(client)
    lid = learner["id"]
    _extract(client, lid, (PY, 0.8))
    client.post(f"/learners/{lid}/skills", json={"uri": PY, "label": "Python", "level": 4})
    skill = _skills(client, lid)[PY]
    assert (skill["source"], skill["level"], skill["confidence"]) == ("self", 4, None)
    # A later write-back without it does not take the confirmed skill away.
    _extract(client, lid)
    assert PY in _skills(client, lid)


def test_invalid_extracted_skills_are_422(client: FlaskClient) -> None:
    learner = create_learner(client)
    resp = client.put(
        f"/learners/{learner['id']}/extracted-skills",
        json={"skills": [{"uri": PY, "label": "Python", "confidence": 1.5}]},
    )
    assert resp.status_code == 422 and field_names(resp) == ["skills.0.confidence"]
    no_uri = client.put(
        f"/learners/{learner['id']}/extracted-skills", json={"skills": [{"label": "Python"}]}
    )
    assert no_uri.status_code == 422 and field_names(no_uri) == ["skills.0.uri"]


def test_redeclaring_an_unchanged_skill_announces_nothing(client: FlaskClient) -> None:
    learner = create_learner(client)
    body = {"uri": PY, "label": "Python", "level": 2}
    client.post(f"/learners/{learner['id']}/skills", json=body)
    before = len(feed(client))
    assert client.post(f"/learners/{learner['id']}/skills", json=body).status_code == 201
    assert len(feed(client)) == before
