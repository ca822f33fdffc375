"""The indexing banner: due while the matcher reads changes, then while it refines first-passed
items (services/matcher/sync/refine.py), and said in the page's language."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from gateway.pages.indexing import still_indexing
from tests.gateway.test_pages import web_login
from tests.gateway.world import World

READING = {
    "done": False,
    "caught_up": False,
    "refined": False,
    "events_done": 120,
    "events_total": 7714,
    "refine": {"queued": 0, "done": 0},
}
REFINING = {
    "done": False,  # the alt labels are still warming
    "caught_up": True,
    "refined": False,
    "events_done": 7714,
    "events_total": 7714,
    "refine": {"queued": 4210, "done": 830},
}


def test_the_banner_is_due_until_every_first_passed_item_is_refined() -> None:
    assert still_indexing(READING) == READING
    assert still_indexing(REFINING) == REFINING
    # Refined, the alt labels still warming: no banner.
    assert still_indexing({**REFINING, "refine": {"queued": 0, "done": 4210}}) is None
    # A matcher that has no first pass (an older one) says only "done".
    assert still_indexing({"done": True, "events_done": 5, "events_total": 5}) is None
    assert still_indexing({"done": False, "events_done": 4, "events_total": 5}) is not None
    assert still_indexing(None) is None and still_indexing("busy") is None


def _page_with(gateway: Flask, browser: FlaskClient, info: dict[str, Any], lang: str) -> str:
    cache = gateway.extensions.setdefault("qabilet_indexing", {"at": 0.0, "value": None})
    # What the gateway kept of the matcher's /sync/status a moment ago (its 5-s cache, after
    # still_indexing): the matcher itself is not asked, its summary is tested in tests/matcher.
    cache.update(at=time.monotonic(), value=info)
    try:
        return browser.get(f"/learner?lang={lang}").get_data(as_text=True)
    finally:
        cache.update(at=-1e9, value=None)


def test_the_banner_speaks_the_pages_language_in_each_phase(
    gateway: Flask, browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner"].email)
    ru = _page_with(gateway, browser, READING, "ru")
    assert "Подбор ещё изучает каталог (прочитано 120 из 7714 изменений)" in ru
    ru = _page_with(gateway, browser, REFINING, "ru")
    assert "Весь каталог уже учтён" in ru and "готово 830, осталось 4210" in ru
    kk = _page_with(gateway, browser, REFINING, "kk")
    assert "Каталогтың бәрі есепке алынды" in kk and "830 дайын, 4210 қалды" in kk
