"""Training providers through the gateway: their own courses, enrolments and report only."""

from __future__ import annotations

import csv
import io
import re
import string
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.i18n import LANGUAGES, message_ids, translate
from tests.gateway.fresh import unique
from tests.gateway.world import API, Actor, World, learner_profile, make_provider, ok

TEMPLATES = Path(__file__).resolve().parents[2] / "gateway" / "templates" / "provider"
# A message key left untranslated on a page looks like "provider.col_enrolled".
RAW_KEY = re.compile(r"\b(?:provider|field|course_level|nav|problem|role|admin)\.[a-z_]+\b")


def course_body(title: str, **extra: Any) -> dict[str, Any]:
    """Return a new course without a provider (the gateway fills in the caller's)."""
    return {"title": title, "language": "ru", "hours": 24, "level": "beginner", **extra}


def test_provider_sees_and_edits_its_own_course(client: FlaskClient, world: World) -> None:
    provider = world["provider"]
    listed = ok(client.get(f"{API}/providers/astana-hub/courses", headers=provider.headers))
    assert world.course["id"] in {c["id"] for c in listed["items"]}
    mine = next(c for c in listed["items"] if c["id"] == world.course["id"])
    assert mine["enrolled"] >= 1  # the world learner's enrolment
    text = unique("Pipelines in Python and SQL, twelve sessions")
    ok(
        client.patch(
            f"{API}/courses/{world.course['id']}",
            headers=provider.headers,
            json={"description": text},
        )
    )
    assert ok(client.get(f"{API}/courses/{world.course['id']}"))["description"] == text


def test_provider_publishes_under_its_own_name_only(client: FlaskClient, world: World) -> None:
    provider2 = world["provider2"]
    created = ok(
        client.post(f"{API}/courses", headers=provider2.headers, json=course_body(unique("ML"))),
        201,
    )
    assert (created["provider"], created["provider_key"]) == ("AI-Sana", "ai-sana")
    spelled = ok(
        client.post(
            f"{API}/courses",
            headers=provider2.headers,
            json=course_body(unique("NLP"), provider="  ai sana "),
        ),
        201,
    )
    assert spelled["provider_key"] == "ai-sana"
    other = client.post(
        f"{API}/courses", headers=provider2.headers, json=course_body("X", provider="Astana Hub")
    )
    assert other.status_code == 403 and other.mimetype == "application/problem+json"
    handover = client.patch(
        f"{API}/courses/{created['id']}", headers=provider2.headers, json={"provider": "edX"}
    )
    assert handover.status_code == 403
    assert ok(client.get(f"{API}/courses/{created['id']}"))["provider"] == "AI-Sana"


def test_provider_cannot_edit_another_providers_course(client: FlaskClient, world: World) -> None:
    before = ok(client.get(f"{API}/courses/{world.course['id']}"))
    for body in ({"title": "Taken over"}, {"retired": True}, {"provider": "AI-Sana"}):
        resp = client.patch(
            f"{API}/courses/{world.course['id']}", headers=world["provider2"].headers, json=body
        )
        assert resp.status_code == 403, resp.get_data(as_text=True)
        assert resp.mimetype == "application/problem+json"
        assert resp.get_json()["detail"] == "this course belongs to another provider"
    after = ok(client.get(f"{API}/courses/{world.course['id']}"))
    assert after == before


def test_provider_cannot_read_another_providers_enrolments(
    client: FlaskClient, world: World
) -> None:
    provider2 = world["provider2"]
    course_id = world.course["id"]
    hub = {"provider_key": "astana-hub"}
    refused = [
        client.get(f"{API}/enrolments", query_string={"course_id": course_id}, **_h(provider2)),
        client.get(f"{API}/enrolments", query_string=hub, **_h(provider2)),
        client.get(f"{API}/providers/astana-hub/courses", **_h(provider2)),
        client.get(f"{API}/providers/astana-hub/report", **_h(provider2)),
        client.get(f"{API}/enrolments/{world.enrolment['id']}", **_h(provider2)),
        client.post(f"{API}/enrolments/{world.enrolment['id']}/complete", json={}, **_h(provider2)),
    ]  # fmt: skip
    assert [r.status_code for r in refused] == [403] * len(refused)
    theirs = ok(client.get(f"{API}/enrolments", **_h(provider2)))["items"]
    assert world.enrolment["id"] not in {e["id"] for e in theirs}
    # Nor by a learner's id: a provider never looks a person up.
    by_learner = client.get(
        f"{API}/enrolments",
        query_string={"learner_id": world["learner"].learner_id},
        **_h(world["provider"]),
    )
    assert by_learner.status_code == 403


