"""Choose the ESCO skills users see most, and measure how many of them show a ru/kk name."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from services.matcher.esco.release import (
    ESCO_LABELS_ZIP,
    iter_occupation_skill_relations,
    load_skills,
)
from services.matcher.ml.vocabulary.matcher import (
    SKILL_NAMES_FILE,
    display_labels,
    load_skill_names,
    spotting_labels,
)

COURSERA_FILE = Path("courses") / "coursera_lms.csv"
#: ESCO collections whose skills every page may show (language skills: languages.tsv names most).
COLLECTIONS = (
    "digitalSkillsCollection_en.csv",
    "transversalSkillsCollection_en.csv",
    "languageSkillsCollection_en.csv",
)

Labels = Callable[[str], Mapping[str, str]]


@dataclass(frozen=True)
class Candidate:
    """One ESCO skill and how often users meet it."""

    uri: str
    label: str
    essential_for: int
    coursera_mentions: int
    collections: tuple[str, ...]

    @property
    def score(self) -> int:
        """Return how often the skill is shown: occupations needing it plus course mentions."""
        return self.essential_for + self.coursera_mentions


@dataclass(frozen=True)
class Usage:
    """What the real data shows of the skills: essential relations and Coursera mentions."""

    essential: Counter[str]
    coursera: Counter[str]
    coursera_all: int
    collections: dict[str, tuple[str, ...]]
    label_of: dict[str, str]


def coursera_entries(data_dir: Path) -> list[str]:
    """Return every "Gained Skills" entry of the Coursera catalogue, one per course mention."""
    with (data_dir / COURSERA_FILE).open(encoding="utf-8", newline="") as f:
        return [
            s.strip() for r in csv.DictReader(f) for s in (r["Gained Skills"] or "").split(",")
            if s.strip()
        ]  # fmt: skip


def _collection_uris(esco_dir: Path) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(esco_dir / ESCO_LABELS_ZIP) as zf:
        for member in COLLECTIONS:
            with zf.open(member) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                name = member.removesuffix("SkillsCollection_en.csv")
                for r in csv.DictReader(text):
                    found.setdefault(r["conceptUri"], []).append(name)
    return {uri: tuple(names) for uri, names in found.items()}


def usage(data_dir: Path) -> Usage:
    """Count essential relations per skill and Coursera entries matching an ESCO label exactly."""
    skills = load_skills(data_dir / "esco")
    by_label: dict[str, str] = {}
    # A preferred label beats an alt label of another skill; first skill in file order wins ties.
    for s in skills:
        by_label.setdefault(s.label.casefold(), s.uri)
    for s in skills:
        for alt in s.alt_labels:
            by_label.setdefault(alt.casefold(), s.uri)
    essential = Counter(
        r["skill_uri"]
        for r in iter_occupation_skill_relations(data_dir / "esco")
        if r["relation"] == "essential"
    )
    entries = coursera_entries(data_dir)
    coursera = Counter(by_label[e.casefold()] for e in entries if e.casefold() in by_label)
    return Usage(
        essential=essential,
        coursera=coursera,
        coursera_all=len(entries),
        collections=_collection_uris(data_dir / "esco"),
        label_of={s.uri: s.label for s in skills},
    )


def candidates(u: Usage) -> list[Candidate]:
    """Return every skill users meet, most seen first (ties by label, so the order is stable)."""
    uris = set(u.essential) | set(u.coursera) | set(u.collections)
    out = [
        Candidate(
            uri, u.label_of[uri], u.essential[uri], u.coursera[uri], u.collections.get(uri, ())
        )
        for uri in uris
        if uri in u.label_of
    ]
    return sorted(out, key=lambda c: (-c.score, -c.essential_for, c.label, c.uri))


def select(u: Usage, named: Labels, top: int) -> list[Candidate]:
    """Return the ``top`` most-seen skills that have neither a ru nor a kk name yet."""
    ru, kk = named("ru"), named("kk")
    return [c for c in candidates(u) if c.uri not in ru or c.uri not in kk][:top]


def coverage(u: Usage, named: Labels) -> dict[str, float]:
    """Return the shares of essential relations and Coursera mentions shown in ru and in kk."""
    total = sum(u.essential.values())
    out: dict[str, float] = {}
    for lang in ("ru", "kk"):
        labels = named(lang)
        shown = sum(n for uri, n in u.essential.items() if uri in labels)
        mentioned = sum(n for uri, n in u.coursera.items() if uri in labels)
        out[f"essential_relations_{lang}"] = round(shown / total, 3)
        out[f"coursera_matched_mentions_{lang}"] = round(mentioned / sum(u.coursera.values()), 3)
        out[f"coursera_all_mentions_{lang}"] = round(mentioned / u.coursera_all, 3)
    return out


def report(data_dir: Path, top: int) -> int:
    """Print the skills to name next and the display-name coverage before and after the file."""
    use = usage(data_dir)
    before = coverage(use, spotting_labels)
    after = coverage(use, display_labels)
    named = {n.uri for n in load_skill_names()}
    print("esco_uri\tesco_label\tessential_for\tcoursera_mentions\tcollections\tin_skill_names")
    for c in select(use, spotting_labels, top):
        where = ",".join(c.collections)
        row = (c.uri, c.label, c.essential_for, c.coursera_mentions, where, int(c.uri in named))
        print("\t".join(map(str, row)))
    still = select(use, display_labels, len(use.label_of))
    print(f"# skills still without a ru/kk display name among those users meet: {len(still)}")
    print(f"# display coverage, spotting terms only: {before}")
    print(f"# display coverage, with {SKILL_NAMES_FILE.name}: {after}")
    return 0
