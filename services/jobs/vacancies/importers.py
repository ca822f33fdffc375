"""Bulk import of real vacancies through the service layer (so the feed sees every one).

    python -m services.jobs.vacancies.importers vacancies [--data-dir DIR] [--limit N]

DIR is the shared data folder (default: QABILET_SHARED_DATA); the store is the service's own
(QABILET_DATA_DIR or MONGODB_URI). Re-running adds nothing: vacancies are keyed by their hh.kz
id and employers by their hh.kz employer id. hh.kz publishes no BINs, so imported employers
have ``bin: null`` and ``source: "hh.kz"``; accounts created through the API must give one.
"""

from __future__ import annotations

import argparse
import ast
import csv
import html
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from services.common.db import init_db
from services.common.errors import Conflict
from services.common.reference import REGIONS

from ..employers import service as employers
from ..settings import ALIAS, Settings
from . import service as vacancies
from .schemas import VacancyImport

HH_VACANCIES = Path("jobs/hhkz_astana_1000_vacancies.csv")
SOURCE = "hh.kz"

# Constant conversion rates (KZT per unit, rounded, early 2026) so that salaries published in
# other currencies are comparable; the published amounts and the rate stay on the vacancy.
KZT_PER_UNIT: dict[str, float] = {
    "KZT": 1.0,
    "USD": 510.0,
    "EUR": 590.0,
    "RUR": 6.5,  # hh.kz's code for the Russian rouble
    "RUB": 6.5,
    "KGS": 5.85,
    "UZS": 0.041,
}

SCHEDULES = {
    "fullDay": "full-day",
    "shift": "shift",
    "flexible": "flexible",
    "remote": "remote",
    "flyInFlyOut": "fly-in-fly-out",
}
EXPERIENCE = {
    "noExperience": "none",
    "between1And3": "1-3",
    "between3And6": "3-6",
    "moreThan6": "6+",
}
EMPLOYMENT = {
    "full": "full",
    "part": "part",
    "project": "project",
    "volunteer": "volunteer",
    "probation": "internship",
}
# hh.kz area names (Russian) of Kazakhstan's regions, plus the capital's former name.
AREAS: dict[str, str] = {r.name_ru.lower(): r.slug for r in REGIONS} | {
    "нур-султан": "astana",
    "алматы": "almaty-city",
}

TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


class SkipRow(Exception):
    """A row that cannot become a vacancy; ``reason`` is counted in the summary."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ImportSummary:
    """What an import did: rows read, vacancies imported, skips and notes by reason."""

    read: int = 0
    imported: int = 0
    employers_created: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as plain data."""
        return {
            "read": self.read,
            "imported": self.imported,
            "employers_created": self.employers_created,
            "skipped": dict(sorted(self.skipped.items())),
            "notes": dict(sorted(self.notes.items())),
            "seconds": round(self.seconds, 2),
        }


def literal(row: dict[str, str], name: str) -> Any:
    """Return a nested field of the CSV (a Python literal, sometimes JSON), None when empty."""
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise SkipRow(f"malformed_{name}") from exc


def clean_text(text: str | None) -> str:
    """Return ``text`` without hh.kz highlight tags or HTML entities, spaces collapsed."""
    if not text:
        return ""
    return SPACE.sub(" ", html.unescape(TAG.sub("", text))).strip()


def region_of(area: Any) -> str:
    """Return the region slug of an hh.kz area, or skip the row."""
    name = (area or {}).get("name", "") if isinstance(area, dict) else ""
    slug = AREAS.get(str(name).strip().lower())
    if slug is None:
        raise SkipRow("unknown_region")
    return slug


def salary_of(row: dict[str, str], notes: Counter[str]) -> tuple[dict[str, Any], Any]:
    """Return the KZT monthly salary fields and the salary as published (or None)."""
    salary = literal(row, "salary")
    if not isinstance(salary, dict):
        notes["no_salary"] += 1
        return {}, None
    currency = str(salary.get("currency") or "KZT")
    low, high = salary.get("from"), salary.get("to")
    mode = (literal(row, "salary_range") or {}).get("mode") or {}
    period = str(mode.get("id") or "MONTH").lower()
    rate = KZT_PER_UNIT.get(currency)
    original = {
        "amount_from": low,
        "amount_to": high,
        "currency": currency,
        "period": period,
        "rate": rate or 0.0,
    }
    fields: dict[str, Any] = {"salary_gross": salary.get("gross")}
    if rate is None:
        notes[f"salary_dropped_unknown_currency_{currency}"] += 1
        return fields, original
    if period != "month":
        # Per shift, hour or service: no honest monthly figure, so only the original stays.
        notes[f"salary_dropped_per_{period}"] += 1
        return fields, original
    if currency != "KZT":
        notes[f"salary_converted_from_{currency}"] += 1
    fields["salary_min"] = round(low * rate) if isinstance(low, int | float) else None
    fields["salary_max"] = round(high * rate) if isinstance(high, int | float) else None
    return fields, original


