"""Find vocabulary terms in text: stemmed, any script and case, longest match first."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from services.matcher.ml.vocabulary.text import Token, term_tokens, tokenize

DATA = Path(__file__).resolve().parent / "data"
TERMS_FILE = DATA / "terms.tsv"
NON_SKILL_FILE = DATA / "non_skill.tsv"
LABELS_FILE = DATA / "labels_ru_kk.tsv"

#: Confidence of a hit by how its term was made: an authored term or an O*NET tool that is an
#: ESCO label names the skill; a tool mapped through its O*NET category names a broader one.
SOURCE_CONFIDENCE = {
    "kz": 0.95,
    "labels": 0.93,
    "collections": 0.93,
    "languages": 0.95,
    "onet-esco": 0.95,
    "onet-authored": 0.95,
    "onet-category": 0.85,
}
DEFAULT_CONFIDENCE = 0.85


@dataclass(frozen=True)
class Term:
    """One surface form of an ESCO skill (empty ``uri``: a known non-skill phrase)."""

    text: str
    lang: str
    uri: str
    source: str
    case_sensitive: bool = False

    @property
    def confidence(self) -> float:
        """Return how sure a hit of this term is."""
        return SOURCE_CONFIDENCE.get(self.source, DEFAULT_CONFIDENCE)


@dataclass(frozen=True)
class Hit:
    """A term found in a text, with the character span it covers."""

    term: Term
    start: int
    end: int
    matched: str


class PhraseIndex:
    """Index terms by their first token key; match each text position leftmost-longest."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], Term]]] = {}
        self.terms: list[Term] = []
        for t in terms:
            keys = term_tokens(t.text, t.lang)
            if not keys:
                continue
            surfaces = tuple(tok.surface for tok in tokenize(t.text)) if t.case_sensitive else ()
            self._by_first.setdefault(keys[0], []).append((keys, surfaces, t))
            self.terms.append(t)
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def __len__(self) -> int:
        return len(self.terms)

    def _at(self, toks: list[Token], i: int) -> tuple[int, list[Term]]:
        """Return (tokens covered, terms) of the longest terms starting at token i."""
        best_len, best = 0, list[Term]()
        for key in toks[i].keys:
            for keys, surfaces, term in self._by_first.get(key, ()):
                n = len(keys)
                if n < best_len or i + n > len(toks):
                    continue
                if any(keys[j] not in toks[i + j].keys for j in range(1, n)):
                    continue
                if surfaces and any(toks[i + j].surface != surfaces[j] for j in range(n)):
                    continue
                if n > best_len:
                    best_len, best = n, list[Term]()
                best.append(term)
        return best_len, best

    def find(self, text: str) -> list[Hit]:
        """Return the terms in ``text``; overlapping shorter terms give way to longer ones."""
        toks = tokenize(text)
        hits: list[Hit] = []
        i = 0
        while i < len(toks):
            n, terms = self._at(toks, i)
            if not n:
                i += 1
                continue
            start, end = toks[i].start, toks[i + n - 1].end
            seen: set[str] = set()
            for t in terms:
                if t.uri not in seen:
                    seen.add(t.uri)
                    hits.append(Hit(t, start, end, text[start:end]))
            i += n
        return hits


def _read_tsv(path: Path) -> Iterable[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        lines = (line for line in f if line.strip() and not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


@lru_cache(maxsize=4)
def load_terms(path: Path = TERMS_FILE) -> tuple[Term, ...]:
    """Read the compiled vocabulary (``make vocabulary`` writes it)."""
    return tuple(
        Term(
            text=r["term"],
            lang=r["lang"],
            uri=r["uri"],
            source=r["source"],
            case_sensitive=r["case"] == "1",
        )
        for r in _read_tsv(path)
    )


@lru_cache(maxsize=4)
def load_non_skill(path: Path = NON_SKILL_FILE) -> tuple[Term, ...]:
    """Read phrases that name no skill (institutions, headings); they hide text from the model."""
    return tuple(
        Term(text=r["phrase"], lang=r["lang"], uri="", source="non-skill") for r in _read_tsv(path)
    )


@lru_cache(maxsize=8)
def display_labels(
    lang: str, labels_path: Path = LABELS_FILE, terms_path: Path = TERMS_FILE
) -> dict[str, str]:
    """Return {ESCO URI: label to show in ``lang``}: the first term of its authored line."""
    # The compiled file is sorted, so which term leads a line (the display form) is read from
    # the authored file; the compiled rows of that term give its URIs (resolved by the build).
    firsts: dict[str, int] = {}
    for i, r in enumerate(_read_tsv(labels_path)):
        terms = [t.strip() for t in (r.get("terms") or "").split("|") if t.strip()]
        if r.get("lang") == lang and terms:
            firsts.setdefault(terms[0], i)
    found: dict[str, tuple[int, str]] = {}
    for r in _read_tsv(terms_path):
        line = firsts.get(r["term"])
        if line is None or r["lang"] != lang or r["source"] != "labels":
            continue
        if r["uri"] not in found or line < found[r["uri"]][0]:
            found[r["uri"]] = (line, r["term"])
    return {uri: term for uri, (_, term) in found.items()}
