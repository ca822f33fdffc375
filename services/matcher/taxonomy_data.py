"""Read the official ESCO v1.1.1 CSV release (and O*NET enrichment) straight from its zips.

Everything here is a plain iterator over dicts, so the service layer decides how to persist
(mongoengine bulk inserts) and tests can feed it any directory with the same file names.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Progress = Callable[[str, int], None]
"""Called as ``progress(stage, rows_done)`` every ``PROGRESS_EVERY`` rows and at the end."""

PROGRESS_EVERY = 1000

ESCO_LABELS_ZIP = "ESCO dataset - v1.1.1 - classification - en - csv.zip"
ESCO_RELATIONS_ZIP = "ESCO dataset - v1.1.1 - classification -  - csv.zip"
ONET_TECH_SKILLS = "Technology Skills.txt"
ONET_CROSSWALK = "esco_onet_crosswalk_Nov2020.csv"

csv.field_size_limit(10_000_000)


@dataclass
class Skill:
    """One ESCO skill or knowledge concept."""

    uri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    description: str = ""
    skill_type: str = ""
    reuse_level: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a plain dict for persistence."""
        return {
            "uri": self.uri,
            "label": self.label,
            "alt_labels": list(self.alt_labels),
            "description": self.description,
            "skill_type": self.skill_type,
            "reuse_level": self.reuse_level,
        }


