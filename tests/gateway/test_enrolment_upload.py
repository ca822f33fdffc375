"""A provider's CSV upload through the gateway: own courses only, reporter stamped, rows logged."""

from __future__ import annotations

import uuid
from io import BytesIO
from typing import Any

from flask.testing import FlaskClient

from tests.gateway.fresh import aside_skills
from tests.gateway.world import API, Actor, World, learner_profile, make_provider, ok

CSV = "text/csv"


def _learner(client: FlaskClient, world: World) -> dict[str, Any]:
    email = f"{uuid.uuid4().hex[:10]}@upload.kz"
    profile = learner_profile("Upload Learner", [], consent=True)
    return ok(
        client.post(
            f"{API}/learners", headers=world["admin"].headers, json={**profile, "email": email}
        ),
        201,
    )


def _provider(client: FlaskClient, world: World) -> tuple[Actor, str, str]:
    name = f"Upload School {uuid.uuid4().hex[:6]}"
    provider = make_provider(client, world["admin"], f"{uuid.uuid4().hex[:8]}@up.kz", name)
    me = ok(client.get(f"{API}/me", headers=provider.headers))
    course = ok(
        client.post(
            f"{API}/courses",
            headers=provider.headers,
            json={
                "title": "CSV course",
                "language": "ru",
                "hours": 20,
                "level": "beginner",
                "skills": aside_skills(),
            },
        ),
        201,
    )
    return provider, me["provider_key"], course["id"]


def test_a_provider_uploads_rows_for_its_own_courses_only(
    client: FlaskClient, world: World
) -> None:
    provider, key, course_id = _provider(client, world)
    learner = _learner(client, world)
    foreign = world.course["id"]  # Astana Hub's
    text = (
        "learner_email,course_id,action,date,grade\n"
        f"{learner['email']},{course_id},enrol,2025-09-01,\n"
        f"{learner['email']},{course_id},complete,2025-10-15,91\n"
        f"{learner['email']},{foreign},enrol,,\n"
    )
    resp = client.post(
        f"{API}/providers/{key}/enrolments/upload?reported_by=admin:forged",
        headers=provider.headers,
        data=text.encode(),
        content_type=CSV,
    )
    report = ok(resp)
    assert [(r["status"], r["code"]) for r in report["rows"]] == [
        ("ok", 201),
        ("ok", 200),
        ("error", 403),
    ]
    assert report["rows"][2]["errors"][0]["field"] == "course_id"
    # Learners by the provider's pseudonym, never the real id; the reporter is the caller.
    shown = {r["learner_id"] for r in report["rows"][:2]}
    assert len(shown) == 1 and shown.pop().startswith("p-")
    assert learner["id"] not in resp.get_data(as_text=True)
    account = ok(client.get(f"{API}/me", headers=provider.headers))["account_id"]
    assert report["reported_by"] == f"provider:{account}"
    enrolments = ok(
        client.get(
            f"{API}/enrolments",
            headers=world["admin"].headers,
            query_string={"learner_id": learner["id"]},
        )
    )["items"]
    assert [(e["course_id"], e["status"], e["reported_by"]) for e in enrolments] == [
        (course_id, "completed", f"provider:{account}")
    ]
    # Each row that touched the learner is in their access log, by the provider.
    log = ok(
        client.get(
            f"{API}/access-log",
            headers=world["admin"].headers,
            query_string={"learner_id": learner["id"]},
        )
    )["items"]
    by_provider = [e for e in log if e["reader_role"] == "provider"]
    assert len(by_provider) == 2  # one entry per row that touched the learner (one insert)
    assert {e["kind"] for e in by_provider} == {"enrolment"}
    assert all("enrolment" in e["disclosed"] for e in by_provider)


def test_multipart_upload_and_another_providers_key(client: FlaskClient, world: World) -> None:
    provider, key, course_id = _provider(client, world)
    learner = _learner(client, world)
    text = f"learner_email,course_id,action\n{learner['email']},{course_id},enrol\n"
    resp = client.post(
        f"{API}/providers/{key}/enrolments/upload",
        headers=provider.headers,
        data={"file": (BytesIO(text.encode()), "enrolments.csv")},
        content_type="multipart/form-data",
    )
    assert ok(resp)["applied"] == 1
    other = client.post(
        f"{API}/providers/astana-hub/enrolments/upload",
        headers=provider.headers,
        data=text.encode(),
        content_type=CSV,
    )
    assert other.status_code == 403


def test_bounds_answer_problems(client: FlaskClient, world: World) -> None:
    provider, key, course_id = _provider(client, world)
    url = f"{API}/providers/{key}/enrolments/upload"
    too_big = client.post(
        url, headers=provider.headers, data=b"learner_email\n" + b"x" * 400_000, content_type=CSV
    )
    assert too_big.status_code == 413
    assert too_big.mimetype == "application/problem+json"
    rows = "learner_email,course_id,action\n" + f"a@b.kz,{course_id},enrol\n" * 1001
    too_many = client.post(url, headers=provider.headers, data=rows.encode(), content_type=CSV)
    assert too_many.status_code == 413
    assert too_many.mimetype == "application/problem+json"
    header = client.post(url, headers=provider.headers, data=b"who,what\n1,2\n", content_type=CSV)
    assert header.status_code == 422
    assert "header.course_id" in {e["field"] for e in header.get_json()["errors"]}
