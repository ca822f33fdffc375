"""One rule for the key a training provider is known by, in every service and the gateway."""

from __future__ import annotations

import re
import unicodedata

KEY_LENGTH = 100
_WORDS = re.compile(r"\w+")


def provider_key(name: str) -> str:
    """Return the key of a provider's name: NFKC, case-folded, its words joined by hyphens.

    "AI-Sana", "ai sana" and " AI–SANA " are one provider (``ai-sana``); the key is what
    courses and provider accounts are matched by, so free-text spellings cannot split one.
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    return "-".join(_WORDS.findall(text))[:KEY_LENGTH]
