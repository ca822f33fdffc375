"""No English interface text and no raw message keys on the kk and ru staff pages."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.i18n import message_ids
from tests.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.gateway.learner_pages import text_of, visible_english
from tests.gateway.test_pages import web_login
from tests.gateway.world import API, World, ok

# Proper names and technical terms a Kazakh or Russian page shows as they are.
NAMES = {"Qabilet", "ESCO", "CSV", "JSON", "OpenAPI", "locust", "Astana", "Hub", "Sana",
         "Tomorrow", "School", "DataSoft", "Steppe", "Cloud", "example", "qabilet"}  # fmt: skip


def _content_words(client: FlaskClient, world: World) -> set[str]:
    """Return the words of stored content (names, texts, ESCO labels, emails) pages may show."""
    admin = world["admin"].headers
    texts: list[str] = [s["label"] for s in world.skills]
    sources = [
        ("/learners", ("name", "cv_text", "email")),
        ("/vacancies", ("title", "description", "requirements")),
        ("/courses", ("title", "provider", "description")),
        ("/employers", ("name", "sector")),
        ("/accounts", ("email", "provider_name")),
    ]
    for path, fields in sources:
        for item in ok(client.get(f"{API}{path}?limit=200", headers=admin))["items"]:
            texts += [str(item.get(f) or "") for f in fields]
            texts += [str(s.get("label") or "") for s in item.get("skills") or []]
    # The skills gap names the ESCO skills (and a course) of everyone registered, load runs too.
    gap = ok(client.get(f"{API}/reports/skills-gap?top=15", headers=admin))
    for row in gap.get("skills") or []:
        texts += [str(row.get("label") or "")]
        texts += [str(c.get("title") or "") for c in row.get("courses") or []]
    words = {w for t in texts for w in re.findall(r"[A-Za-z]+", t)} | NAMES
    return {w.lower() for w in words}


def _skills_gap_labels(html: str) -> str:
    """Drop chart labels and chips (ESCO labels, English until translated)."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    html = re.sub(r'<ul class="chips[^"]*">.*?</ul>', " ", html, flags=re.S)
    return re.sub(r"<pre[^>]*>.*?</pre>", " ", html, flags=re.S)  # a run's raw output


KEYS = {k for k in message_ids() if "." in k}


def _raw_keys(text: str) -> list[str]:
    return sorted(k for k in KEYS if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w.])", text))


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_staff_pages_show_no_english_interface_text_or_raw_keys(
    gateway: Flask, world: World, lang: str
) -> None:
    allowed = _content_words(gateway.test_client(), world)
    vacancy = world.vacancy["id"]
    visits = [
        (world["employer"].email, None, ["/employer", "/employer/vacancies/new",
         f"/employer/vacancies/{vacancy}", f"/employer/vacancies/{vacancy}/edit"]),
        (world["ministry"].email, None, ["/ministry"]),
        (ADMIN_EMAIL, ADMIN_PASSWORD, ["/admin", "/admin/accounts/new", "/admin/load"]),
        (world["learner3"].email, None, ["/learner/jobs?employment_type=part&region=all",
         f"/learner/courses/{world.course['id']}"]),
    ]  # fmt: skip
    for email, password, paths in visits:
        browser = gateway.test_client()
        web_login(browser, email, *([password] if password else []))
        for path in paths:
            resp = browser.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert resp.status_code == 200, (path, resp.status_code)
            text = text_of(_skills_gap_labels(resp.get_data(as_text=True)))
            body = text.split("Qabilet", 2)[-1]
            assert not _raw_keys(body), (path, _raw_keys(body))
            english = visible_english(body, allowed)
            assert not english, (path, english[:12])
