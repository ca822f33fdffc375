"""Score the matcher on labelled data through the API's code path (``make eval``).

Skill extraction is scored by calling ``services.matcher.api.lookups.extract`` - the function
``POST /skills/extract`` calls - with ``min_confidence: 0, top_k: 100`` (the full ranking,
the Decorte benchmark setting; MRR counts a gold skill past rank 100 as 0), and the default
thresholded call for precision/recall. Sets: Decorte TECH/HOUSE validation, skillskape dev
(the rows that selected the ranker, and rows nothing used), our Russian/Kazakh check
(``eval_data/``), the earlier hand-translated phrases; every row says whether it is in-sample
for the extractor being scored. Then title normalisation (JobBERT validation titles, hh.kz
Russian titles), encoding throughput and extraction latency (p50/p95, 300-character texts).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from services.matcher.api import lookups
from services.matcher.api.schemas import ExtractIn
from services.matcher.esco.release import load_occupations, load_skills
from services.matcher.ml.embedding import DEFAULT_MODEL, Embedder, FakeEmbedder
from services.matcher.ml.extraction import SkillExtractor
from services.matcher.ml.occupations import OccupationMatcher
from services.matcher.ml.ranker import Ranker, load_ranker
from services.matcher.ml.ranker_examples import StoreEmbedder, query_store
from services.matcher.quality.eval_sets import (
    DEV_HELD_OUT,
    DEV_SELECTION,
    ExtractionSet,
    default_data_dir,
    latency_texts,
    load_decorte,
    load_hh,
    load_ru_kk_check,
    load_skillskape,
    load_titles,
)
from services.matcher.quality.latency import measure_api_latency, print_latency

HERE = Path(__file__).resolve().parent
MULTILINGUAL_CHECK = HERE / "eval_data" / "multilingual_check.json"
RANK_DEPTH = 100


class EvalHost:
    """Stands in for the service's Matcher: what ``lookups.extract`` asks of it."""

    def __init__(self, extractor: SkillExtractor) -> None:
        self._extractor = extractor
        self.model_name = extractor.embedder.name

    def extractor(self) -> SkillExtractor:
        """Return the extractor under test."""
        return self._extractor


def api_call(host: EvalHost, text: str, **kw: Any) -> list[dict[str, Any]]:
    """Return the items ``POST /skills/extract`` answers for ``text``."""
    items: list[dict[str, Any]] = lookups.extract(host, body=ExtractIn(text=text, **kw))["items"]
    return items


def ranking_metrics(rankings: Sequence[Sequence[str]], gold: Sequence[set[str]]) -> dict[str, Any]:
    """Return MRR, RP@5, RP@10 (hits in top k / min(k, |gold|)) and hit@5."""
    rr, rp5, rp10, hit5 = [], [], [], []
    for ranked, g in zip(rankings, gold, strict=True):
        pos = [i for i, u in enumerate(ranked) if u in g]
        rr.append(1.0 / (pos[0] + 1) if pos else 0.0)
        rp5.append(sum(p < 5 for p in pos) / min(5, len(g)))
        rp10.append(sum(p < 10 for p in pos) / min(10, len(g)))
        hit5.append(float(bool(pos) and pos[0] < 5))
    n = len(rr)
    return {
        "n": n,
        "MRR": float(np.mean(rr)) if n else 0.0,
        "RP@5": float(np.mean(rp5)) if n else 0.0,
        "RP@10": float(np.mean(rp10)) if n else 0.0,
        "hit@5": float(np.mean(hit5)) if n else 0.0,
    }


def set_metrics(found: Sequence[set[str]], gold: Sequence[set[str]]) -> dict[str, float]:
    """Return micro precision, recall and F1 of the default (thresholded) call."""
    tp = sum(len(f & g) for f, g in zip(found, gold, strict=True))
    fp = sum(len(f - g) for f, g in zip(found, gold, strict=True))
    fn = sum(len(g - f) for f, g in zip(found, gold, strict=True))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0}


def eval_set(host: EvalHost, ds: ExtractionSet, thresholded: bool) -> dict[str, Any]:
    """Score one set through the API: the ranking, and (optionally) the default call."""
    lang = ds.lang if ds.lang in ("en", "ru", "kk") else None
    rankings = [
        [it["uri"] for it in api_call(host, t, lang=lang, top_k=RANK_DEPTH, min_confidence=0.0)]
        for t in ds.texts
    ]
    res: dict[str, Any] = {**ranking_metrics(rankings, ds.gold), "sample": ds.sample}
    if thresholded:
        found = [{it["uri"] for it in api_call(host, t, lang=lang)} for t in ds.texts]
        res.update(set_metrics(found, ds.gold))
    return res