def _h(actor: Actor) -> dict[str, Any]:
    return {"headers": actor.headers}


def test_provider_sees_its_enrolments_by_pseudonym_and_the_read_is_logged(
    client: FlaskClient, world: World
) -> None:
    provider, learner = world["provider"], world["learner"]
    rows = ok(
        client.get(
            f"{API}/enrolments", query_string={"course_id": world.course["id"]}, **_h(provider)
        )
    )["items"]
    row = next(r for r in rows if r["id"] == world.enrolment["id"])
    assert row["learner_id"].startswith("p-") and row["learner_id"] != learner.learner_id
    assert "region" not in row and "programme" not in row
    again = ok(client.get(f"{API}/enrolments", **_h(provider)))["items"]
    assert {r["learner_id"] for r in again if r["id"] == row["id"]} == {row["learner_id"]}
    log = ok(client.get(f"{API}/me/access-log", **_h(learner)))
    entries = [e for e in log["items"] if e["reader"]["role"] == "provider"]
    assert entries, log["items"][:3]
    assert entries[0]["kind"] == "enrolment"
    assert entries[0]["reader"]["provider_name"] == "Astana Hub"
    # What the provider was shown, not what the service answered: no region, no programme.
    assert {"region", "programme"}.isdisjoint(entries[0]["fields"])


@pytest.fixture(scope="module")
def school(gateway: Flask, world: World) -> dict[str, Any]:
    """A provider of its own with one course: 12 enrolled, 6 completed (by it), 5 dropped."""
    client = gateway.test_client()
    admin = world["admin"]
    name = f"Tomorrow School {uuid.uuid4().hex[:6]}"
    provider = make_provider(client, admin, f"{uuid.uuid4().hex[:8]}@tomorrow.kz", name)
    course = ok(
        client.post(f"{API}/courses", headers=provider.headers, json=course_body("Go backend")),
        201,
    )
    enrolments = []
    for i in range(12):
        profile = {**learner_profile(f"Learner {i}", [], consent=i % 2 == 0)}
        learner = ok(
            client.post(
                f"{API}/learners",
                headers=admin.headers,
                json={**profile, "email": f"{uuid.uuid4().hex[:10]}@x.kz"},
            ),
            201,
        )
        body = {"learner_id": learner["id"], "course_id": course["id"]}
        enrolments.append(
            ok(client.post(f"{API}/enrolments", headers=admin.headers, json=body), 201)
        )
    done = [
        ok(
            client.post(
                f"{API}/enrolments/{e['id']}/complete",
                headers=provider.headers,
                json={"grade": 80, "reported_by": "someone else"},
            )
        )
        for e in enrolments[:6]
    ]
    for e in enrolments[6:11]:
        ok(client.post(f"{API}/enrolments/{e['id']}/drop", headers=admin.headers))
    return {"provider": provider, "course": course, "completed": done, "month": _month(done)}


def _month(done: list[dict[str, Any]]) -> str:
    return str(done[0]["enrolled_at"])[:7]


def test_completions_carry_who_reported_them(school: dict[str, Any]) -> None:
    provider: Actor = school["provider"]
    assert {e["reported_by"] for e in school["completed"]} == {f"provider:{provider.account_id}"}


def test_report_counts_what_was_enrolled_completed_and_dropped(
    client: FlaskClient, school: dict[str, Any]
) -> None:
    provider: Actor = school["provider"]
    key = provider.name.lower().replace(" ", "-")
    report = ok(client.get(f"{API}/providers/{key}/report", **_h(provider)))
    assert report["rows"] == [
        {
            "course_id": school["course"]["id"],
            "title": "Go backend",
            "month": school["month"],
            "enrolled": 12,
            "completed": 6,
            "dropped": 5,
            "completion_rate": 0.5,
        }
    ]
    assert report["totals"] == {
        "enrolled": 12, "completed": 6, "dropped": 5, "completion_rate": 0.5
    }  # fmt: skip
    listed = ok(client.get(f"{API}/providers/{key}/courses", **_h(provider)))["items"]
    assert [(c["enrolled"], c["active"], c["completed"], c["dropped"]) for c in listed] == [
        (12, 1, 6, 5)
    ]
    later = ok(client.get(f"{API}/providers/{key}/report?from=2999-01", **_h(provider)))
    assert later["rows"] == [] and later["totals"]["enrolled"] == 0
    reversed_range = client.get(
        f"{API}/providers/{key}/report?from=2026-05&to=2026-01", **_h(provider)
    )
    assert reversed_range.status_code == 422


