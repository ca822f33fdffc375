"""The ESCO taxonomy held in memory: label look-ups, search, occupation requirements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.common.db import database
from services.matcher.models import ALIAS, EscoOccupation, EscoSkill

SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass
class Concept:
    """A skill or an occupation as the catalog keeps it."""

    uri: str
    label: str
    alt_labels: list[str]
    description: str
    extra: dict[str, Any] = field(default_factory=dict)
    essential: list[str] = field(default_factory=list)
    optional: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._label = self.label.lower()
        self._words = _WORD_RE.findall(self._label)
        self._alts = "\n".join(a.lower() for a in self.alt_labels)

    def rank(self, q: str) -> int | None:
        """Return how well ``q`` (lower-case) names this concept: 0 best, None no match."""
        if self._label == q:
            return 0
        if self._label.startswith(q):
            return 1
        if any(w.startswith(q) for w in self._words):
            return 2
        if q in self._label:
            return 3
        if q in self._alts:
            return 4
        return None


def _search(
    concepts: Iterable[Concept], q: str | None, limit: int, offset: int
) -> tuple[int, list[Concept]]:
    if not q:
        ordered = sorted(concepts, key=lambda c: c._label)
        return len(ordered), ordered[offset : offset + limit]
    needle = q.strip().lower()
    hits = [(r, c) for c in concepts if (r := c.rank(needle)) is not None]
    hits.sort(key=lambda rc: (rc[0], len(rc[1].label), rc[1]._label))
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
        self.skills: dict[str, Concept] = {}
        self.occupations: dict[str, Concept] = {}
        self.essential_for: dict[str, list[str]] = {}
        self.optional_for: dict[str, list[str]] = {}

    @classmethod
    def load(cls) -> Catalog:
        """Read the taxonomy from the database."""
        db = database(ALIAS)
        cat = cls()
        for d in db[EscoSkill._meta["collection"]].find({}):
            cat.skills[d["_id"]] = Concept(
                uri=d["_id"],
                label=d["label"],
                alt_labels=list(d.get("alt_labels") or []),
                description=d.get("description") or "",
                extra={
                    "skill_type": d.get("skill_type") or "",
                    "reuse_level": d.get("reuse_level") or "",
                    "broader": list(d.get("broader") or []),
                },
            )
        for d in db[EscoOccupation._meta["collection"]].find({}):
            occ = Concept(
                uri=d["_id"],
                label=d["label"],
                alt_labels=list(d.get("alt_labels") or []),
                description=d.get("description") or "",
                extra={"isco_group": d.get("isco_group") or "", "code": d.get("code") or ""},
                essential=list(d.get("essential_skills") or []),
                optional=list(d.get("optional_skills") or []),
            )
            cat.occupations[occ.uri] = occ
            for uri in occ.essential:
                cat.essential_for.setdefault(uri, []).append(occ.uri)
            for uri in occ.optional:
                cat.optional_for.setdefault(uri, []).append(occ.uri)
        return cat

    def __len__(self) -> int:
        return len(self.skills)

    def skill_label(self, uri: str) -> str | None:
        """Return the preferred label of a skill URI, if known."""
        concept = self.skills.get(uri)
        return concept.label if concept else None

    def search_skills(self, q: str | None, limit: int, offset: int) -> tuple[int, list[Concept]]:
        """Find skills whose label or alt labels contain ``q``, best named first."""
        return _search(self.skills.values(), q, limit, offset)

    def search_occupations(
        self, q: str | None, limit: int, offset: int
    ) -> tuple[int, list[Concept]]:
        """Find occupations whose label or alt labels contain ``q``, best named first."""
        return _search(self.occupations.values(), q, limit, offset)

    def skill_dicts(self) -> list[dict[str, Any]]:
        """Return the skills in the shape the extractor takes."""
        return [
            {
                "uri": c.uri,
                "label": c.label,
                "alt_labels": c.alt_labels,
                "description": c.description,
                **c.extra,
            }
            for c in self.skills.values()
        ]

    def occupation_dicts(self) -> list[dict[str, Any]]:
        """Return the occupations in the shape the title matcher takes."""
        return [
            {"uri": c.uri, "label": c.label, "alt_labels": c.alt_labels, **c.extra}
            for c in self.occupations.values()
        ]
