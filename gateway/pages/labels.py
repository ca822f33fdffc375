"""Skill and occupation names in the page's language, from the matcher's vocabulary.

Records keep the English ESCO label they were written with; a kk or ru page shows the name the
vocabulary gives the same URI (``GET /labels?lang=``), falling back to the stored label. The
map (about 5,000 names per language) is fetched once per language and process and kept for
``TTL`` seconds; when the matcher cannot answer, pages keep the English labels and ask again
after ``RETRY`` seconds rather than on every page.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from services.common.state import per_app

from . import bp
from .web import api, current_lang

TTL = 600.0
RETRY = 30.0


class Names:
    """One process's cached {lang: (good until, {uri: name})}."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[str, tuple[float, dict[str, str]]] = {}

    def of(self, lang: str) -> dict[str, str]:
        """Return the names of ``lang``, fetching them when missing or stale."""
        now = time.monotonic()
        held = self.held.get(lang)
        if held is not None and now < held[0]:
            return held[1]
        with self.lock:
            held = self.held.get(lang)
            if held is not None and now < held[0]:
                return held[1]
            answer = api("GET", "/labels", query={"lang": lang})
            data = answer.json() if answer.status == 200 else None
            if isinstance(data, dict) and isinstance(data.get("labels"), dict):
                names = {str(k): str(v) for k, v in data["labels"].items()}
                self.held[lang] = (now + TTL, names)
            else:
                old = held[1] if held is not None else {}
                self.held[lang] = (now + RETRY, old)
            return self.held[lang][1]


def names() -> Names:
    """Return this app's name cache."""
    return per_app("gateway.labels", Names)


@bp.app_template_filter("named")
def named(item: Any) -> str:
    """Return a skill's or occupation's name in the page's language (its stored label else)."""
    if not isinstance(item, dict):
        return str(item)
    label = str(item.get("label") or item.get("title") or item.get("uri") or "")
    lang = current_lang()
    uri = item.get("uri")
    if lang == "en" or not uri:
        return label
    return names().of(lang).get(str(uri), label)
