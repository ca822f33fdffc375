"""The ESCO taxonomy held in memory: label look-ups, search, occupation requirements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from services.common.db import database
from services.matcher.db import ALIAS
from services.matcher.esco.models import EscoOccupation, EscoSkill
from services.matcher.esco.release import Occupation, Skill

SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
_WORD_RE = re.compile(r"\w+", re.UNICODE)

C = TypeVar("C", Skill, Occupation)


@dataclass(frozen=True)
class _Names:
    """A concept's names folded once for search."""

    label: str
    words: list[str] = field(default_factory=list)
    alts: str = ""

    @classmethod
    def of(cls, concept: Skill | Occupation) -> _Names:
        """Fold a concept's preferred and alt labels."""
        label = concept.label.lower()
        return cls(label, _WORD_RE.findall(label), "\n".join(a.lower() for a in concept.alt_labels))

    def rank(self, q: str) -> int | None:
        """Return how well ``q`` (lower-case) names this concept: 0 best, None no match."""
        if self.label == q:
            return 0
        if self.label.startswith(q):
            return 1
        if any(w.startswith(q) for w in self.words):
            return 2
        if q in self.label:
            return 3
        if q in self.alts:
            return 4
        return None


def _search(
    concepts: Iterable[C], names: dict[str, _Names], q: str | None, limit: int, offset: int
) -> tuple[int, list[C]]:
    if not q:
        ordered = sorted(concepts, key=lambda c: names[c.uri].label)
        return len(ordered), ordered[offset : offset + limit]
    needle = q.strip().lower()
    hits = [(r, c) for c in concepts if (r := names[c.uri].rank(needle)) is not None]
    hits.sort(key=lambda rc: (rc[0], len(rc[1].label), names[rc[1].uri].label))
    return len(hits), [c for _, c in hits[offset : offset + limit]]


def normalise_uri(value: str, prefix: str) -> str:
    """Accept a full ESCO URI or its bare identifier."""
    value = value.strip()
    if value.startswith("http:/") and not value.startswith("http://"):
        # Some proxies merge the double slash of a URI sent inside a path.
        value = "http://" + value[len("http:/") :]
    return value if "://" in value else prefix + value


class Catalog:
    """Skills and occupations loaded once from the matcher's database."""

    def __init__(self) -> None:
        self.skills: dict[str, Skill] = {}
        self.occupations: dict[str, Occupation] = {}
        self.essential_for: dict[str, list[str]] = {}
        self.optional_for: dict[str, list[str]] = {}
        self._names: dict[str, _Names] = {}

    @classmethod
    def load(cls) -> Catalog:
        """Read the taxonomy from the database."""
        db = database(ALIAS)
        cat = cls()
        for d in db[EscoSkill._meta["collection"]].find({}):
            cat.add_skill(Skill.from_dict(d))
        for d in db[EscoOccupation._meta["collection"]].find({}):
            cat.add_occupation(Occupation.from_dict(d))
        return cat

    def add_skill(self, skill: Skill) -> None:
        """Hold one skill."""
        self.skills[skill.uri] = skill
        self._names[skill.uri] = _Names.of(skill)

    def add_occupation(self, occ: Occupation) -> None:
        """Hold one occupation and index the skills it requires."""
        self.occupations[occ.uri] = occ
        self._names[occ.uri] = _Names.of(occ)
        for uri in occ.essential:
            self.essential_for.setdefault(uri, []).append(occ.uri)
        for uri in occ.optional:
            self.optional_for.setdefault(uri, []).append(occ.uri)

    def __len__(self) -> int:
        return len(self.skills)

    def skill_label(self, uri: str) -> str | None:
        """Return the preferred label of a skill URI, if known."""
        skill = self.skills.get(uri)
        return skill.label if skill else None

    def search_skills(self, q: str | None, limit: int, offset: int) -> tuple[int, list[Skill]]:
        """Find skills whose label or alt labels contain ``q``, best named first."""
        return _search(self.skills.values(), self._names, q, limit, offset)

    def search_occupations(
        self, q: str | None, limit: int, offset: int
    ) -> tuple[int, list[Occupation]]:
        """Find occupations whose label or alt labels contain ``q``, best named first."""
        return _search(self.occupations.values(), self._names, q, limit, offset)
