"""Score the matcher on labelled public data: ``python -m services.matcher.evaluate``.

Skill extraction (Decorte et al. TECH/HOUSE validation: rank all ESCO skills per sentence; MRR,
RP@5, RP@10), title normalisation (JobBERT validation titles -> ESCO occupation; MRR, acc@1,
acc@5), a Russian/Kazakh cross-lingual check and hh.kz Russian titles, plus throughput and
extraction latency. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from services.matcher.embedding import DEFAULT_MODEL, Embedder, FakeEmbedder
from services.matcher.extraction import SkillExtractor, skillskape_prior
from services.matcher.occupations import OccupationMatcher
from services.matcher.taxonomy_data import load_occupations, load_skills

PRIOR_WEIGHT = 0.3
EXCLUDED_LABELS = {"UNDERSPECIFIED", "LABEL NOT PRESENT"}
HERE = Path(__file__).resolve().parent
MULTILINGUAL_CHECK = HERE / "data" / "multilingual_check.json"

SAMPLE_VACANCY_EN = (
    "We are looking for a backend software developer to join our team in Astana. "
    "Responsibilities: design and develop REST services in Python; write SQL queries and "
    "maintain PostgreSQL databases; review code and write unit tests. Requirements: 3+ years of "
    "experience with Python and Django, good knowledge of SQL, experience with Git and Docker, "
    "understanding of agile project management, good communication skills and English at an "
    "intermediate level. We offer a competitive salary and training."
)


def default_data_dir() -> Path:
    """Return QABILET_SHARED_DATA or the shared data folder next to the repository."""
    env = os.environ.get("QABILET_SHARED_DATA")
    if env and (Path(env) / "esco").exists():
        return Path(env)
    return HERE.parents[1].parent / "shared" / "data"


@dataclass
class ExtractionSet:
    """Sentences with their gold skill indices."""

    name: str
    sentences: list[str]
    gold: list[set[int]]
    unmapped: list[str] = field(default_factory=list)


def load_extraction_set(path: Path, index_of: Callable[[str], int | None]) -> ExtractionSet:
    """Group annotation rows by sentence; gold = set of mapped labels; drop empty sentences."""
    by_sentence: dict[str, set[int]] = {}
    unmapped: list[str] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            label = row["label"].strip()
            if label in EXCLUDED_LABELS:
                continue
            idx = index_of(label)
            if idx is None:
                unmapped.append(label)
                continue
            by_sentence.setdefault(row["sentence"], set()).add(idx)
    name = path.name.split("_")[0].upper()
    return ExtractionSet(name, list(by_sentence), list(by_sentence.values()), unmapped)


def ranking_metrics(rankings: np.ndarray, gold: Sequence[set[int]]) -> dict[str, float]:
    """Return MRR, RP@5, RP@10 (R-precision at k: hits in top k / min(k, |gold|))."""
    rr: list[float] = []
    rp5: list[float] = []
    rp10: list[float] = []
    for ranks, g in zip(rankings, gold, strict=True):
        pos = np.flatnonzero(np.isin(ranks, list(g)))
        rr.append(1.0 / (pos[0] + 1) if len(pos) else 0.0)
        rp5.append(float(np.sum(pos < 5)) / min(5, len(g)))
        rp10.append(float(np.sum(pos < 10)) / min(10, len(g)))
    return {
        "n": len(rr),
        "MRR": float(np.mean(rr)),
        "RP@5": float(np.mean(rp5)),
        "RP@10": float(np.mean(rp10)),
    }


def accuracy_metrics(ranks: Sequence[int]) -> dict[str, float]:
    """Return MRR, acc@1, acc@5 from 0-based ranks of the gold item (-1 = not found)."""
    arr = np.asarray(ranks)
    rr = np.where(arr >= 0, 1.0 / (np.maximum(arr, 0) + 1), 0.0)
    return {
        "n": len(arr),
        "MRR": float(rr.mean()) if len(arr) else 0.0,
        "acc@1": float(np.mean((arr >= 0) & (arr < 1))) if len(arr) else 0.0,
        "acc@5": float(np.mean((arr >= 0) & (arr < 5))) if len(arr) else 0.0,
    }


def gold_ranks(scores: np.ndarray, gold_idx: Sequence[int]) -> list[int]:
    """Return the 0-based rank of each row's gold column (ties count against it)."""
    out = []
    for row, g in zip(scores, gold_idx, strict=True):
        out.append(int(np.sum(row > row[g])) if g >= 0 else -1)
    return out


