"""Learner profiles over HTTP: create, read, partial update, list with filters."""

from __future__ import annotations

from flask.testing import FlaskClient

from .helpers import SKILL, create_learner, feed, field_names, learner_payload


def test_create_then_read_returns_the_profile(client: FlaskClient) -> None:
    created = create_learner(client, name="Нурлан Жумабаев", email="Nurlan.Zh@Example.com")
    got = client.get(f"/learners/{created['id']}")
    assert got.status_code == 200
    body = got.get_json()
    assert body["name"] == "Нурлан Жумабаев"
    assert body["email"] == "Nurlan.Zh@Example.com"
    assert body["languages"] == [{"code": "kk", "level": "native"}, {"code": "ru", "level": "C1"}]
    assert body["consent"] is True and body["consent_at"] is not None
    assert body["skills"] == [] and body["rejected_skills"] == []


def test_created_self_skills_have_source_self(client: FlaskClient) -> None:
    learner = create_learner(
        client, skills=[{"uri": SKILL + "sql", "label": "SQL", "level": 3}, {"label": "Excel"}]
    )
    assert [(s["label"], s["source"], s["level"]) for s in learner["skills"]] == [
        ("SQL", "self", 3),
        ("Excel", "self", None),
    ]


def test_unknown_learner_is_404_problem(client: FlaskClient) -> None:
    for path in ["/learners/0123456789abcdef01234567", "/learners/not-an-id"]:
        resp = client.get(path)
        assert resp.status_code == 404
        assert resp.mimetype == "application/problem+json"


def test_duplicate_email_is_409_case_insensitive(client: FlaskClient) -> None:
    create_learner(client, email="dmitry.kovalev@example.com")
    dup = client.post("/learners", json=learner_payload(email="Dmitry.KOVALEV@example.com"))
    assert dup.status_code == 409
    assert field_names(dup) == ["email"]
    assert client.get("/learners").get_json()["total"] == 1


def test_patch_changes_only_given_fields(client: FlaskClient) -> None:
    learner = create_learner(client)
    resp = client.patch(
        f"/learners/{learner['id']}", json={"region": "shymkent", "cv_text": "New CV"}
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["region"], body["cv_text"]) == ("shymkent", "New CV")
    assert body["name"] == learner["name"] and body["languages"] == learner["languages"]
    # BSON keeps milliseconds: a patch in the same millisecond as the create keeps the stamp.
    assert body["updated_at"] >= learner["updated_at"]


def test_patch_validates_the_merged_profile(client: FlaskClient) -> None:
    learner = create_learner(client)
    resp = client.patch(f"/learners/{learner['id']}", json={"name": None})
    assert resp.status_code == 422
    assert field_names(resp) == ["name"]
    assert client.get(f"/learners/{learner['id']}").get_json()["name"] == learner["name"]


def test_patch_to_a_taken_email_is_409(client: FlaskClient) -> None:
    create_learner(client, email="taken@example.com")
    other = create_learner(client)
    resp = client.patch(f"/learners/{other['id']}", json={"email": "TAKEN@example.com"})
    assert resp.status_code == 409
    own = client.patch(f"/learners/{other['id']}", json={"email": other["email"].upper()})
    assert own.status_code == 200


def test_consent_time_is_set_when_given_and_cleared_when_withdrawn(client: FlaskClient) -> None:
    learner = create_learner(client, consent=False)
    assert learner["consent_at"] is None
    given = client.patch(f"/learners/{learner['id']}", json={"consent": True}).get_json()
    assert given["consent_at"] is not None
    again = client.patch(f"/learners/{learner['id']}", json={"cv_text": "x"}).get_json()
    assert again["consent_at"] == given["consent_at"]
    withdrawn = client.patch(f"/learners/{learner['id']}", json={"consent": False}).get_json()
    assert withdrawn["consent_at"] is None


