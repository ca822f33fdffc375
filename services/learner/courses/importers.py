"""Import the real edX and Coursera catalogues through the service layer, idempotently.

Usage::

    python -m services.learner.courses.importers courses [--data-dir DIR] [--limit N]

DIR holds edx_courses.csv and coursera_lms.csv (default: $QABILET_SHARED_DATA/courses).
Re-running creates nothing new: courses are upserted by (provider, external_id). Every change
goes through the course service, so the feed announces it like any other write.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from services.common.db import init_db

from ..settings import ALIAS, Settings
from . import service
from .sources import Parsed, parse_coursera, parse_edx

SOURCES: dict[str, tuple[str, Callable[[list[dict[str, str]]], Iterator[Parsed]]]] = {
    "edX": ("edx_courses.csv", parse_edx),
    "Coursera": ("coursera_lms.csv", parse_coursera),
}


@dataclass
class Summary:
    """What an import did, per provider."""

    rows: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0

    def count(self, provider: str, outcome: str) -> int:
        """Return how many courses of ``provider`` ended as ``outcome``."""
        return self.outcomes[(provider, outcome)]

    def render(self) -> str:
        """Return the summary as readable lines."""
        lines = [f"course import finished in {self.seconds:.1f} s"]
        for provider in self.rows:
            created = self.count(provider, "created")
            updated = self.count(provider, "updated")
            same = self.count(provider, "same")
            skipped = sum(n for (p, _), n in self.skipped.items() if p == provider)
            lines.append(
                f"  {provider}: {self.rows[provider]} rows -> {created} created, "
                f"{updated} updated, {same} unchanged, {skipped} skipped"
            )
            for (p, reason), n in sorted(self.skipped.items(), key=lambda kv: -kv[1]):
                if p == provider:
                    lines.append(f"      skipped {n:>5}  {reason}")
        return "\n".join(lines)


def resolve_dir(data_dir: Path) -> Path:
    """Accept either the courses folder or the shared data folder above it."""
    if not (data_dir / SOURCES["edX"][0]).exists() and (data_dir / "courses").is_dir():
        return data_dir / "courses"
    return data_dir


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read a catalogue CSV into rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def import_courses(data_dir: Path, *, limit: int | None = None, progress: bool = True) -> Summary:
    """Upsert the catalogues' courses (the first ``limit`` rows of each file if given)."""
    data_dir = resolve_dir(data_dir)
    summary = Summary()
    started = time.perf_counter()
    for provider, (filename, parse) in SOURCES.items():
        path = data_dir / filename
        if not path.exists():
            raise FileNotFoundError(f"{path} not found (pass --data-dir)")
        rows = read_rows(path)[:limit] if limit is not None else read_rows(path)
        summary.rows[provider] = len(rows)
        bar = tqdm(parse(rows), total=len(rows), desc=provider, unit="course", disable=not progress)
        for item in bar:
            if item.course is None:
                summary.skipped[(provider, item.skip or "unknown")] += 1
                continue
            _, outcome = service.upsert(body=item.course)
            summary.outcomes[(provider, outcome)] += 1
    summary.seconds = time.perf_counter() - started
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m services.learner.courses.importers")
    commands = parser.add_subparsers(dest="command", required=True)
    courses = commands.add_parser("courses", help="import the edX and Coursera catalogues")
    courses.add_argument("--data-dir", type=Path, help="folder with the catalogue CSVs")
    courses.add_argument("--limit", type=int, help="import only the first N rows of each file")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 0:
        parser.error("--limit must not be negative")
    settings = Settings.from_env()
    init_db(settings, ALIAS)
    data_dir = args.data_dir or settings.shared_data / "courses"
    try:
        summary = import_courses(data_dir, limit=args.limit, progress=sys.stderr.isatty())
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