def eval_extraction(
    extractor: SkillExtractor, data_dir: Path, batch: int = 64, suffix: str = ""
) -> dict[str, dict[str, Any]]:
    """Score TECH and HOUSE validation sets."""
    out: dict[str, dict[str, Any]] = {}
    base = data_dir / "eval-dev" / "skill-extraction"
    for name in ("tech", "house"):
        ds = load_extraction_set(base / f"{name}_validation_annotations.csv", extractor.index_of)
        rankings = []
        for i in range(0, len(ds.sentences), batch):
            rankings.append(extractor.rank_many(ds.sentences[i : i + batch]))
        res: dict[str, Any] = ranking_metrics(np.vstack(rankings), ds.gold)
        res["unmapped_labels"] = len(ds.unmapped)
        out[ds.name + suffix] = res
    return out


def load_titles(data_dir: Path, limit: int | None, seed: int = 0) -> list[tuple[str, str]]:
    """Return (title, occupation uri) pairs, a seeded random sample when limit is set."""
    path = data_dir / "eval-dev" / "title-normalization" / "jobbert_validation_titles.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = [(r["vacancyTitle"], r["conceptUri"]) for r in csv.DictReader(f)]
    if limit and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)
    return rows


def eval_titles(
    matcher: OccupationMatcher, data_dir: Path, limit: int | None, batch: int = 256
) -> dict[str, Any]:
    """Score title normalisation on JobBERT validation titles."""
    rows = load_titles(data_dir, limit)
    pos = {u: i for i, u in enumerate(matcher.uris)}
    ranks: list[int] = []
    for i in range(0, len(rows), batch):
        chunk = rows[i : i + batch]
        sc = matcher.scores([t for t, _ in chunk])
        ranks.extend(gold_ranks(sc, [pos.get(u, -1) for _, u in chunk]))
    res: dict[str, Any] = accuracy_metrics(ranks)
    res["sampled"] = bool(limit)
    return res


def eval_multilingual(
    extractor: SkillExtractor, matcher: OccupationMatcher, data_dir: Path
) -> dict[str, dict[str, Any]]:
    """Russian/Kazakh -> English ESCO retrieval (full label sets) and hh.kz Russian titles."""
    spec = json.loads(MULTILINGUAL_CHECK.read_text(encoding="utf-8"))
    out: dict[str, dict[str, Any]] = {}
    occ_pos = {label: i for i, label in enumerate(matcher.labels)}
    for lang in ("en", "ru", "kk"):
        items = spec["occupations"]
        sc = matcher.scores([it[lang] for it in items])
        occ = accuracy_metrics(gold_ranks(sc, [occ_pos[it["en"]] for it in items]))
        skills = spec["skills"]
        ssc = extractor.scores([it[lang] for it in skills])
        gold = [extractor.index_of(it["en"]) for it in skills]
        sk = accuracy_metrics(gold_ranks(ssc, [g if g is not None else -1 for g in gold]))
        out[f"{lang}->en occupations"] = occ
        out[f"{lang}->en skills"] = sk
    out["hh.kz ru titles"] = eval_hh(matcher, data_dir, spec["hh_roles"])
    return out


def load_hh(data_dir: Path) -> list[dict[str, Any]]:
    """Return hh.kz vacancies as {name, roles, requirement, responsibility}."""
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
                    "name": r["name"],
                    "roles": roles,
                    "requirement": (snip or {}).get("requirement") or "",
                    "responsibility": (snip or {}).get("responsibility") or "",
                }
            )
    return out


def eval_hh(
    matcher: OccupationMatcher, data_dir: Path, role_keywords: dict[str, list[str]]
) -> dict[str, Any]:
    """hh.kz title -> ESCO top-5 holds an occupation whose label fits the vacancy's role."""
    rows = [
        (v["name"], role_keywords[v["roles"][0]])
        for v in load_hh(data_dir)
        if v["roles"] and v["roles"][0] in role_keywords
    ]
    hit1 = hit5 = 0
    for matches, (_, kws) in zip(
        matcher.match_many([t for t, _ in rows], top_k=5), rows, strict=True
    ):
        ok = [any(k in m.label.lower() for k in kws) for m in matches]
        hit1 += ok[0]
        hit5 += any(ok)
    n = len(rows)
    return {"n": n, "acc@1": hit1 / n if n else 0.0, "acc@5": hit5 / n if n else 0.0}