def extraction_sets(
    ex: SkillExtractor, ranker: Ranker | None, data_dir: Path
) -> list[tuple[ExtractionSet, bool]]:
    """Return every skill set with whether its default call is scored too."""
    if ranker is not None:
        decorte = "in-sample (selected the ranker's settings, not fitted)"
        dev_sel = "in-sample (selected the ranker's settings)"
    else:
        decorte = "in-sample (blend weights and calibration tuned on it)"
        dev_sel = "out-of-sample"
    base = data_dir / "eval-dev" / "skill-extraction"
    dev = data_dir / "train" / "skillskape_dev.csv"
    out: list[tuple[ExtractionSet, bool]] = []
    for name in ("tech", "house"):
        path = base / f"{name}_validation_annotations.csv"
        out.append((load_decorte(path, ex.uris, ex.index_of, decorte), True))
    sel = load_skillskape(
        dev, ex.uris, ex.index_of, 0, DEV_SELECTION, "skillskape dev sel", dev_sel
    )
    held = load_skillskape(
        dev, ex.uris, ex.index_of, DEV_SELECTION, DEV_SELECTION + DEV_HELD_OUT,
        "skillskape dev held-out", "out-of-sample",
    )  # fmt: skip
    out += [(sel, False), (held, False)]
    out += [(s, True) for s in load_ru_kk_check(data_dir, ex.uris, ex.index_of)]
    spec = json.loads(MULTILINGUAL_CHECK.read_text(encoding="utf-8"))
    for lang in ("en", "ru", "kk"):
        items = [it for it in spec["skills"] if ex.index_of(it["en"]) is not None]
        gold = [{ex.uris[ex.index_of(it["en"]) or 0]} for it in items]
        phrases = ExtractionSet(
            f"phrases {lang}", [it[lang] for it in items], gold, "dev (hand-translated)", lang
        )
        out.append((phrases, False))
    return out


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
    return [
        int(np.sum(row > row[g])) if g >= 0 else -1 for row, g in zip(scores, gold_idx, strict=True)
    ]


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


def eval_occupations(matcher: OccupationMatcher, data_dir: Path) -> dict[str, dict[str, Any]]:
    """Russian/Kazakh -> English ESCO occupations (hand-translated) and hh.kz Russian titles."""
    spec = json.loads(MULTILINGUAL_CHECK.read_text(encoding="utf-8"))
    occ_pos = {label: i for i, label in enumerate(matcher.labels)}
    out: dict[str, dict[str, Any]] = {}
    for lang in ("en", "ru", "kk"):
        items = spec["occupations"]
        sc = matcher.scores([it[lang] for it in items])
        out[f"{lang}->en occupations"] = accuracy_metrics(
            gold_ranks(sc, [occ_pos[it["en"]] for it in items])
        )
    out["hh.kz ru titles"] = eval_hh(matcher, data_dir, spec["hh_roles"])
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


