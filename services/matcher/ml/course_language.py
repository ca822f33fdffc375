"""Guess the teaching language of a course from its title and description.

``sentences.detect_language`` tells en, ru and kk apart by script; the real catalogues also hold
Spanish, Portuguese, French, German, Italian and Turkish courses written in Latin letters
("Google Ads: publicidad efectiva"). This guess adds those by what is distinctive in each
language: its function words, its word endings and its letters (ñ, ã, ß, ğ ...), all authored
from grammar tables, nothing fitted to the catalogue. Other scripts decide by themselves
(Cyrillic: kk with Kazakh letters, else ru; Arabic, Han, kana, Hangul: the share of the
letters. Bilingual "Chinese | English" titles stay ambiguous: on edX, deciding them by their
Han characters made 7 more rows wrong than right, so the share of letters decides).

The title decides when it holds clear evidence by itself (two signs or more, 60% of them for one
language); otherwise it counts three times as much as the description. A catalogue's
description may be a provider's English boilerplate around a course in another language
("Course by Universidad ... Skills you gain: Balance Sheet, ..."), while the title is written in
the course's language.
Measured on the edX catalogue rows whose language the catalogue states: see
``tests/matcher/test_course_languages.py`` and services/matcher/README.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

TITLE_WEIGHT = 3.0
#: Evidence in the title alone that decides, whatever the description says.
TITLE_DECIDES = 2.0
#: Least share of the evidence the winner must hold, and least evidence, to be "confident".
CONFIDENT_SHARE = 0.6
CONFIDENT_EVIDENCE = 4.0

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_KK_LETTERS = frozenset("әғқңөұүһі")

# Function words: frequent, short and mostly unique to one language. Words two languages share
# (es/pt "para", "de") are listed under both and so count for neither alone.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and of to in for with on is are you your this that how from by an be will "
        "learn what it as at or can we our their which who through into about these "
        "introduction basics skills course using".split()
    ),
    "es": frozenset(
        "a o el la los las de del y en para por con un una unos es son que se su sus al "
        "como más este esta estos lo tu le les curso aprende introducción qué cómo "
        "también pero sobre entre hasta desde nuestro".split()
    ),
    "pt": frozenset(
        "o a os as de do da dos das e em para por com um uma é são que se seu sua ao "
        "como mais este esta no na nos nas você curso aprenda introdução também "
        "mas sobre entre até pelo pela".split()
    ),
    "fr": frozenset(
        "le la les de du des et en pour par avec un une est sont que qui se son sa ses "
        "au aux ce cette dans sur vous nous votre cours pas plus ou être l d "
        "introduction comment".split()
    ),
    "de": frozenset(
        "der die das den dem des und in für mit ein eine ist sind wie von zu auf im "
        "sie wir ihr nicht auch oder bei aus kurs einführung werden über".split()
    ),
    "it": frozenset(
        "il lo la gli le di del della dei e in per con un una è sono che si suo sua "
        "al come più questo questa nel nella corso introduzione anche ma tra".split()
    ),
    "tr": frozenset(
        "ve bir bu için ile da de ne gibi daha çok olarak olan kurs giriş nasıl".split()
    ),
}

# Word endings characteristic of one language (checked on words of 5+ letters).
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": ("ing", "ness", "ship", "tion", "ities", "ment", "ed", "ly"),
    "es": ("ión", "iones", "idad", "idades", "ería", "mente", "ado", "ada", "ivo", "iva"),
    "pt": ("ção", "ções", "ões", "dade", "mente", "ado", "ada", "ivo", "iva", "agem"),
    "fr": ("tion", "ment", "eux", "aux", "ique", "ité", "ée", "eur"),
    "de": ("ung", "ungen", "keit", "heit", "lich", "schaft", "isch", "chen"),
    "it": ("zione", "zioni", "ità", "mente", "ato", "ata", "etto"),
    "tr": ("leri", "ları", "lık", "lük", "ığı", "iği"),
}

# Letters that, in a Latin-script text, point to one language.
_LETTERS: dict[str, str] = {
    "ñ": "es",
    "¿": "es",
    "¡": "es",
    "ã": "pt",
    "õ": "pt",
    "ß": "de",
    "ä": "de",
    "ö": "de",
    "ğ": "tr",
    "ş": "tr",
    "ı": "tr",
    "è": "fr",
    "ê": "fr",
    "ë": "fr",
    "œ": "fr",
    "ù": "it",
    "ì": "it",
}


@dataclass(frozen=True)
class LanguageGuess:
    """A language code (None: no evidence), the winner's share of the evidence, and how much."""

    lang: str | None
    share: float
    evidence: float

    @property
    def confident(self) -> bool:
        """Return whether the guess is clear enough to act on."""
        return (
            self.lang is not None
            and self.share >= CONFIDENT_SHARE
            and self.evidence >= CONFIDENT_EVIDENCE
        )