def measure_throughput(embedder: Embedder, data_dir: Path, n: int = 1000) -> float:
    """Return sentences/s encoding hh.kz vacancy titles and requirement snippets, batch 64."""
    texts: list[str] = []
    for v in load_hh(data_dir):
        texts.extend(t for t in (v["name"], v["requirement"]) if t)
    texts = texts[:n]
    t0 = time.perf_counter()
    for i in range(0, len(texts), 64):
        embedder.encode(texts[i : i + 64], "passage")
    return len(texts) / (time.perf_counter() - t0)


def measure_latency(extractor: SkillExtractor, text: str, repeats: int = 5) -> float:
    """Return the median seconds to extract skills from one vacancy text."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        extractor.extract(text, top_k=10)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _fmt(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def print_table(results: dict[str, Any], file: Any = sys.stdout) -> None:
    """Print the result table."""
    cols = ["n", "MRR", "RP@5", "RP@10", "acc@1", "acc@5"]
    print(f"\nmodel: {results['model']}", file=file)
    print(f"{'dataset':<28}" + "".join(f"{c:>8}" for c in cols), file=file)
    for section in ("extraction", "titles", "multilingual"):
        for name, res in results.get(section, {}).items():
            cells = "".join(f"{_fmt(res.get(c, '')):>8}" for c in cols)
            print(f"{name:<28}{cells}", file=file)
    for key in ("throughput_sentences_per_s", "extraction_latency_s"):
        if key in results:
            print(f"{key}: {results[key]:.3f}", file=file)


def run(
    model: str, data_dir: Path, limit_titles: int | None, cache_dir: str | None, quick: bool
) -> dict[str, Any]:
    """Run every evaluation and return the results dict."""
    embedder: Embedder = FakeEmbedder() if model == "fake" else Embedder(model)
    esco = data_dir / "esco"
    t0 = time.perf_counter()
    skills = load_skills(esco)
    occupations = load_occupations(esco)
    print(f"encoding taxonomy with {embedder.name} (cached in {cache_dir or 'default'})")
    extractor = SkillExtractor(skills, embedder, cache_dir=cache_dir, show_progress_bar=True)
    matcher = OccupationMatcher(occupations, embedder, cache_dir=cache_dir, show_progress_bar=True)
    results: dict[str, Any] = {"model": embedder.name, "data_dir": str(data_dir)}
    results["setup_s"] = round(time.perf_counter() - t0, 1)
    results["extraction"] = eval_extraction(extractor, data_dir)
    prior_path = data_dir / "train" / "skillskape_train.csv"
    if prior_path.exists():
        # Opt-in variant: label prior from the skillskape training set (see MODEL_CHOICE.md).
        extractor.prior = skillskape_prior(prior_path, extractor.skills, PRIOR_WEIGHT)
        results["extraction"].update(eval_extraction(extractor, data_dir, suffix=" +prior"))
        extractor.prior = None
    titles = eval_titles(matcher, data_dir, limit_titles)
    results["titles"] = {"JobBERT titles" + (" (sample)" if limit_titles else ""): titles}
    results["multilingual"] = eval_multilingual(extractor, matcher, data_dir)
    if not quick:
        results["throughput_sentences_per_s"] = measure_throughput(embedder, data_dir)
        results["extraction_latency_s"] = measure_latency(extractor, SAMPLE_VACANCY_EN)
    results["total_s"] = round(time.perf_counter() - t0, 1)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the evaluation, print and save the results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--model", default=os.environ.get("QABILET_EMBED_MODEL", DEFAULT_MODEL))
    ap.add_argument("--out", type=Path, default=Path("reports/eval.json"))
    ap.add_argument("--limit-titles", type=int, default=2000, help="0 = all 15,463 titles")
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--quick", action="store_true", help="skip throughput and latency")
    args = ap.parse_args(argv)
    data_dir = (args.data_dir or default_data_dir()).resolve()
    results = run(args.model, data_dir, args.limit_titles or None, args.cache_dir, args.quick)
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
