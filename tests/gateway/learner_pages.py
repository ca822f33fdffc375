"""Helpers of the learner-page tests: a page's visible text, a page once it shows a text, a fresh
indexed learner, and the English words a kk/ru page may show (names, ESCO labels, content)."""

from __future__ import annotations

import re
import uuid

from flask.testing import FlaskClient

from tests.gateway.world import API, Actor, World, learner_profile, ok, register, wait_until


def text_of(html: str) -> str:
    """Return the visible text of a page, whitespace collapsed."""
    no_tags = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    )
    return re.sub(r"\s+", " ", no_tags)


def page_showing(browser: FlaskClient, url: str, needle: str, timeout: float = 30.0) -> str:
    """Return the page at ``url`` once it shows ``needle``; the matcher's answers follow its feeds.

    At the timeout the failure message holds the page's last visible text.
    """
    last = [""]

    def probe() -> str:
        last[0] = browser.get(url).get_data(as_text=True)
        return last[0] if needle in last[0] else ""

    return str(wait_until(probe, timeout=timeout, explain=lambda: text_of(last[0])[:3000]))


def new_learner(
    client: FlaskClient,
    world: World,
    *,
    region: str = "astana",
    languages: list[dict[str, str]] | None = None,
) -> Actor:
    """Register a learner holding the world's first three skills and wait for the matcher."""
    profile = {**learner_profile("Асель Жумабаева", world.skills[:3], consent=True)}
    profile["region"] = region
    if languages is not None:
        profile["languages"] = languages
    actor = register(client, "learner", f"l-{uuid.uuid4().hex[:8]}@example.kz", profile)

    def indexed() -> bool:
        resp = client.get(
            f"{API}/learners/{actor.learner_id}/recommendations/jobs", headers=actor.headers
        )
        return resp.status_code == 200

    wait_until(indexed, timeout=60)
    return actor


def content_words(client: FlaskClient, learner: Actor) -> set[str]:
    """Return the words of user content and ESCO labels the pages may show (not interface)."""
    texts: list[str] = []
    stored = ok(client.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    texts += [s["label"] for s in stored["skills"]] + [stored["cv_text"] or ""]
    sources = [
        ("/vacancies", ("title", "description")),
        ("/courses", ("title", "provider")),
        ("/employers", ("name",)),
    ]
    for path, fields in sources:
        page = ok(client.get(f"{API}{path}?limit=100", headers=learner.headers))
        for item in page["items"]:
            texts += [str(item.get(f) or "") for f in fields]
            texts += [s["label"] for s in item.get("skills") or []]
    return {w for t in texts for w in re.findall(r"[A-Za-z]+", t)}


def visible_english(text: str, allowed: set[str]) -> list[str]:
    """Return the English words of four letters or more in ``text`` that are not allowed."""
    words = re.findall(r"\b[A-Za-z]{4,}\b", text)
    return [w for w in words if w.lower() not in allowed]
