"""Persist the ESCO taxonomy into the matcher's database, idempotently, with a progress bar.

    python -m services.matcher.esco.taxonomy import [--data-dir DIR] [--isco 25] [--limit N]
    python -m services.matcher.esco.taxonomy warm     # pre-compute the extractor's label embeddings

Relations (123,855 rows) are embedded in their occupation as essential/optional URI lists rather
than stored as one document each: the matcher always reads them per occupation, and the embedded
store pays per document written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from services.common.db import database, init_db
from services.matcher.db import ALIAS
from services.matcher.esco import release as td
from services.matcher.esco.models import EscoOccupation, EscoSkill, EscoSkillGroup
from services.matcher.settings import Settings

BATCH = 1000
Progress = Callable[[str, int], None]


@dataclass
class TaxonomySource:
    """The taxonomy as plain documents ready to store (``_id`` is the ESCO URI)."""

    skills: list[dict[str, Any]] = field(default_factory=list)
    occupations: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_dir(
        cls,
        data_dir: str | Path,
        *,
        occupation_filter: Callable[[td.Occupation], bool] | None = None,
        max_skills: int | None = None,
        progress: Progress | None = None,
    ) -> TaxonomySource:
        """Parse the ESCO zips; with a filter keep those occupations and their skills only."""
        occupations = [
            o
            for o in td.iter_occupations(data_dir, progress)
            if occupation_filter is None or occupation_filter(o)
        ]
        kept_occ = {o.uri for o in occupations}
        essential: dict[str, list[str]] = {}
        optional: dict[str, list[str]] = {}
        for rel in td.iter_occupation_skill_relations(data_dir, progress):
            if rel["occupation_uri"] not in kept_occ:
                continue
            target = essential if rel["relation"] == "essential" else optional
            target.setdefault(rel["occupation_uri"], []).append(rel["skill_uri"])
        skills = list(td.iter_skills(data_dir, progress))
        if occupation_filter is not None or max_skills is not None:
            # Essential skills first, so a capped subset still covers what occupations require.
            wanted: dict[str, None] = {}
            for rels in (essential, optional):
                for o in occupations:
                    for uri in rels.get(o.uri, []):
                        wanted.setdefault(uri, None)
            if occupation_filter is None:
                wanted.update({s.uri: None for s in skills})
            order = list(wanted)[:max_skills] if max_skills is not None else list(wanted)
            rank = {uri: i for i, uri in enumerate(order)}
            skills = sorted((s for s in skills if s.uri in rank), key=lambda s: rank[s.uri])
        kept_skills = {s.uri for s in skills}
        broader: dict[str, list[str]] = {}
        for edge in td.iter_broader_skill_relations(data_dir, progress):
            if edge["uri"] in kept_skills:
                broader.setdefault(edge["uri"], []).append(edge["broader_uri"])
        source = cls()
        for s in skills:
            s.broader = broader.get(s.uri, [])
        source.skills = [_document(s.to_dict()) for s in skills]
        for o in occupations:
            o.essential = _dedupe(u for u in essential.get(o.uri, []) if u in kept_skills)
            ess_set = set(o.essential)
            o.optional = _dedupe(
                u for u in optional.get(o.uri, []) if u in kept_skills and u not in ess_set
            )
            source.occupations.append(_document(o.to_dict()))
        source.groups = [
            _document(g) for g in td.iter_skill_groups(data_dir, progress) if g["label"]
        ]
        return source


def _document(doc: dict[str, Any]) -> dict[str, Any]:
    """Return a concept's dict as its stored document (the URI is the ``_id``)."""
    return {"_id": doc["uri"], **{k: v for k, v in doc.items() if k != "uri"}}


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _store(collection: Any, docs: list[dict[str, Any]], bar: tqdm | None) -> dict[str, int]:
    """Insert new documents in batches and replace changed ones; leave equal ones alone."""
    existing = {d["_id"]: d for d in collection.find({})}
    fresh: list[dict[str, Any]] = []
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for doc in docs:
        old = existing.get(doc["_id"])
        if old is None:
            fresh.append(doc)
            if len(fresh) >= BATCH:
                collection.insert_many(fresh)
                counts["inserted"] += len(fresh)
                fresh = []
        elif old != doc:
            collection.replace_one({"_id": doc["_id"]}, doc)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        if bar is not None:
            bar.update(1)
    if fresh:
        collection.insert_many(fresh)
        counts["inserted"] += len(fresh)
    return counts


def import_taxonomy(source: TaxonomySource, *, show_progress: bool = False) -> dict[str, Any]:
    """Store skills, occupations and skill groups; a second run changes nothing."""
    db = database(ALIAS)
    total = len(source.skills) + len(source.occupations) + len(source.groups)
    bar = tqdm(total=total, desc="storing taxonomy", unit="doc") if show_progress else None
    try:
        result = {
            "skills": _store(db[EscoSkill._meta["collection"]], source.skills, bar),
            "occupations": _store(db[EscoOccupation._meta["collection"]], source.occupations, bar),
            "skill_groups": _store(db[EscoSkillGroup._meta["collection"]], source.groups, bar),
        }
    finally:
        if bar is not None:
            bar.close()
    return result


def _parse_progress() -> tuple[Progress, Callable[[], None]]:
    bars: dict[str, tqdm] = {}

    def progress(stage: str, n: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(desc=f"reading {stage}", unit="row")
        bar.update(n - bar.n)

    def close() -> None:
        for bar in bars.values():
            bar.close()

    return progress, close


def main(argv: list[str] | None = None) -> int:
    """Run the taxonomy command line."""
    parser = argparse.ArgumentParser(prog="python -m services.matcher.esco.taxonomy")
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="import ESCO into the matcher database")
    imp.add_argument("--data-dir", type=Path, help="folder with the ESCO zips (default: settings)")
    imp.add_argument("--isco", help="keep occupations whose ISCO group starts with this")
    imp.add_argument("--limit", type=int, help="keep at most this many skills (essential first)")
    sub.add_parser("warm", help="pre-compute the extractor's and title matcher's embeddings")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    init_db(settings, ALIAS)
    if args.command == "warm":
        from services.matcher.recommend.state import Matcher

        matcher = Matcher(settings)
        matcher.show_progress = True  # encoding ~130k labels once takes minutes: show it
        print("encoding ESCO labels (cached after the first run)", file=sys.stderr)
        matcher.extractor()
        matcher.occupation_matcher()
        print("extractor and title matcher ready", file=sys.stderr)
        return 0
    data_dir = args.data_dir or Path(settings.shared_data)
    isco = args.isco
    progress, close = _parse_progress()
    try:
        source = TaxonomySource.from_dir(
            data_dir,
            occupation_filter=(lambda o: o.isco_group.startswith(isco)) if isco else None,
            max_skills=args.limit,
            progress=progress,
        )
    finally:
        close()
    result = import_taxonomy(source, show_progress=True)
    for name, counts in result.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