def test_report_csv_has_the_same_figures(client: FlaskClient, school: dict[str, Any]) -> None:
    provider: Actor = school["provider"]
    key = provider.name.lower().replace(" ", "-")
    resp = client.get(f"{API}/providers/{key}/report?format=csv", **_h(provider))
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert rows == [
        {
            "course_id": school["course"]["id"],
            "title": "Go backend",
            "month": school["month"],
            "enrolled": "12",
            "completed": "6",
            "dropped": "5",
            "completion_rate": "0.5",
        }
    ]


def test_small_counts_are_suppressed_in_the_report(client: FlaskClient, world: World) -> None:
    provider = make_provider(
        client, world["admin"], f"{uuid.uuid4().hex[:8]}@uni.kz", f"Uni {uuid.uuid4().hex[:6]}"
    )
    course = ok(client.post(f"{API}/courses", **_h(provider), json=course_body("Stats")), 201)
    body = {"learner_id": world["learner3"].learner_id, "course_id": course["id"]}
    ok(client.post(f"{API}/enrolments", headers=world["admin"].headers, json=body), 201)
    key = provider.name.lower().replace(" ", "-")
    report = ok(client.get(f"{API}/providers/{key}/report", **_h(provider)))
    assert [r["enrolled"] for r in report["rows"]] == ["<5"]
    assert report["totals"]["enrolled"] == "<5" and report["totals"]["completion_rate"] is None


def test_a_retired_course_takes_no_new_enrolments(client: FlaskClient, world: World) -> None:
    provider2 = world["provider2"]
    course = ok(client.post(f"{API}/courses", **_h(provider2), json=course_body(unique("R"))), 201)
    retired = ok(
        client.patch(f"{API}/courses/{course['id']}", **_h(provider2), json={"retired": True})
    )
    assert retired["retired"] is True
    resp = client.post(
        f"{API}/enrolments", **_h(world["learner2"]), json={"course_id": course["id"]}
    )
    assert resp.status_code == 409
    assert resp.get_json()["errors"][0]["field"] == "course_id"


# --- the pages -------------------------------------------------------------------------------


