"""Tokens and match keys for Russian, Kazakh and English text (and tool names in any script).

A token's keys are every form a vocabulary term may have been written in: the lower-cased
surface, the Russian Snowball stem and the Kazakh stem of ``kazakh_stem``. A term matches where
each of its tokens' keys is among the text token's keys, so "сводными таблицами", "сводные
таблицы" and "сводных таблиц" all meet the term "сводные таблицы", and "тілін" meets "тілі".
Tokens holding a digit, a ``+``/``#`` or both scripts, and lone letters, are folded to Latin
look-alikes first, so "1С" (Cyrillic С) and "1C" (Latin C), "С++" and "C++" are one token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

#: Cyrillic letters that look like Latin ones, folded where a token mixes scripts or digits.
_TO_LATIN = str.maketrans("асеокрхувтмнАСЕОКРХУВТМН", "aceokpxybtmhACEOKPXYBTMH")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[a-zA-Z]")
_KK_LETTERS = frozenset("әғқңөұүһі")
# A word, optionally with a trailing ++/# (C++, C#, F#) or inner dots/hyphens kept apart.
_TOKEN_RE = re.compile(r"[^\W_]+(?:\+\+|#)?", re.UNICODE)

_RU = snowballstemmer.stemmer("russian")

# Kazakh suffixes by slot, read from the end of a word: case, possessive, plural, then derivation
# (stem + derivation + plural + possessive + case). At most one per slot, so a loan word's own
# ending survives ("бухгалтерлік" -> "бухгалтер", not "бухгал"). Authored from the standard
# Kazakh grammar tables (vowel-harmony and voicing variants). The bare dative "-а/-е" is left out:
# it follows only 1st/2nd-person possessives, and stripping it cut "жоба", "статистика", "кесте".
_KK_SLOTS: tuple[tuple[str, ...], ...] = tuple(
    tuple(sorted(slot, key=len, reverse=True))
    for slot in (
        # cases: genitive, dative, accusative, locative, ablative, instrumental
        {
            "ның", "нің", "дың", "дің", "тың", "тің", "ға", "ге", "қа", "ке", "на", "не",
            "ны", "ні", "ды", "ді", "ты", "ті", "н", "нда", "нде", "да", "де",
            "та", "те", "нан", "нен", "дан", "ден", "тан", "тен", "мен", "бен", "пен",
        },
        # possessive (1st, 2nd, 3rd person)
        {
            "ымыз", "іміз", "мыз", "міз", "ыңыз", "іңіз", "ңыз", "ңіз", "ым", "ім", "ың",
            "ің", "сы", "сі", "ы", "і", "м", "ң",
        },
        # plural
        {"лар", "лер", "дар", "дер", "тар", "тер"},
        # derivation: abstract nouns, adjectives, "in language", verbal noun and participles
        {
            "лық", "лік", "дық", "дік", "тық", "тік", "лы", "лі", "ша", "ше", "у", "етін",
            "атын", "йтін", "йтын", "еді", "ады", "йді", "йды", "ған", "ген", "қан", "кен",
        },
    )
)  # fmt: skip
_KK_MIN_STEM = 3


@dataclass(frozen=True)
class Token:
    """One token of a text: its keys and where it sits in the text."""

    keys: frozenset[str]
    start: int
    end: int
    surface: str


def fold(token: str) -> str:
    """Lower-case, ё→е, and fold Cyrillic look-alikes to Latin in tool-like tokens."""
    t = token.lower().replace("ё", "е")
    if len(t) == 1 or any(c.isdigit() or c in "+#" for c in t):
        return t.translate(_TO_LATIN)
    if _CYRILLIC_RE.search(t) and _LATIN_RE.search(t):
        return t.translate(_TO_LATIN)
    return t


def kazakh_stem(word: str) -> str:
    """Strip Kazakh suffixes, at most one per slot, while the stem keeps 3 letters."""
    stem = word
    for slot in _KK_SLOTS:
        for suf in slot:
            if stem.endswith(suf) and len(stem) - len(suf) >= _KK_MIN_STEM:
                stem = stem[: -len(suf)]
                break
    return stem


def kazakh_stems(word: str) -> frozenset[str]:
    """Return the ``kazakh_stem`` of every reading of a word (each slot: strip one or none).

    Suffixes overlap with stem endings ("қызметі" is "қызмет"+"і", not "қызме"+"ті"; "білімі" is
    "білім"+"і" while "білім" alone stems to "біл"), so a text word is matched by the stems of
    all its readings; a term keeps its one ``kazakh_stem``. Measured on generated noun paradigms
    (README): every form then meets its base, against 81% for the single greedy stem.
    """
    readings = {word}
    for slot in _KK_SLOTS:
        readings |= {
            r[: -len(suf)]
            for r in readings
            for suf in slot
            if r.endswith(suf) and len(r) - len(suf) >= _KK_MIN_STEM
        }
    return frozenset(kazakh_stem(r) for r in readings)


@lru_cache(maxsize=200_000)
def token_keys(token: str) -> frozenset[str]:
    """Return every key a surface token can be matched by."""
    t = fold(token)
    keys = {t}
    if _CYRILLIC_RE.search(t) and not _LATIN_RE.search(t) and len(t) > 2:
        keys.add("ru:" + _RU.stemWord(t))
        keys.update("kk:" + s for s in kazakh_stems(t))
    return frozenset(keys)


@lru_cache(maxsize=200_000)
def term_key(token: str, lang: str) -> str:
    """Return the one key a vocabulary term's token is indexed by, in the term's language."""
    t = fold(token)
    if not _CYRILLIC_RE.search(t) or _LATIN_RE.search(t) or len(t) <= 2:
        return t
    # A word with Kazakh letters is Kazakh whatever its row says (kk words sit in ru rows).
    if lang == "kk" or any(c in _KK_LETTERS for c in t):
        return "kk:" + kazakh_stem(t)
    return "ru:" + _RU.stemWord(t)


def tokenize(text: str) -> list[Token]:
    """Split text into tokens with their match keys and character offsets."""
    return [
        Token(token_keys(m.group()), m.start(), m.end(), m.group())
        for m in _TOKEN_RE.finditer(text)
    ]


def term_tokens(term: str, lang: str) -> tuple[str, ...]:
    """Return the index keys of a vocabulary term."""
    return tuple(term_key(m.group(), lang) for m in _TOKEN_RE.finditer(term))
