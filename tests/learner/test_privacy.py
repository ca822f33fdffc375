"""Personal data: never in the feed, gone from the store files after deletion, data durable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient

from services.learner.outcomes import service as outcomes

from .helpers import ROOT, SKILL, create_course, create_learner, enrol, feed, hire_event

NAME = "Жанар Кенжебаева"
EMAIL = "zhanar.kenzhebaeva.unique@example.org"


def _files_containing(root: Path, needle: str) -> list[str]:
    data = needle.encode()
    return [str(p) for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]


# The hire the privacy tests record: where and for how much (the rest is the factory's).
HIRE = {"region": "almaty-city", "salary": 450_000}


def test_feed_has_no_gaps_and_never_carries_name_or_email(client: FlaskClient) -> None:
    people = [
        create_learner(client, name=f"Асель Омарова {i}", email=f"asel{i}@example.com")
        for i in range(5)
    ]
    course = create_course(client)
    for person in people:
        lid = person["id"]
        client.patch(f"/learners/{lid}", json={"region": "atyrau", "name": person["name"] + "!"})
        client.post(f"/learners/{lid}/skills", json={"uri": SKILL + "git", "label": "Git"})
        enrolment = enrol(client, lid, course["id"])
        client.post(f"/enrolments/{enrolment['id']}/complete", json={})
    client.delete(f"/learners/{people[0]['id']}")
    events = feed(client)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    text = json.dumps([e["data"] for e in events], ensure_ascii=False)
    for person in people:
        assert person["email"] not in text
        assert "Асель" not in text and "Омарова" not in text
    assert {"learner.created", "learner.updated", "learner.deleted"} <= {e["type"] for e in events}


def test_delete_removes_personal_data_and_keeps_anonymised_statistics(
    client: FlaskClient, tmp_path: Path
) -> None:
    other = create_learner(client, name="Дмитрий Ковалёв", email="dmitry.kovalev@example.com")
    learner = create_learner(client, name=NAME, email=EMAIL, region="mangystau")
    lid = learner["id"]
    # Earlier versions of the profile leave old row images behind in SQLite unless scrubbed.
    client.patch(f"/learners/{lid}", json={"cv_text": f"{NAME}, {EMAIL}, +7 701 000 00 00"})
    client.patch(f"/learners/{lid}", json={"cv_text": "Retraining as a data analyst."})
    course = create_course(client)
    enrolment = enrol(client, lid, course["id"])
    client.post(f"/enrolments/{enrolment['id']}/complete", json={"grade": 90})
    outcomes.handle_event(hire_event(lid, "app-1", **HIRE))
    assert _files_containing(tmp_path, EMAIL)  # the check below can see the data at all

    assert client.delete(f"/learners/{lid}").status_code == 204

    assert client.get(f"/learners/{lid}").status_code == 404
    assert client.delete(f"/learners/{lid}").status_code == 404
    assert _files_containing(tmp_path, EMAIL) == []
    assert _files_containing(tmp_path, NAME) == []
    assert _files_containing(tmp_path, "Kenzhebaeva".lower()) == []
    # Nobody else's data was touched.
    assert client.get(f"/learners/{other['id']}").get_json() == other
    assert _files_containing(tmp_path, "dmitry.kovalev@example.com")

    rows = client.get(f"/enrolments?course_id={course['id']}").get_json()["items"]
    assert len(rows) == 1
    row = rows[0]
    assert row["learner_id"].startswith("anon-") and row["anonymised"] is True
    assert (row["region"], row["programme"], row["status"]) == ("mangystau", "ai-sana", "completed")
    assert client.get(f"/enrolments?learner_id={lid}").get_json()["total"] == 0
    by_pseudonym = client.get(f"/enrolments?learner_id={row['learner_id']}").get_json()
    assert by_pseudonym["total"] == 1

    events = feed(client)
    assert events[-1]["type"] == "learner.deleted" and events[-1]["data"] == {"id": lid}
    mine = [e for e in events if e["id"] == lid and e["type"].startswith("learner.")]
    assert all(e["data"] == {"id": lid, "redacted": True} for e in mine[:-1])


def test_outcome_of_deleted_learner_keeps_the_same_pseudonym(client: FlaskClient) -> None:
    learner = create_learner(client)
    course = create_course(client)
    enrol(client, learner["id"], course["id"])
    outcomes.handle_event(hire_event(learner["id"], "app-9", **HIRE))
    client.delete(f"/learners/{learner['id']}")
    from services.learner.outcomes.models import Outcome

    outcome = Outcome.objects.get(application_id="app-9")
    row = client.get(f"/enrolments?course_id={course['id']}").get_json()["items"][0]
    assert outcome.anonymised and outcome.learner_id == row["learner_id"]
    assert (outcome.region, outcome.salary) == ("almaty-city", 450_000)


def test_data_survives_a_restart(client: FlaskClient, tmp_path: Path) -> None:
    learner = create_learner(client, name=NAME, email=EMAIL)
    course = create_course(client)
    enrolment = enrol(client, learner["id"], course["id"])
    client.post(f"/enrolments/{enrolment['id']}/complete", json={"grade": 64})
    expected = client.get(f"/learners/{learner['id']}").get_json()
    # A new process, a new app on the same data directory: what a restart is.
    script = (
        "import json, sys\n"
        "from services.learner.app import create_app\n"
        "from services.learner.settings import Settings\n"
        "app = create_app(Settings.from_env(env={}, data_dir=sys.argv[1], testing=True))\n"
        "c = app.test_client()\n"
        "print(json.dumps([c.get('/learners/' + sys.argv[2]).get_json(),\n"
        "    c.get('/enrolments/' + sys.argv[3]).get_json(), c.get('/changes').get_json()]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), learner["id"], enrolment["id"]],
        capture_output=True, text=True, cwd=ROOT, check=True, timeout=120,
    )  # fmt: skip
    got_learner, got_enrolment, changes = json.loads(out.stdout)
    assert got_learner == expected
    assert (got_enrolment["status"], got_enrolment["grade"]) == ("completed", 64.0)
    assert changes["latest"] == len(feed(client))
