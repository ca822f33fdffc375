"""The interface's own text in Kazakh, Russian and English (user content is shown as is).

- ``common``: what every page shares (sign-in, navigation, errors, the access log);
- ``learner``: the learner pages, and the messages whose words agree with a number;
- ``staff``: the employer and admin pages, error pages and problem messages;
- ``ministry``: the ministry dashboard;
- ``provider``: the training provider's pages.
"""

from __future__ import annotations

from typing import Any

from .common import COMMON_MESSAGES
from .learner import LEARNER_MESSAGES, LEARNER_PLURALS
from .ministry import MINISTRY_MESSAGES
from .provider import PROVIDER_MESSAGES
from .staff import STAFF_MESSAGES

LANGUAGES = ("kk", "ru", "en")

# key: (en, ru, kk)
MESSAGES: dict[str, tuple[str, str, str]] = dict(COMMON_MESSAGES)
# The employer, admin and error pages' text, and the ministry dashboard's, have their own modules.
MESSAGES.update(STAFF_MESSAGES)
MESSAGES.update(MINISTRY_MESSAGES)
MESSAGES.update(PROVIDER_MESSAGES)
# The learner pages' text, and every message whose words agree with a number.
MESSAGES.update(LEARNER_MESSAGES)
#: key -> language -> CLDR plural category ("one", "few", "many", "other") -> text
PLURALS: dict[str, dict[str, dict[str, str]]] = dict(LEARNER_PLURALS)

_INDEX = {"en": 0, "ru": 1, "kk": 2}


def translate(lang: str, key: str, **values: Any) -> str:
    """Return the message ``key`` in ``lang`` (English, then the key itself, as fallbacks)."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry[_INDEX.get(lang, 0)] or entry[0]
    return text.format(**values) if values else text


def plural_category(lang: str, n: int) -> str:
    """Return the CLDR plural category of the whole number ``n`` in ``lang``.

    Russian: one (1, 21, 101…), few (2-4, 22-24…), many (0, 5-20, 25-30…). English: one (1).
    Kazakh distinguishes one and other, but a noun after a numeral stays singular, so its
    texts are usually the same in both.
    """
    n = abs(int(n))
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"


def translate_plural(lang: str, key: str, n: int, **values: Any) -> str:
    """Return the message ``key`` agreeing with the number ``n`` (given to it as ``{n}``)."""
    forms = PLURALS.get(key)
    if forms is None:
        return translate(lang, key, n=n, **values)
    by_form = forms.get(lang) or forms["en"]
    text = (
        by_form.get(plural_category(lang, n))
        or by_form.get("other")
        or next(iter(by_form.values()))
    )
    return text.format(n=n, **values)
