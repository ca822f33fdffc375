"""A provider's CSV upload in the learner service: per-row report, valid rows applied, bounds."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from typing import Any

from flask.testing import FlaskClient

from tests.learner.helpers import create_course, create_learner

URL = "/providers/ai-sana/enrolments/upload?reported_by=provider:acct-1"


def _post(client: FlaskClient, text: str, url: str = URL, **kw: Any) -> Any:
    return client.post(url, data=text.encode(), content_type="text/csv", **kw)


def test_rows_are_applied_or_reported_one_by_one(client: FlaskClient) -> None:
    own = create_course(client, provider="AI-Sana")
    other = create_course(client, provider="Coursera", title="Someone else's")
    learner = create_learner(client)
    email = learner["email"]
    csv_text = (
        "learner_email,course_id,action,date,grade\n"
        f"{email},{own['id']},enrol,2025-09-01,\n"
        f"{email},{own['id']},complete,2025-11-20,88\n"
        f"{email},{other['id']},enrol,,\n"
        f"nobody@example.kz,{own['id']},enrol,,\n"
        f"{email},{own['id']},graduate,,\n"
        f"{email},{own['id']},drop,,\n"
        f"{email},{own['id']},enrol,31-12-2025,\n"
    )
    resp = _post(client, csv_text)
    assert resp.status_code == 200, resp.get_json()
    report = resp.get_json()
    assert (report["received"], report["applied"], report["rejected"]) == (7, 2, 5)
    rows = report["rows"]
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 6, 7, 8]
    assert [r["status"] for r in rows] == ["ok", "ok", "error", "error", "error", "error", "error"]
    assert [r["code"] for r in rows] == [201, 200, 403, 422, 422, 409, 422]
    fields = [[e["field"] for e in r["errors"]] for r in rows]
    assert fields == [[], [], ["course_id"], ["learner_email"], ["action"], ["action"], ["date"]]
    assert rows[2]["learner_id"] is None  # another provider's row looks nobody up
    enrolments = client.get(f"/enrolments?learner_id={learner['id']}").get_json()["items"]
    assert [(e["course_id"], e["status"]) for e in enrolments] == [(own["id"], "completed")]
    done = enrolments[0]
    assert done["reported_by"] == "provider:acct-1"
    assert done["grade"] == 88
    assert done["enrolled_at"].startswith("2025-09-01")
    assert done["completed_at"].startswith("2025-11-20")
    assert client.get(f"/enrolments?course_id={other['id']}").get_json()["total"] == 0


def test_a_multipart_form_by_learner_id_and_a_dated_drop(client: FlaskClient) -> None:
    own = create_course(client, provider="ai sana")  # the same provider key
    learner = create_learner(client)
    text = (
        f"Learner_ID,Course_ID,Action,Date\n{learner['id']},{own['id']},enrol,2025-01-10\n"
        f"{learner['id']},{own['id']},drop,2025-02-01\n"
    )
    resp = client.post(
        URL,
        data={"file": (BytesIO(("\ufeff" + text).encode()), "rows.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["applied"] == 2
    (enrolment,) = client.get(f"/enrolments?learner_id={learner['id']}").get_json()["items"]
    assert enrolment["status"] == "dropped"
    assert enrolment["dropped_at"].startswith("2025-02-01")


def test_a_bad_header_is_422_naming_the_columns(client: FlaskClient) -> None:
    resp = _post(client, "email,course,action\nx,y,enrol\n")
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    fields = {e["field"] for e in resp.get_json()["errors"]}
    assert fields == {"header.course_id", "header.learner_email", "header.email", "header.course"}


def test_too_many_rows_is_413_and_nothing_is_applied(client: FlaskClient) -> None:
    own = create_course(client)
    learner = create_learner(client)
    row = f"{learner['email']},{own['id']},enrol\n"
    resp = _post(client, "learner_email,course_id,action\n" + row * 1001)
    assert resp.status_code == 413
    assert resp.mimetype == "application/problem+json"
    assert client.get(f"/enrolments?learner_id={learner['id']}").get_json()["total"] == 0


def test_too_large_a_body_is_413(client: FlaskClient) -> None:
    resp = _post(client, "learner_email,course_id,action\n" + "x" * (300 * 1024))
    assert resp.status_code == 413
    assert resp.mimetype == "application/problem+json"


def test_not_csv_and_unknown_provider_and_missing_reporter(client: FlaskClient) -> None:
    resp = client.post(URL, json={"rows": []})
    assert resp.status_code == 415
    unknown = "/providers/AI%20Sana/enrolments/upload?reported_by=x"
    assert _post(client, "a\n", url=unknown).status_code == 404
    missing = _post(client, "a\n", url="/providers/ai-sana/enrolments/upload")
    assert missing.status_code == 422
    assert [e["field"] for e in missing.get_json()["errors"]] == ["query.reported_by"]


def test_rows_past_the_time_budget_are_reported_not_applied(
    client: FlaskClient, monkeypatch: Any
) -> None:
    own = create_course(client)
    first, second = create_learner(client), create_learner(client)
    settings = client.application.config["SETTINGS"]
    monkeypatch.setitem(
        client.application.config, "SETTINGS", replace(settings, upload_seconds=1e-9)
    )
    text = (
        "learner_email,course_id,action\n"
        f"{first['email']},{own['id']},enrol\n{second['email']},{own['id']},enrol\n"
    )
    report = _post(client, text).get_json()
    assert (report["applied"], report["not_reached"]) == (0, 2)
    assert {r["code"] for r in report["rows"]} == {503}
    assert client.get(f"/enrolments?course_id={own['id']}").get_json()["total"] == 0
