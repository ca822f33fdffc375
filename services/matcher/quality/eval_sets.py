"""The labelled data `make eval` scores: validation sets, skillskape dev, our ru/kk check."""

from __future__ import annotations

import ast
import csv
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.matcher.ml.sentences import split_sentences

HERE = Path(__file__).resolve().parent
RU_KK_CHECK = HERE / "eval_data" / "ru_kk_check.tsv"
EXCLUDED_LABELS = {"UNDERSPECIFIED", "LABEL NOT PRESENT"}
#: skillskape_dev rows: the first DEV_SELECTION chose the ranker (see ml/ranker_train.py); the
#: next DEV_HELD_OUT were never used for anything.
DEV_SELECTION = 300
DEV_HELD_OUT = 200

IndexOf = Callable[[str], "int | None"]


@dataclass
class ExtractionSet:
    """Texts with their gold skill URIs, and how the current extractor relates to them."""

    name: str
    texts: list[str]
    gold: list[set[str]]
    sample: str = "out-of-sample"
    lang: str | None = None
    unmapped: list[str] = field(default_factory=list)


def _uri_of(uris: list[str], index_of: IndexOf, label: str) -> str | None:
    i = index_of(label)
    return uris[i] if i is not None else None


def load_decorte(path: Path, uris: list[str], index_of: IndexOf, sample: str) -> ExtractionSet:
    """Group annotation rows by sentence; gold = its mapped labels; drop empty sentences."""
    by_sentence: dict[str, set[str]] = {}
    unmapped: list[str] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            label = row["label"].strip()
            if label in EXCLUDED_LABELS:
                continue
            uri = _uri_of(uris, index_of, label)
            if uri is None:
                unmapped.append(label)
                continue
            by_sentence.setdefault(row["sentence"], set()).add(uri)
    name = path.name.split("_")[0].upper()
    return ExtractionSet(
        name, list(by_sentence), list(by_sentence.values()), sample, "en", unmapped
    )


def load_skillskape(
    path: Path, uris: list[str], index_of: IndexOf, start: int, stop: int, name: str, sample: str
) -> ExtractionSet:
    """Return labelled skillskape rows [start, stop) (counted among labelled rows only)."""
    texts: list[str] = []
    gold: list[set[str]] = []
    with path.open(encoding="utf-8", newline="") as f:
        labelled = [
            (r["sentence"], [lb for lb in ast.literal_eval(r["skills"]) if lb != "UNK"])
            for r in csv.DictReader(f)
        ]
    for text, labels in [x for x in labelled if x[1]][start:stop]:
        g = {u for lb in labels if (u := _uri_of(uris, index_of, lb)) is not None}
        if g:
            texts.append(text)
            gold.append(g)
    return ExtractionSet(name, texts, gold, sample, "en")


def default_data_dir() -> Path:
    """Return QABILET_SHARED_DATA or the shared data folder next to the repository."""
    env = os.environ.get("QABILET_SHARED_DATA")
    if env and (Path(env) / "esco").exists():
        return Path(env)
    return HERE.parents[2].parent / "shared" / "data"


def load_hh(data_dir: Path) -> list[dict[str, Any]]:
    """Return hh.kz vacancies as {id, name, roles, requirement, responsibility}."""
    path = data_dir / "jobs" / "hhkz_astana_1000_vacancies.csv"
    out = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            roles = [p["name"] for p in ast.literal_eval(r["professional_roles"] or "[]")]
            try:
                snip = ast.literal_eval(r["snippet"]) if r.get("snippet") else {}
            except (ValueError, SyntaxError):
                snip = {}
            out.append(
                {
                    "id": r["id"],
                    "name": r["name"],
                    "roles": roles,
                    "requirement": (snip or {}).get("requirement") or "",
                    "responsibility": (snip or {}).get("responsibility") or "",
                }
            )
    return out


def _read_check(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def load_ru_kk_check(
    data_dir: Path, uris: list[str], index_of: IndexOf, path: Path = RU_KK_CHECK
) -> list[ExtractionSet]:
    """Return our check by group and language (hh lines read from the vacancies by reference)."""
    hh = {v["id"]: v for v in load_hh(data_dir)}
    sets: dict[tuple[str, str], ExtractionSet] = {}
    sample = "dev (ours; vocabulary authored from the same hh.kz ads)"
    for row in _read_check(path):
        text = row["text"]
        if row["ref"]:
            vacancy, k = row["ref"].split(":")
            text = split_sentences(hh[vacancy]["requirement"])[int(k)]
        gold = {u for lb in row["gold"].split("|") if (u := _uri_of(uris, index_of, lb))}
        if len(gold) != len(row["gold"].split("|")):
            raise ValueError(f"{path.name} {row['id']}: a gold label is not an ESCO skill")
        key = (row["group"], row["lang"])
        s = sets.setdefault(key, ExtractionSet(f"{key[0]} {key[1]}", [], [], sample, key[1]))
        s.texts.append(text)
        s.gold.append(gold)
    return [sets[k] for k in sorted(sets)]


def load_titles(data_dir: Path, limit: int | None, seed: int = 0) -> list[tuple[str, str]]:
    """Return (title, occupation uri) pairs, a seeded random sample when limit is set."""
    path = data_dir / "eval-dev" / "title-normalization" / "jobbert_validation_titles.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = [(r["vacancyTitle"], r["conceptUri"]) for r in csv.DictReader(f)]
    if limit and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)
    return rows


def latency_texts(data_dir: Path, n: int = 20, chars: int = 300) -> list[str]:
    """Return ``n`` real hh.kz vacancy texts of about ``chars`` characters (cut at a word)."""
    out = []
    for v in load_hh(data_dir):
        text = " ".join(t for t in (v["name"] + ".", v["requirement"], v["responsibility"]) if t)
        if len(text) >= chars:
            out.append(text[:chars].rsplit(" ", 1)[0])
        if len(out) >= n:
            break
    return out
