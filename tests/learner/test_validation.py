"""Every invalid input is a problem+json naming the field, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .helpers import course_payload, create_course, create_learner, field_names, learner_payload

GT = {"$gt": ""}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "two@@example.com"}, "email"),
        ({"email": "no-tld@example"}, "email"),
        ({"email": "a b@example.com"}, "email"),
        ({"email": GT}, "email"),
        ({"name": GT}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 42}, "name"),
        ({"region": "moscow"}, "region"),
        ({"region": GT}, "region"),
        ({"programme": "harvard"}, "programme"),
        ({"cohort": "autumn"}, "cohort"),
        ({"languages": [{"code": "kk", "level": "fluent"}]}, "languages.0.level"),
        ({"languages": [{"code": "de", "level": "B1"}]}, "languages.0.code"),
        (
            {"languages": [{"code": "kk", "level": "B1"}, {"code": "kk", "level": "C1"}]},
            "languages",
        ),
        ({"languages": "kk"}, "languages"),
        ({"skills": [{"label": "SQL", "level": 9}]}, "skills.0.level"),
        ({"skills": [{"label": "SQL", "uri": "javascript:alert(1)"}]}, "skills.0.uri"),
        ({"skills": [{"label": "SQL", "source": "course"}]}, "skills.0.source"),
        ({"desired_occupations": [{}]}, "desired_occupations.0"),
        ({"consent": "yes"}, "consent"),
        ({"consent": 1}, "consent"),
        ({"cv_text": "x" * 20_001}, "cv_text"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"rejected_skills": []}, "rejected_skills"),
    ],
)
def test_invalid_learner_is_422_naming_the_field(
    client: FlaskClient, changes: dict[str, Any], field: str
) -> None:
    resp = client.post("/learners", json=learner_payload(**changes))
    assert resp.status_code == 422
    assert field in field_names(resp)
    assert client.get("/learners").get_json()["total"] == 0


def test_missing_required_fields_are_all_named(client: FlaskClient) -> None:
    resp = client.post("/learners", json={})
    assert resp.status_code == 422
    assert set(field_names(resp)) == {"name", "email", "region"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "bad"}, "email"),
        ({"region": "atlantis"}, "region"),
        ({"languages": [{"code": "en", "level": "D1"}]}, "languages.0.level"),
        ({"skills": []}, "skills"),
        ({"email": None}, "email"),
        ({"name": GT}, "name"),
    ],
)
def test_invalid_patch_is_422_and_changes_nothing(
    client: FlaskClient, changes: dict[str, Any], field: str
) -> None:
    learner = create_learner(client)
    resp = client.patch(f"/learners/{learner['id']}", json=changes)
    assert resp.status_code == 422
    assert field in field_names(resp)
    assert client.get(f"/learners/{learner['id']}").get_json() == learner


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region=mars", "query.region.0"),
        ('region={"$gt":""}', "query.region.0"),
        ("programme[$ne]=x", "query.programme[$ne]"),
        ("q[$regex]=.*", "query.q[$regex]"),
        ('skill={"$gt":""}', "query.skill.0"),
        ("language=fr", "query.language.0"),
        ("consent=maybe", "query.consent"),
        ("limit=0", "query.limit"),
        ("limit=abc", "query.limit"),
        ("offset=-1", "query.offset"),
        ("colour=red", "query.colour"),
    ],
)
def test_invalid_learner_filters_are_422_naming_the_parameter(
    client: FlaskClient, query: str, field: str
) -> None:
    resp = client.get(f"/learners?{query}")
    assert resp.status_code == 422
    assert field in field_names(resp)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": -5}, "hours"),
        ({"hours": 0}, "hours"),
        ({"hours": "40"}, "hours"),
        ({"price_kzt": -1}, "price_kzt"),
        ({"price_kzt": 10.5}, "price_kzt"),
        ({"level": "expert"}, "level"),
        ({"language": "Russian"}, "language"),
        ({"title": GT}, "title"),
        ({"provider": ""}, "provider"),
        ({"url": "ftp://example.com"}, "url"),
        ({"skills": [{"uri": "http://x/1"}]}, "skills.0.label"),
        ({"prerequisites": ["nope"]}, "prerequisites.0"),
        ({"prerequisites": ["0123456789abcdef01234567"]}, "prerequisites.0"),
        ({"state_funded": "true"}, "state_funded"),
        ({"teacher": "me"}, "teacher"),
    ],
)
def test_invalid_course_is_422_naming_the_field(
    client: FlaskClient, changes: dict[str, Any], field: str
) -> None:
    resp = client.post("/courses", json=course_payload(**changes))
    assert resp.status_code == 422
    assert field in field_names(resp)
    assert client.get("/courses").get_json()["total"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=expert", "query.level.0"),
        ("free=perhaps", "query.free"),
        ("max_hours=-3", "query.max_hours"),
        ("language=russian", "query.language.0"),
        ("title[$regex]=.", "query.title[$regex]"),
    ],
)
def test_invalid_course_filters_are_422(client: FlaskClient, query: str, field: str) -> None:
    resp = client.get(f"/courses?{query}")
    assert resp.status_code == 422
    assert field in field_names(resp)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"learner_id": GT, "course_id": "0123456789abcdef01234567"}, "learner_id"),
        ({"learner_id": "0123456789abcdef01234567"}, "course_id"),
        ({"learner_id": "x", "course_id": "y"}, "learner_id"),
    ],
)
def test_invalid_enrolment_is_422(client: FlaskClient, body: dict[str, Any], field: str) -> None:
    resp = client.post("/enrolments", json=body)
    assert resp.status_code == 422
    assert field in field_names(resp)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ('learner_id={"$gt":""}', "query.learner_id"),
        ("status=finished", "query.status.0"),
        ("course_id=abc", "query.course_id"),
    ],
)
def test_invalid_enrolment_filters_are_422(client: FlaskClient, query: str, field: str) -> None:
    resp = client.get(f"/enrolments?{query}")
    assert resp.status_code == 422
    assert field in field_names(resp)


def test_enrolment_naming_unknown_learner_or_course_is_422(client: FlaskClient) -> None:
    learner = create_learner(client)
    course = create_course(client)
    missing = "0123456789abcdef01234567"
    no_learner = client.post("/enrolments", json={"learner_id": missing, "course_id": course["id"]})
    no_course = client.post("/enrolments", json={"learner_id": learner["id"], "course_id": missing})
    assert field_names(no_learner) == ["learner_id"] and no_learner.status_code == 422
    assert field_names(no_course) == ["course_id"] and no_course.status_code == 422


def test_one_megabyte_body_is_413(client: FlaskClient) -> None:
    huge = learner_payload(cv_text="x" * 1_000_000)
    resp = client.post("/learners", json=huge)
    assert resp.status_code == 413
    assert resp.mimetype == "application/problem+json"
    assert client.get("/learners").get_json()["total"] == 0


def test_malformed_json_and_wrong_content_type_are_problems(client: FlaskClient) -> None:
    bad = client.post("/learners", data=b'{"name": ', content_type="application/json")
    assert bad.status_code == 400 and field_names(bad) == ["body"]
    form = client.post("/learners", data={"name": "x"})
    assert form.status_code == 415 and field_names(form) == ["Content-Type"]
    array = client.post("/learners", json=[learner_payload()])
    assert array.status_code == 422 and field_names(array) == ["body"]