def vacancy_fields(row: dict[str, str], employer_id: str, notes: Counter[str]) -> dict[str, Any]:
    """Return the VacancyImport fields of one hh.kz row."""
    snippet = literal(row, "snippet") or {}
    roles = literal(row, "professional_roles") or []
    schedule = (literal(row, "schedule") or {}).get("id")
    work_format = [f.get("id") for f in literal(row, "work_format") or []]
    employment = (literal(row, "employment") or {}).get("id")
    salary, original = salary_of(row, notes)
    return {
        "employer_id": employer_id,
        "title": clean_text(row.get("name")),
        "description": clean_text(snippet.get("responsibility")),
        "requirements": clean_text(snippet.get("requirement")),
        "region": region_of(literal(row, "area")),
        "remote": schedule == "remote" or "REMOTE" in work_format,
        **salary,
        # hh's separate "internship" flag is set on senior posts too, so employment decides.
        "employment_type": EMPLOYMENT.get(employment or "", "full"),
        "schedule": SCHEDULES.get(schedule or ""),
        "experience": EXPERIENCE.get((literal(row, "experience") or {}).get("id", "")),
        "professional_role": "; ".join(clean_text(r.get("name")) for r in roles) or None,
        "source": SOURCE,
        "external_id": row["id"].strip(),
        "external_url": row.get("alternate_url") or None,
        "published_at": datetime.strptime(row["published_at"], "%Y-%m-%dT%H:%M:%S%z"),
        "_salary_original": original,
    }


def read_rows(path: Path, limit: int | None) -> Iterator[dict[str, str]]:
    """Yield the CSV rows of ``path`` (the first ``limit`` of them when given)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            if limit is not None and n >= limit:
                return
            yield row


def import_row(row: dict[str, str], summary: ImportSummary) -> None:
    """Import one hh.kz row (employer first), or raise SkipRow saying why not."""
    external_id = (row.get("id") or "").strip()
    if not external_id:
        raise SkipRow("no_id")
    if vacancies.find_imported(source=SOURCE, external_id=external_id) is not None:
        raise SkipRow("already_imported")
    employer = literal(row, "employer") or {}
    name = clean_text(employer.get("name"))
    if not name:
        raise SkipRow("no_employer")
    region = region_of(literal(row, "area"))
    # Anonymous hh.kz employers have a name but no id: the name keys them instead.
    employer_key = str(employer.get("id") or f"anonymous:{name}")[:100]
    if not employer.get("id"):
        summary.notes["anonymous_employer_rows"] += 1
    notes: Counter[str] = Counter()
    try:
        fields = vacancy_fields(row, "0" * 24, notes)
        original = fields.pop("_salary_original")
        VacancyImport.model_validate(fields)  # check before creating the employer
    except (KeyError, ValueError) as exc:
        where = exc.errors()[0]["loc"] if isinstance(exc, ValidationError) else ()
        raise SkipRow(f"invalid_{where[0] if where else 'row'}") from exc
    record, created = employers.upsert_imported(
        source=SOURCE, external_id=employer_key, name=name, region=region
    )
    summary.employers_created += created
    fields["employer_id"] = str(record.id)
    try:
        vacancies.create(data=VacancyImport.model_validate(fields), salary_original=original)
    except Conflict as exc:  # imported meanwhile by a concurrent run
        raise SkipRow("already_imported") from exc
    summary.notes.update(notes)


def import_hh_vacancies(
    path: Path, *, limit: int | None = None, progress: bool = True
) -> ImportSummary:
    """Import the hh.kz vacancy CSV at ``path``; the store must be initialised."""
    summary = ImportSummary()
    started = time.perf_counter()
    rows = list(read_rows(path, limit))
    bar = tqdm(rows, desc="hh.kz vacancies", unit="row", disable=not progress, file=sys.stderr)
    for row in bar:
        summary.read += 1
        try:
            import_row(row, summary)
        except SkipRow as skip:
            summary.skipped[skip.reason] += 1
        else:
            summary.imported += 1
        bar.set_postfix(
            imported=summary.imported, skipped=sum(summary.skipped.values()), refresh=False
        )
    summary.seconds = time.perf_counter() - started
    return summary


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run an import from the command line and print its summary."""
    parser = argparse.ArgumentParser(prog="python -m services.jobs.vacancies.importers")
    sub = parser.add_subparsers(dest="what", required=True)
    hh = sub.add_parser("vacancies", help=f"import {HH_VACANCIES} (hh.kz, Astana)")
    hh.add_argument(
        "--data-dir", type=Path, default=None, help="the shared data folder or its jobs/ folder"
    )
    hh.add_argument("--limit", type=int, default=None, help="import only the first N rows")
    hh.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    settings = settings or Settings.from_env()
    folder = args.data_dir or settings.shared_data
    path = folder / HH_VACANCIES
    if not path.is_file() and (folder / HH_VACANCIES.name).is_file():
        path = folder / HH_VACANCIES.name  # given the jobs/ folder itself
    if not path.is_file():
        parser.error(f"no such file: {path} (pass --data-dir or set QABILET_SHARED_DATA)")
    if args.limit is not None and args.limit < 0:
        parser.error("--limit must be 0 or more")
    init_db(settings, ALIAS)
    summary = import_hh_vacancies(path, limit=args.limit, progress=not args.no_progress)
    print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
