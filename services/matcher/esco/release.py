"""Read the official ESCO v1.1.1 CSV release straight from its zips.

Everything here is a plain iterator over dicts, so the service layer decides how to persist
(mongoengine bulk inserts) and tests can feed it any directory with the same file names.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Progress = Callable[[str, int], None]
"""Called as ``progress(stage, rows_done)`` every ``PROGRESS_EVERY`` rows and at the end."""

PROGRESS_EVERY = 1000

ESCO_LABELS_ZIP = "ESCO dataset - v1.1.1 - classification - en - csv.zip"
ESCO_RELATIONS_ZIP = "ESCO dataset - v1.1.1 - classification -  - csv.zip"

csv.field_size_limit(10_000_000)


@dataclass
class Skill:
    """One ESCO skill or knowledge concept: the one skill type, from the release to the API."""

    uri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    description: str = ""
    skill_type: str = ""
    reuse_level: str = ""
    #: Broader concepts of the skills pillar (filled by the import; the CSV row has none).
    broader: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a plain dict for persistence."""
        return {
            "uri": self.uri,
            "label": self.label,
            "alt_labels": list(self.alt_labels),
            "description": self.description,
            "skill_type": self.skill_type,
            "reuse_level": self.reuse_level,
            "broader": list(self.broader),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Skill:
        """Return the skill of a stored document (``_id``) or a plain dict (``uri``)."""
        return cls(
            uri=str(d["_id"] if "_id" in d else d["uri"]),
            label=str(d["label"]),
            alt_labels=list(d.get("alt_labels") or []),
            description=str(d.get("description") or ""),
            skill_type=str(d.get("skill_type") or ""),
            reuse_level=str(d.get("reuse_level") or ""),
            broader=list(d.get("broader") or []),
        )


@dataclass
class Occupation:
    """One ESCO occupation with the skills it requires (essential first, none in both)."""

    uri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    description: str = ""
    isco_group: str = ""
    code: str = ""
    #: Skill URIs (filled by the import from the relations file; the CSV row has none).
    essential: list[str] = field(default_factory=list)
    optional: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a plain dict for persistence."""
        return {
            "uri": self.uri,
            "label": self.label,
            "alt_labels": list(self.alt_labels),
            "description": self.description,
            "isco_group": self.isco_group,
            "code": self.code,
            "essential_skills": list(self.essential),
            "optional_skills": list(self.optional),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Occupation:
        """Return the occupation of a stored document (``_id``) or a plain dict (``uri``)."""
        return cls(
            uri=str(d["_id"] if "_id" in d else d["uri"]),
            label=str(d["label"]),
            alt_labels=list(d.get("alt_labels") or []),
            description=str(d.get("description") or ""),
            isco_group=str(d.get("isco_group") or ""),
            code=str(d.get("code") or ""),
            essential=list(d.get("essential_skills") or []),
            optional=list(d.get("optional_skills") or []),
        )


def _zip_path(data_dir: str | Path, name: str) -> Path:
    """Find an ESCO zip in ``data_dir`` or its ``esco`` subfolder."""
    base = Path(data_dir)
    for cand in (base / name, base / "esco" / name):
        if cand.exists():
            return cand
    raise FileNotFoundError(f"{name!r} not found in {base} or {base / 'esco'}")


def _rows(zip_path: Path, member: str) -> Iterator[dict[str, str]]:
    """Yield CSV rows of one zip member without extracting to disk."""
    with zipfile.ZipFile(zip_path) as zf, zf.open(member) as raw:
        # ESCO files may carry a BOM; utf-8-sig strips it from the first header.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        yield from csv.DictReader(text)


def _split_labels(value: str | None) -> list[str]:
    """Split an ESCO multi-line label cell, dropping blanks and duplicates."""
    if not value:
        return []
    seen: dict[str, None] = {}
    for part in value.split("\n"):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def _counted(
    rows: Iterator[dict[str, str]], stage: str, progress: Progress | None
) -> Iterator[dict[str, str]]:
    """Pass rows through, reporting every ``PROGRESS_EVERY`` rows and the total at the end."""
    n = 0
    for row in rows:
        n += 1
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(stage, n)
        yield row
    if progress is not None:
        progress(stage, n)


def _labelled(
    rows: Iterator[dict[str, str]], stage: str, progress: Progress | None
) -> Iterator[tuple[dict[str, str], dict[str, Any]]]:
    """Yield concept rows that have a label, with the uri/label/alt_labels/description fields."""
    labelled = (r for r in rows if (r.get("preferredLabel") or "").strip())
    for row in _counted(labelled, stage, progress):
        label = (row.get("preferredLabel") or "").strip()
        yield (
            row,
            {
                "uri": row["conceptUri"],
                "label": label,
                "alt_labels": [a for a in _split_labels(row.get("altLabels")) if a != label],
                "description": (row.get("description") or "").strip(),
            },
        )


def iter_skills(data_dir: str | Path, progress: Progress | None = None) -> Iterator[Skill]:
    """Yield ESCO skills (released only) from skills_en.csv."""
    rows = _rows(_zip_path(data_dir, ESCO_LABELS_ZIP), "skills_en.csv")
    released = (r for r in rows if r.get("status", "released") == "released")
    for row, concept in _labelled(released, "skills", progress):
        yield Skill(
            **concept,
            skill_type=row.get("skillType") or "",
            reuse_level=row.get("reuseLevel") or "",
        )


def iter_occupations(
    data_dir: str | Path, progress: Progress | None = None
) -> Iterator[Occupation]:
    """Yield ESCO occupations from occupations_en.csv."""
    rows = _rows(_zip_path(data_dir, ESCO_LABELS_ZIP), "occupations_en.csv")
    for row, concept in _labelled(rows, "occupations", progress):
        yield Occupation(
            **concept, isco_group=row.get("iscoGroup") or "", code=row.get("code") or ""
        )


def iter_occupation_skill_relations(
    data_dir: str | Path, progress: Progress | None = None
) -> Iterator[dict[str, str]]:
    """Yield {occupation_uri, skill_uri, relation: essential|optional, skill_type}."""
    rows = _rows(_zip_path(data_dir, ESCO_RELATIONS_ZIP), "occupationSkillRelations.csv")
    for row in _counted(rows, "occupation_skills", progress):
        yield {
            "occupation_uri": row["occupationUri"],
            "skill_uri": row["skillUri"],
            "relation": row["relationType"],
            "skill_type": row.get("skillType") or "",
        }


def iter_skill_groups(
    data_dir: str | Path, progress: Progress | None = None
) -> Iterator[dict[str, Any]]:
    """Yield skill groups {uri, label, alt_labels, description, code}."""
    rows = _rows(_zip_path(data_dir, ESCO_LABELS_ZIP), "skillGroups_en.csv")
    for row in _counted(rows, "skill_groups", progress):
        yield {
            "uri": row["conceptUri"],
            "label": (row.get("preferredLabel") or "").strip(),
            "alt_labels": _split_labels(row.get("altLabels")),
            "description": (row.get("description") or "").strip(),
            "code": row.get("code") or "",
        }


def iter_broader_skill_relations(
    data_dir: str | Path, progress: Progress | None = None
) -> Iterator[dict[str, str]]:
    """Yield skill-pillar hierarchy edges {uri, type, broader_uri, broader_type}."""
    rows = _rows(_zip_path(data_dir, ESCO_RELATIONS_ZIP), "broaderRelationsSkillPillar.csv")
    for row in _counted(rows, "skill_hierarchy", progress):
        yield {
            "uri": row["conceptUri"],
            "type": row.get("conceptType") or "",
            "broader_uri": row["broaderUri"],
            "broader_type": row.get("broaderType") or "",
        }


def load_skills(data_dir: str | Path, progress: Progress | None = None) -> list[Skill]:
    """Return all ESCO skills as a list."""
    return list(iter_skills(data_dir, progress))


def load_occupations(data_dir: str | Path, progress: Progress | None = None) -> list[Occupation]:
    """Return all ESCO occupations as a list."""
    return list(iter_occupations(data_dir, progress))