def _script(text: str) -> str | None:
    """Return the language a non-Latin script decides, or None for Latin text."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    n = len(letters)
    cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if cyr >= 0.3 * n:
        return "kk" if any(c.lower() in _KK_LETTERS for c in letters) else "ru"
    if sum(1 for c in letters if "\u3040" <= c <= "\u30ff") >= 0.05 * n:
        return "ja"
    if sum(1 for c in letters if "\u4e00" <= c <= "\u9fff") >= 0.3 * n:
        return "zh"
    if sum(1 for c in letters if "\uac00" <= c <= "\ud7af") >= 0.3 * n:
        return "ko"
    if sum(1 for c in letters if "\u0600" <= c <= "\u06ff") >= 0.3 * n:
        return "ar"
    return None


def _best(scores: dict[str, float]) -> tuple[str, float]:
    """Return the language with the most evidence, and its evidence."""
    lang = max(scores, key=lambda k: scores[k])
    return lang, scores[lang]


def _latin_scores(text: str) -> dict[str, float]:
    """Return the evidence for each Latin-script language in ``text``."""
    scores: dict[str, float] = defaultdict(float)
    for raw in _WORD_RE.findall(text):
        word = raw.lower()
        # "l'économie", "d'entreprise": the elided article is French (or Italian "l'").
        if "'" in word or "’" in word:
            head = re.split("['’]", word, maxsplit=1)[0]
            if head in {"l", "d", "qu", "n", "s", "c", "j"}:
                scores["fr"] += 1.0
            continue
        owners = [lang for lang, words in _STOPWORDS.items() if word in words]
        if len(owners) == 1:
            scores[owners[0]] += 1.0
        if len(word) >= 5:
            endings = [lang for lang, ends in _SUFFIXES.items() if word.endswith(ends)]
            for lang in endings:
                scores[lang] += 1.0 / len(endings)
        for ch in set(word):
            marked = _LETTERS.get(ch)
            if marked is not None:
                scores[marked] += 1.0
    return scores


def guess_language(title: str, description: str = "") -> LanguageGuess:
    """Return the teaching language a course's title and description point to."""
    # A Latin title ("Excel") over a Cyrillic description is a Russian or Kazakh course.
    script = _script(title) or _script(description)
    if script is not None:
        return LanguageGuess(script, 1.0, float(len(title.split()) + 1) * TITLE_WEIGHT)
    in_title = _latin_scores(title)
    title_total = sum(in_title.values())
    if title_total >= TITLE_DECIDES:
        lang, best = _best(in_title)
        if best / title_total >= CONFIDENT_SHARE:
            return LanguageGuess(lang, round(best / title_total, 3), TITLE_WEIGHT * title_total)
    scores = _latin_scores(description)
    for lang, value in in_title.items():
        scores[lang] += TITLE_WEIGHT * value
    total = sum(scores.values())
    if total <= 0:
        return LanguageGuess(None, 0.0, 0.0)
    lang, best = _best(scores)
    return LanguageGuess(lang, round(best / total, 3), round(total, 1))
