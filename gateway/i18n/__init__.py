"""The interface's own text in Kazakh, Russian and English (user content is shown as is).

The text lives in gettext catalogues, ``gateway/translations/{kk,ru,en}/LC_MESSAGES/messages.po``,
whose msgids are message keys ("nav.jobs"); placeholders are ``{name}`` (``str.format``).
Plural entries carry one text per form of the catalogue's CLDR ``Plural-Forms``. The .mo files
are compiled from them by ``make install`` or, when missing or stale, on first use.
``formats`` shows dates and numbers in the page's locale; ``web`` wires Flask-Babel.
"""

from __future__ import annotations

from typing import Any

from babel import Locale

from .catalogues import LANGUAGES, message_ids, plural_ids, translations

__all__ = [
    "LANGUAGES",
    "message_ids",
    "plural_category",
    "plural_ids",
    "translate",
    "translate_plural",
]


def translate(lang: str, key: str, **values: Any) -> str:
    """Return the message ``key`` in ``lang`` (English, then the key itself, as fallbacks)."""
    text: str = translations(lang).gettext(key)
    return text.format(**values) if values else text


def translate_plural(lang: str, key: str, n: int, **values: Any) -> str:
    """Return the message ``key`` agreeing with the number ``n`` (given to it as ``{n}``)."""
    text: str = translations(lang).ngettext(key, key, n)
    if text == key:  # not a plural entry: the plain message, told its number
        return translate(lang, key, n=n, **values)
    return text.format(n=n, **values)


def plural_category(lang: str, n: int) -> str:
    """Return the CLDR plural category of the whole number ``n`` in ``lang`` (Babel's CLDR data).

    Russian: one (1, 21, 101…), few (2-4, 22-24…), many (0, 5-20, 25-30…). English and Kazakh:
    one (1) and other; a Kazakh noun after a numeral stays singular, so its forms often agree.
    """
    return str(Locale.parse(lang if lang in LANGUAGES else "en").plural_form(abs(int(n))))
