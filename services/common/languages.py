"""The one rule for a list of languages in a request: each language code appears at most once."""

from __future__ import annotations

from typing import Protocol, TypeVar

LANGUAGE_ONCE = "each language may appear once"
"""The message of a repeated language code (the gateway translates it by this text)."""


class HasCode(Protocol):
    """Anything naming a language by its code (a schema's LanguageIn, a stored entry)."""

    @property
    def code(self) -> str: ...


L = TypeVar("L", bound=HasCode)


def unique_languages(value: list[L] | None) -> list[L] | None:
    """Return the languages unchanged; raise ValueError when a code repeats (a field_validator)."""
    if value is not None and len({lang.code for lang in value}) != len(value):
        raise ValueError(LANGUAGE_ONCE)
    return value
