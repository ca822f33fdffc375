"""Split free text into sentences and clauses, and guess its language (en, ru, kk)."""

from __future__ import annotations

import re

_BULLET_RE = re.compile(r"^\s*(?:[-*•·–—▪►●○◦]|\d{1,2}[.)])\s+", re.MULTILINE)
_SENT_END_RE = re.compile(r"(?<=[.!?;…])\s+(?=[\"«(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])")
_WS_RE = re.compile(r"\s+")
_HTML_RE = re.compile(r"<[^>]{1,40}>")


def split_sentences(text: str, max_chars: int = 300) -> list[str]:
    """Split text into sentences and bullet items (English, Russian, Kazakh)."""
    # Tags like <highlighttext> from hh.kz snippets carry no meaning; drop them.
    text = _HTML_RE.sub(" ", text)
    text = _BULLET_RE.sub("\n", text)
    out: list[str] = []
    for line in re.split(r"[\n\r]+|\s[•·▪]\s", text):
        line = line.strip(" \t-*•·–—")
        if not line:
            continue
        for sent in _SENT_END_RE.split(line):
            sent = _WS_RE.sub(" ", sent).strip()
            if len(sent) < 2:
                continue
            # Very long run-on sentences dilute the embedding; cut them at commas/semicolons.
            while len(sent) > max_chars:
                cut = max(sent.rfind(", ", 0, max_chars), sent.rfind("; ", 0, max_chars))
                if cut <= 0:
                    cut = sent.rfind(" ", 0, max_chars)
                if cut <= 0:
                    break
                out.append(sent[:cut].strip())
                sent = sent[cut + 1 :].strip()
            if sent:
                out.append(sent)
    return out


_CLAUSE_RE = re.compile(r"\s*[,;]\s+|\s+(?:as well as|а также|сондай-ақ)\s+", re.IGNORECASE)


_KK_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def detect_language(text: str) -> str:
    """Guess en, ru or kk from the script (Cyrillic letters, Kazakh-specific letters)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "en"
    cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if cyr < 0.3 * len(letters):
        return "en"
    return "kk" if any(c in _KK_LETTERS for c in letters) else "ru"


def split_clauses(sentence: str, min_words: int = 6) -> list[str]:
    """Split a long sentence at commas and conjunctions; short ones give no clauses."""
    # One embedding per long enumeration averages its skills away; clauses keep each visible.
    if len(sentence.split()) < min_words:
        return []
    parts = [p.strip(" .;:") for p in _CLAUSE_RE.split(sentence)]
    # A lone word ("training", "Docker") matches too many labels by word overlap alone.
    parts = [p for p in parts if len(p.split()) >= 2]
    return parts if len(parts) > 1 else []