def measure_latency(host: EvalHost, texts: Sequence[str]) -> dict[str, Any]:
    """Return p50/p95 ms of the API's extract call on ``texts``: default and ranking calls."""
    out: dict[str, Any] = {"n": len(texts), "chars": round(statistics.mean(map(len, texts)))}
    calls: dict[str, Callable[[str], Any]] = {
        "default": lambda t: api_call(host, t),
        "ranking top 100": lambda t: api_call(host, t, top_k=RANK_DEPTH, min_confidence=0.0),
    }
    for name, call in calls.items():
        times = []
        for t in texts:
            t0 = time.perf_counter()
            call(t)
            times.append(1000 * (time.perf_counter() - t0))
        times.sort()
        out[name] = {
            "p50_ms": round(times[len(times) // 2], 1),
            "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        }
    return out


def _fmt(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def print_table(results: dict[str, Any], file: Any = sys.stdout) -> None:
    """Print the result tables."""
    print(f"\nmodel: {results['model']}   ranker: {results['ranker']}", file=file)
    cols = ["n", "MRR", "RP@5", "RP@10", "hit@5", "P", "R", "F1"]
    print(f"{'skills (API, ranking top 100)':<28}" + "".join(f"{c:>7}" for c in cols), file=file)
    for name, res in results["extraction"].items():
        cells = "".join(f"{_fmt(res.get(c, '')):>7}" for c in cols)
        print(f"{name:<28}{cells}  {res['sample']}", file=file)
    if results.get("languages"):
        print("\nsame sentences in three languages (tr group), MRR / hit@5:", file=file)
        for lang, res in results["languages"].items():
            print(f"  {lang}: {res['MRR']:.3f} / {res['hit@5']:.3f}", file=file)
    cols = ["n", "MRR", "acc@1", "acc@5"]
    if results.get("titles"):
        print(f"\n{'titles':<28}" + "".join(f"{c:>7}" for c in cols), file=file)
        for name, res in results["titles"].items():
            print(f"{name:<28}" + "".join(f"{_fmt(res.get(c, '')):>7}" for c in cols), file=file)
    if "throughput_sentences_per_s" in results:
        print(f"throughput_sentences_per_s: {results['throughput_sentences_per_s']:.1f}", file=file)
    for key, what in (("latency", ""), ("latency_vectors_cached", ", vectors cached")):
        if key not in results:
            continue
        lat = results[key]
        for name in ("default", "ranking top 100"):
            print(
                f"extract latency ({lat['n']} hh.kz texts, ~{lat['chars']} chars, {name}{what}): "
                f"p50 {lat[name]['p50_ms']} ms, p95 {lat[name]['p95_ms']} ms",
                file=file,
            )


def run(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    """Run every evaluation and return the results dict."""
    plain: Embedder = FakeEmbedder() if args.model == "fake" else Embedder(args.model)
    cache = Path(args.cache_dir) if args.cache_dir else Path("var/cache")
    # Sentence vectors are kept on disk so a rerun is fast; the code path is the API's.
    embedder: Any = (
        plain
        if plain.name == "fake"
        else StoreEmbedder(plain, query_store(cache, plain.name, plain.dim))
    )
    ranker = None if args.ranker == "none" else load_ranker(plain.name, args.ranker_file)
    alt = (
        args.alt_labels
        if args.alt_labels is not None
        else ranker is None or "alt" in ranker.features
    )
    t0 = time.perf_counter()
    skills = load_skills(data_dir / "esco")
    print(f"encoding taxonomy with {plain.name} (cached in {cache})", flush=True)
    ex = SkillExtractor(
        skills,
        embedder,
        cache_dir=str(cache),
        show_progress_bar=True,
        use_alt_labels=alt,
        ranker=ranker,
    )
    host = EvalHost(ex)
    results: dict[str, Any] = {
        "model": plain.name,
        "ranker": "none (hand-set blend)"
        if ranker is None
        else str(args.ranker_file or "committed"),
        "alt_label_vectors": alt,
        "data_dir": str(data_dir),
        "extraction": {},
    }
    for ds, thresholded in extraction_sets(ex, ranker, data_dir):
        results["extraction"][ds.name] = eval_set(host, ds, thresholded)
        print(f"  {ds.name}: {_fmt(results['extraction'][ds.name]['MRR'])}", flush=True)
    results["languages"] = {
        lang: results["extraction"][f"tr {lang}"]
        for lang in ("en", "ru", "kk")
        if f"tr {lang}" in results["extraction"]
    }
    if not args.skip_titles:
        occupations = load_occupations(data_dir / "esco")
        matcher = OccupationMatcher(
            occupations, plain, cache_dir=str(cache), show_progress_bar=True
        )
        limit = args.limit_titles or None
        titles = {
            "JobBERT titles" + (" (sample)" if limit else ""): eval_titles(matcher, data_dir, limit)
        }
        results["titles"] = {**titles, **eval_occupations(matcher, data_dir)}
    if not args.quick:
        results["throughput_sentences_per_s"] = measure_throughput(plain, data_dir)
        # The plain model (no stored vectors): what a request really costs.
        texts = latency_texts(data_dir)
        ex.embedder = plain
        results["latency"] = measure_latency(host, texts)
        ex.embedder = embedder
        # Again with every sentence vector already stored: what our code costs beyond the model.
        measure_latency(host, texts)
        results["latency_vectors_cached"] = measure_latency(host, texts)
    results["total_s"] = round(time.perf_counter() - t0, 1)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the evaluation, print and save the results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--model", default=os.environ.get("QABILET_EMBEDDER", DEFAULT_MODEL))
    ap.add_argument("--out", type=Path, default=Path("reports/eval.json"))
    ap.add_argument("--limit-titles", type=int, default=2000, help="0 = all 15,463 titles")
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--ranker", choices=("committed", "none"), default="committed")
    ap.add_argument("--ranker-file", type=Path, default=None, help="another ranker artefact")
    ap.add_argument("--alt-labels", action=argparse.BooleanOptionalAction, default=None)
    ap.add_argument("--skip-titles", action="store_true", help="no occupation label vectors")
    ap.add_argument("--quick", action="store_true", help="skip throughput and latency")
    ap.add_argument(
        "--latency", action="store_true", help="only the extract API's p50/p95 (quality/latency.py)"
    )
    ap.add_argument("--threads", type=int, default=1, help="model threads for --latency")
    args = ap.parse_args(argv)
    data_dir = (args.data_dir or default_data_dir()).resolve()
    if args.latency:
        cache = Path(args.cache_dir or "var/cache").resolve()
        lat = measure_api_latency(data_dir, args.model, cache, threads=max(1, args.threads))
        print_latency(lat)
        out = args.out.with_name(args.out.stem + "_latency.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(lat, indent=2), encoding="utf-8")
        print(f"wrote {out}")
        return 0
    results = run(args, data_dir)
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