@dataclass
class Occupation:
    """One ESCO occupation."""

    uri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    description: str = ""
    isco_group: str = ""
    code: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a plain dict for persistence."""
        return {
            "uri": self.uri,
            "label": self.label,
            "alt_labels": list(self.alt_labels),
            "description": self.description,
            "isco_group": self.isco_group,
            "code": self.code,
        }


def _zip_path(data_dir: str | Path, name: str) -> Path:
    """Find an ESCO zip in ``data_dir`` or its ``esco`` subfolder."""
    base = Path(data_dir)
    for cand in (base / name, base / "esco" / name):
        if cand.exists():
            return cand
    raise FileNotFoundError(f"{name!r} not found in {base} or {base / 'esco'}")


def _onet_path(data_dir: str | Path, name: str) -> Path | None:
    base = Path(data_dir)
    for cand in (base / name, base / "onet" / name, base.parent / "onet" / name):
        if cand.exists():
            return cand
    return None


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


def _tick(progress: Progress | None, stage: str, n: int) -> None:
    if progress is not None and n % PROGRESS_EVERY == 0:
        progress(stage, n)


def iter_skills(data_dir: str | Path, progress: Progress | None = None) -> Iterator[Skill]:
    """Yield ESCO skills (released only) from skills_en.csv."""
    n = 0
    for row in _rows(_zip_path(data_dir, ESCO_LABELS_ZIP), "skills_en.csv"):
        if row.get("status", "released") != "released":
            continue
        label = (row.get("preferredLabel") or "").strip()
        if not label:
            continue
        alts = [a for a in _split_labels(row.get("altLabels")) if a != label]
        n += 1
        _tick(progress, "skills", n)
        yield Skill(
            uri=row["conceptUri"],
            label=label,
            alt_labels=alts,
            description=(row.get("description") or "").strip(),
            skill_type=row.get("skillType") or "",
            reuse_level=row.get("reuseLevel") or "",
        )
    if progress is not None:
        progress("skills", n)


def iter_occupations(
    data_dir: str | Path, progress: Progress | None = None
) -> Iterator[Occupation]:
    """Yield ESCO occupations from occupations_en.csv."""
    n = 0
    for row in _rows(_zip_path(data_dir, ESCO_LABELS_ZIP), "occupations_en.csv"):
        label = (row.get("preferredLabel") or "").strip()
        if not label:
            continue
        alts = [a for a in _split_labels(row.get("altLabels")) if a != label]
        n += 1
        _tick(progress, "occupations", n)
        yield Occupation(
            uri=row["conceptUri"],
            label=label,
            alt_labels=alts,
            description=(row.get("description") or "").strip(),
            isco_group=row.get("iscoGroup") or "",
            code=row.get("code") or "",
        )
    if progress is not None:
        progress("occupations", n)


def iter_occupation_skill_relations(
    data_dir: str | Path, progress: Progress | None = None
) -> Iterator[dict[str, str]]:
    """Yield {occupation_uri, skill_uri, relation: essential|optional, skill_type}."""
    n = 0
    for row in _rows(_zip_path(data_dir, ESCO_RELATIONS_ZIP), "occupationSkillRelations.csv"):
        n += 1
        _tick(progress, "occupation_skills", n)
        yield {
            "occupation_uri": row["occupationUri"],
            "skill_uri": row["skillUri"],
            "relation": row["relationType"],
            "skill_type": row.get("skillType") or "",
        }
    if progress is not None:
        progress("occupation_skills", n)


def iter_skill_skill_relations(
    data_dir: str | Path, progress: Progress | None = None
) -> Iterator[dict[str, str]]:
    """Yield {skill_uri, related_uri, relation} from skillSkillRelations.csv."""
    n = 0
    for row in _rows(_zip_path(data_dir, ESCO_RELATIONS_ZIP), "skillSkillRelations.csv"):
        n += 1
        _tick(progress, "skill_skill", n)
        yield {
            "skill_uri": row["originalSkillUri"],
            "related_uri": row["relatedSkillUri"],
            "relation": row["relationType"],
        }
    if progress is not None:
        progress("skill_skill", n)


def iter_skill_groups(
    data_dir: str | Path, progress: Progress | None = None
) -> Iterator[dict[str, Any]]:
    """Yield skill groups {uri, label, alt_labels, description, code}."""
    n = 0
    for row in _rows(_zip_path(data_dir, ESCO_LABELS_ZIP), "skillGroups_en.csv"):
        n += 1
        _tick(progress, "skill_groups", n)
        yield {
            "uri": row["conceptUri"],
            "label": (row.get("preferredLabel") or "").strip(),
            "alt_labels": _split_labels(row.get("altLabels")),
            "description": (row.get("description") or "").strip(),
            "code": row.get("code") or "",
        }
    if progress is not None:
        progress("skill_groups", n)


def iter_broader_skill_relations(
    data_dir: str | Path, progress: Progress | None = None
) -> Iterator[dict[str, str]]:
    """Yield skill-pillar hierarchy edges {uri, type, broader_uri, broader_type}."""
    n = 0
    for row in _rows(_zip_path(data_dir, ESCO_RELATIONS_ZIP), "broaderRelationsSkillPillar.csv"):
        n += 1
        _tick(progress, "skill_hierarchy", n)
        yield {
            "uri": row["conceptUri"],
            "type": row.get("conceptType") or "",
            "broader_uri": row["broaderUri"],
            "broader_type": row.get("broaderType") or "",
        }
    if progress is not None:
        progress("skill_hierarchy", n)


def iter_collection(data_dir: str | Path, collection: str = "digital") -> Iterator[str]:
    """Yield skill URIs of an ESCO collection: digital, green, transversal, language, ..."""
    member = f"{collection}SkillsCollection_en.csv"
    for row in _rows(_zip_path(data_dir, ESCO_LABELS_ZIP), member):
        yield row["conceptUri"]


def load_skills(data_dir: str | Path, progress: Progress | None = None) -> list[Skill]:
    """Return all ESCO skills as a list."""
    return list(iter_skills(data_dir, progress))


def load_occupations(data_dir: str | Path, progress: Progress | None = None) -> list[Occupation]:
    """Return all ESCO occupations as a list."""
    return list(iter_occupations(data_dir, progress))


def iter_onet_technology(data_dir: str | Path) -> Iterator[dict[str, Any]]:
    """Yield O*NET technology skills {onet_code, example, commodity, hot, in_demand}."""
    path = _onet_path(data_dir, ONET_TECH_SKILLS)
    if path is None:
        return
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            yield {
                "onet_code": row["O*NET-SOC Code"],
                "example": row["Example"].strip(),
                "commodity": row["Commodity Title"].strip(),
                "hot": row.get("Hot Technology") == "Y",
                "in_demand": row.get("In Demand") == "Y",
            }


def onet_technologies_by_occupation(data_dir: str | Path) -> dict[str, list[str]]:
    """Map ESCO occupation URI -> O*NET hot technologies of its crosswalked O*NET occupations."""
    cw = _onet_path(data_dir, ONET_CROSSWALK)
    if cw is None:
        return {}
    by_onet: dict[str, list[str]] = {}
    for t in iter_onet_technology(data_dir):
        if t["hot"]:
            by_onet.setdefault(t["onet_code"], []).append(t["example"])
    out: dict[str, list[str]] = {}
    with cw.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            techs = by_onet.get(row["onet_code"], [])
            if techs:
                out.setdefault(row["concept_uri"], []).extend(techs)
    return {k: sorted(set(v)) for k, v in out.items()}