def test_patch_without_change_emits_no_event(client: FlaskClient) -> None:
    learner = create_learner(client)
    before = len(feed(client))
    client.patch(f"/learners/{learner['id']}", json={"region": learner["region"]})
    assert len(feed(client)) == before


def _ids(client: FlaskClient, query: str) -> set[str]:
    resp = client.get(f"/learners?{query}&limit=200")
    assert resp.status_code == 200, resp.get_json()
    return {item["id"] for item in resp.get_json()["items"]}


def test_list_filters(client: FlaskClient) -> None:
    a = create_learner(
        client,
        name="Дмитрий Ковалёв",
        email="dmitry@example.com",
        region="karaganda",
        programme="tomorrow-school",
        languages=[{"code": "ru", "level": "native"}, {"code": "en", "level": "B2"}],
        skills=[{"uri": SKILL + "python", "label": "Python"}],
        consent=False,
    )
    b = create_learner(client, name="Айгерим Сапарова", email="aigerim@example.org")
    c = create_learner(
        client,
        name="Alia Omarova",
        email="alia.o@example.net",
        region="shymkent",
        programme="other",
        cohort=None,
        languages=[{"code": "kk", "level": "native"}],
    )
    assert _ids(client, "region=karaganda") == {a["id"]}
    assert _ids(client, "region=karaganda,shymkent") == {a["id"], c["id"]}
    assert _ids(client, "region=karaganda&region=astana") == {a["id"], b["id"]}
    assert _ids(client, "programme=ai-sana") == {b["id"]}
    assert _ids(client, "language=en") == {a["id"]}
    assert _ids(client, "language=kk") == {b["id"], c["id"]}
    assert _ids(client, f"skill={SKILL}python") == {a["id"]}
    assert _ids(client, "consent=false") == {a["id"]}
    assert _ids(client, "consent=true") == {b["id"], c["id"]}
    assert _ids(client, "cohort=2025-autumn") == {a["id"], b["id"]}
    assert _ids(client, "q=ковалёв") == {a["id"]}
    assert _ids(client, "q=EXAMPLE.ORG") == {b["id"]}
    assert _ids(client, "q=example&region=shymkent") == {c["id"]}


def test_q_is_matched_literally_never_as_a_pattern(client: FlaskClient) -> None:
    create_learner(client, name="Anna Petrova", email="anna@example.com")
    for text in [".*", "a.+a", "[a-z]", "^A", '{"$gt": ""}', "$where"]:
        resp = client.get("/learners", query_string={"q": text})
        assert resp.status_code == 200
        assert resp.get_json()["total"] == 0, text
    assert client.get("/learners?q=a.com").get_json()["total"] == 0
    assert client.get("/learners?q=anna@").get_json()["total"] == 1


def test_pagination_reports_total_and_pages_do_not_overlap(client: FlaskClient) -> None:
    made = [create_learner(client)["id"] for _ in range(7)]
    first = client.get("/learners?limit=3&offset=0").get_json()
    second = client.get("/learners?limit=3&offset=3").get_json()
    third = client.get("/learners?limit=3&offset=6").get_json()
    assert first["total"] == second["total"] == third["total"] == 7
    seen = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert seen == made


def test_created_and_updated_profiles_are_announced_without_name_or_email(
    client: FlaskClient,
) -> None:
    learner = create_learner(client, name="Нурлан Жумабаев", email="nurlan@example.com")
    client.patch(f"/learners/{learner['id']}", json={"region": "pavlodar"})
    events = [e for e in feed(client) if e["id"] == learner["id"]]
    assert [e["type"] for e in events] == ["learner.created", "learner.updated"]
    assert events[1]["data"]["region"] == "pavlodar"
    for event in events:
        assert "name" not in event["data"] and "email" not in event["data"]
        assert set(event["data"]) >= {
            "id", "region", "programme", "languages", "skills", "rejected_skills",
            "desired_occupations", "cv_text", "consent", "updated_at",
        }  # fmt: skip
