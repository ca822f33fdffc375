"""Find vocabulary terms in text: stemmed, any script and case, longest match first."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from services.matcher.ml.vocabulary.text import Token, term_tokens, tokenize

DATA = Path(__file__).resolve().parent / "data"
TERMS_FILE = DATA / "terms.tsv"
NON_SKILL_FILE = DATA / "non_skill.tsv"
LABELS_FILE = DATA / "labels_ru_kk.tsv"
OCCUPATIONS_FILE = DATA / "occupations_ru_kk.tsv"
#: Display names only: shown on pages, never spotted in text (extraction does not read them).
SKILL_NAMES_FILE = DATA / "skill_names_ru_kk.tsv"
#: Authored label files: the leading term of an entry is the label shown in its language (the
#: local tool names of kz_terms.tsv are forms to spot, not labels).
DISPLAY_FILES = ("labels_ru_kk.tsv", "collections_ru_kk.tsv")

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
        for key in sorted(toks[i].keys):  # a frozenset: its order varies with PYTHONHASHSEED
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
            for t in sorted(terms, key=lambda t: -t.confidence):  # a skill's surest term wins
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
def display_labels(lang: str, data: Path = DATA, terms_path: Path = TERMS_FILE) -> dict[str, str]:
    """Return {ESCO URI: label to show in ``lang``}: spotting term, else display name."""
    # Occupation and skill URIs never collide, so one map serves every taxonomy endpoint; an
    # authored spotting term (reviewed against job ads) beats a translated display name.
    return {
        **occupation_labels(lang, data / OCCUPATIONS_FILE.name),
        **skill_names(lang, data / SKILL_NAMES_FILE.name),
        **spotting_labels(lang, data, terms_path),
    }


@lru_cache(maxsize=8)
def spotting_labels(lang: str, data: Path = DATA, terms_path: Path = TERMS_FILE) -> dict[str, str]:
    """Return {ESCO skill URI: the leading term of its authored spotting entry in ``lang``}."""
    # The compiled file is sorted, so which term leads an entry (the display form) is read from
    # the authored files; the compiled rows of that term and ESCO label give the URIs.
    wanted: dict[tuple[str, str], int] = {}
    order = 0
    for fname in DISPLAY_FILES:
        path = data / fname
        if not path.exists():
            continue
        for r in _read_tsv(path):
            terms = [t.strip() for t in (r.get("terms") or "").split("|") if t.strip()]
            if r.get("lang") != lang or not terms:
                continue
            for label in (x.strip() for x in (r.get("esco_labels") or "").split(";")):
                order += 1
                wanted.setdefault((terms[0], label), order)
    languages = data / "languages.tsv"
    if languages.exists():
        for r in _read_tsv(languages):
            for label, term in _language_display(r, lang).items():
                order += 1
                wanted.setdefault((term, label), order)
    found: dict[str, tuple[int, str]] = {}
    for r in _read_tsv(terms_path):
        rank = wanted.get((r["term"], r["esco_label"]))
        if rank is None or r["lang"] != lang:
            continue
        if r["uri"] not in found or rank < found[r["uri"]][0]:
            found[r["uri"]] = (rank, r["term"])
    return {uri: term for uri, (_, term) in found.items()}


@dataclass(frozen=True)
class SkillName:
    """Authored Russian and Kazakh display names of one ESCO skill (skill_names_ru_kk.tsv)."""

    uri: str
    esco_label: str
    ru: str
    kk: str
    how: str


@lru_cache(maxsize=4)
def load_skill_names(path: Path = SKILL_NAMES_FILE) -> tuple[SkillName, ...]:
    """Read the authored ru/kk display names of skills (empty when the file is absent)."""
    if not path.exists():
        return ()
    return tuple(
        SkillName(
            uri=(r.get("esco_uri") or "").strip(),
            esco_label=(r.get("esco_label") or "").strip(),
            ru=(r.get("ru") or "").strip(),
            kk=(r.get("kk") or "").strip(),
            how=(r.get("how") or "").strip(),
        )
        for r in _read_tsv(path)
    )


@lru_cache(maxsize=8)
def skill_names(lang: str, path: Path = SKILL_NAMES_FILE) -> dict[str, str]:
    """Return {ESCO skill URI: its authored display name in ``lang``} (ru or kk; never spotted)."""
    if lang not in {"ru", "kk"}:
        return {}
    return {n.uri: getattr(n, lang) for n in load_skill_names(path) if getattr(n, lang)}


def _language_display(r: dict[str, str], lang: str) -> dict[str, str]:
    """Return {ESCO label: display term} of one languages.tsv row (the build's first forms)."""
    name = r["esco_language"]
    if lang == "ru":
        ru = r["ru"]
        general = f"{ru} язык" if ru.endswith("ий") else ru
        spoken, written, read = f"разговорный {ru}", f"письменный {ru}", f"письменный {ru}"
    elif lang == "kk":
        kk = r["kk"]
        general = f"{kk} тілі"
        spoken, written, read = (f"{kk} тілінде {v}" for v in ("сөйлеу", "жазу", "оқу"))
    else:
        return {}
    return {
        name: general,
        f"interact verbally in {name}": spoken,
        f"write {name}": written,
        f"understand written {name}": read,
    }


@dataclass(frozen=True)
class OccupationLabels:
    """Authored Russian and Kazakh names of one ESCO occupation (occupations_ru_kk.tsv)."""

    uri: str
    en_label: str
    ru_label: str
    ru_synonyms: tuple[str, ...]
    kk_label: str
    kk_synonyms: tuple[str, ...]
    how: str

    def terms(self) -> list[Term]:
        """Return every ru/kk name as a term whose ``uri`` is the occupation."""
        named = [("ru", self.ru_label), *(("ru", t) for t in self.ru_synonyms)]
        named += [("kk", self.kk_label), *(("kk", t) for t in self.kk_synonyms)]
        return [Term(text, lang, self.uri, "occupations") for lang, text in named if text]


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


@lru_cache(maxsize=4)
def load_occupation_labels(path: Path = OCCUPATIONS_FILE) -> tuple[OccupationLabels, ...]:
    """Read the authored ru/kk occupation labels (empty when the file is absent)."""
    if not path.exists():
        return ()
    return tuple(
        OccupationLabels(
            uri=r["uri"].strip(),
            en_label=(r.get("en_label") or "").strip(),
            ru_label=(r.get("ru_label") or "").strip(),
            ru_synonyms=_split(r.get("ru_synonyms")),
            kk_label=(r.get("kk_label") or "").strip(),
            kk_synonyms=_split(r.get("kk_synonyms")),
            how=(r.get("how") or "").strip(),
        )
        for r in _read_tsv(path)
    )


@lru_cache(maxsize=8)
def occupation_labels(lang: str, path: Path = OCCUPATIONS_FILE) -> dict[str, str]:
    """Return {ESCO occupation URI: its authored preferred label in ``lang``} (ru or kk)."""
    field = {"ru": "ru_label", "kk": "kk_label"}.get(lang)
    if field is None:
        return {}
    return {o.uri: getattr(o, field) for o in load_occupation_labels(path) if getattr(o, field)}


def native_names(uris: Sequence[str]) -> tuple[list[str], list[int]]:
    """Return the Russian and Kazakh names of skills (display labels) and whose each is.

    For the model's side of Russian/Kazakh text (scoring.py): a sentence's similarity to the
    skill's English label runs low across languages, to its ru/kk name it does not. Ordered by
    skill, as AltLabels wants; a name the other language shares is kept once.
    """
    ru, kk = display_labels("ru"), display_labels("kk")
    texts: list[str] = []
    owners: list[int] = []
    for i, uri in enumerate(uris):
        seen: set[str] = set()
        for name in (ru.get(uri), kk.get(uri)):
            if name and name.lower() not in seen:
                seen.add(name.lower())
                texts.append(name)
                owners.append(i)
    return texts, owners