def _page_client(gateway: Flask, actor: Actor) -> FlaskClient:
    from tests.gateway.test_pages import web_login

    return web_login(gateway.test_client(), actor.email)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("kk", ("Менің курстарым", "Жазылды")), ("ru", ("Мои курсы", "Записались"))],
)
def test_provider_pages_speak_the_language_without_raw_keys(
    gateway: Flask, world: World, lang: str, words: tuple[str, ...]
) -> None:
    browser = _page_client(gateway, world["provider"])
    for path in ("/provider", "/provider/report", "/provider/courses/new",
                 f"/provider/courses/{world.course['id']}/edit"):  # fmt: skip
        resp = browser.get(f"{path}?lang={lang}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, (path, html[:300])
        assert not RAW_KEY.findall(html), (path, RAW_KEY.findall(html))
    home = browser.get(f"/provider?lang={lang}").get_data(as_text=True)
    for word in words:
        assert word in home
    assert world.course["id"] in home


def test_course_form_keeps_what_was_typed_and_names_the_field(gateway: Flask, world: World) -> None:
    from tests.gateway.test_pages import csrf_of

    browser = _page_client(gateway, world["provider"])
    form = browser.get("/provider/courses/new?lang=ru").get_data(as_text=True)
    typed = {"title": "Курс по SQL для аналитиков", "description": "Двенадцать занятий.",
             "language": "kk", "level": "intermediate", "hours": "двадцать",
             "skills": "SQL\nPostgreSQL", "csrf_token": csrf_of(form)}  # fmt: skip
    resp = browser.post("/provider/courses/new", data=typed)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Часы обучения: должно быть числом" in html
    assert 'value="Курс по SQL для аналитиков"' in html and "Двенадцать занятий." in html
    assert "PostgreSQL" in html and '<option value="intermediate" selected' in html
    bad_url = browser.post(
        "/provider/courses/new", data={**typed, "hours": "20", "url": "ftp://x"}
    ).get_data(as_text=True)
    assert "Страница курса (https://…):" in bad_url and "String should" not in bad_url
    saved = browser.post("/provider/courses/new", data={**typed, "hours": "20"})
    assert saved.status_code == 302
    listed = ok(
        gateway.test_client().get(f"{API}/providers/astana-hub/courses", **_h(world["provider"]))
    )["items"]
    made = next(c for c in listed if c["title"] == typed["title"])
    assert (made["hours"], made["language"], [s["label"] for s in made["skills"]]) == (
        20.0, "kk", ["SQL", "PostgreSQL"]
    )  # fmt: skip


def test_another_providers_course_page_is_403_in_the_page_language(
    gateway: Flask, world: World
) -> None:
    browser = _page_client(gateway, world["provider2"])
    resp = browser.get(f"/provider/courses/{world.course['id']}/edit?lang=kk")
    assert resp.status_code == 403 and resp.mimetype == "text/html"
    assert "Бұл басқа біреудікі." in resp.get_data(as_text=True)
    for role in ("learner", "employer", "ministry"):
        other = _page_client(gateway, world[role]).get("/provider?lang=ru")
        assert other.status_code == 403


def test_report_page_and_its_csv_show_the_same_figures(
    gateway: Flask, school: dict[str, Any]
) -> None:
    browser = _page_client(gateway, school["provider"])
    html = browser.get("/provider/report?lang=ru").get_data(as_text=True)
    row = re.search(r'<tr class="report-row".*?</tr>', html, re.S)
    assert row is not None, html[:2000]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
    assert cells == ["12", "6", "5", "50\xa0%"]  # a Russian percentage (CLDR): "50 %"
    download = browser.get("/provider/report.csv")
    assert download.mimetype == "text/csv"
    line = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))[0]
    assert [line[k] for k in ("enrolled", "completed", "dropped")] == cells[:3]
    reversed_range = browser.get("/provider/report?lang=ru&from=2026-05&to=2026-01")
    text = reversed_range.get_data(as_text=True)
    assert reversed_range.status_code == 422 and "дата начала позже даты окончания" in text
    assert 'value="2026-05"' in text


def test_admin_creates_a_provider_account_on_the_admin_page(gateway: Flask, world: World) -> None:
    from tests.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
    from tests.gateway.test_pages import csrf_of, web_login

    browser = web_login(gateway.test_client(), ADMIN_EMAIL, ADMIN_PASSWORD)
    form = browser.get("/admin/accounts/new?lang=ru").get_data(as_text=True)
    email = f"{uuid.uuid4().hex[:8]}@skills.kz"
    base = {"csrf_token": csrf_of(form), "role": "provider", "email": email,
            "password": "long-enough-1"}  # fmt: skip
    missing = browser.post("/admin/accounts/new", data=base)
    assert missing.status_code == 422
    assert "укажите название провайдера" in missing.get_data(as_text=True)
    made = browser.post("/admin/accounts/new", data={**base, "provider": "  Skills  Hub "})
    assert made.status_code == 302
    accounts = ok(
        gateway.test_client().get(
            f"{API}/accounts", query_string={"q": email}, headers=world["admin"].headers
        )
    )["items"]
    assert [(a["role"], a["provider_key"]) for a in accounts] == [("provider", "skills-hub")]


def test_every_provider_message_exists_in_three_languages() -> None:
    messages = message_ids()
    for key in sorted(k for k in messages if k.startswith("provider.")):
        texts = [translate(lang, key) for lang in LANGUAGES]
        assert all(t.strip() and t != key for t in texts), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in texts]
        assert fields[0] == fields[1] == fields[2], key
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"_\('([a-z_.]+[a-z_])'", template.read_text()))
    assert sorted(k for k in used if k not in messages) == []


def test_a_provider_named_in_cyrillic_gets_its_courses_and_csv(
    client: FlaskClient, world: World
) -> None:
    name = f"Университет {uuid.uuid4().hex[:4]}"
    provider = make_provider(client, world["admin"], f"{uuid.uuid4().hex[:8]}@satbayev.kz", name)
    course = ok(client.post(f"{API}/courses", **_h(provider), json=course_body("Геология")), 201)
    key = course["provider_key"]
    assert key == name.casefold().replace(" ", "-")
    listed = ok(client.get(f"{API}/providers/{key}/courses", **_h(provider)))["items"]
    assert [c["id"] for c in listed] == [course["id"]]
    resp = client.get(f"{API}/providers/{key}/report?format=csv", **_h(provider))
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
