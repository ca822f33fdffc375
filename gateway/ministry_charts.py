"""Charts of the ministry dashboard: inline SVG drawn on the server (no script, no CDN).

Every chart is a labelled horizontal bar chart, readable at a glance and printable; hidden
figures ("<5", "*") are drawn as an empty outlined bar with their marker, never as a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from services.common.reference import REGIONS

from . import i18n

BRAND = "#0b6e75"
SECOND = "#d08a2c"
MUTED = "#5b6577"
LINE = "#dde2ea"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value (None when hidden) and the text printed after it."""

    label: str
    value: float | None
    text: str
    colour: str = BRAND


def _fmt(value: Any, percent: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if percent:
        return f"{value * 100:.0f}%"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".replace(",", " ")
    return f"{int(value):,}".replace(",", " ")


def bars(items: Sequence[Bar], *, title: str, maximum: float | None = None) -> Markup:
    """Return a horizontal bar chart as inline SVG."""
    label_w, bar_w, row_h = 190, 330, 24
    height = max(1, len(items)) * row_h + 8
    top = maximum or max([b.value for b in items if b.value is not None] or [1.0]) or 1.0
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_w + bar_w + 110} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, bar in enumerate(items):
        y = 4 + i * row_h
        label = escape(bar.label if len(bar.label) <= 28 else bar.label[:27] + "…")
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="12" '
            f'fill="#1d2330">{label}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="24" height="{row_h - 8}" fill="none" '
                f'stroke="{MUTED}" stroke-dasharray="3 2"/>'
            )
            end = label_w + 30.0
        else:
            width = max(1.0, bar_w * min(bar.value / top, 1.0)) if bar.value > 0 else 0.0
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}" '
                f'fill="{bar.colour}" rx="2"/>'
            )
            end = label_w + width + 6
        parts.append(
            f'<text x="{end:.1f}" y="{y + 16}" font-size="12" fill="{MUTED}">'
            f"{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _num(cell: Any) -> float | None:
    return float(cell) if isinstance(cell, (int, float)) and not isinstance(cell, bool) else None


def group_label(dim: str, group: str, lang: str) -> str:
    """Return a report group's name in ``lang``: regions and programmes by name, others as is."""
    if dim == "region":
        for region in REGIONS:
            if region.slug == group:
                return str(getattr(region, f"name_{lang}", region.name_en))
    elif dim == "programme":
        key = f"programme.{group}"
        text = i18n.translate(lang, key)
        if text != key:
            return text
    return group


def build(reports: dict[str, Any], lang: str) -> dict[str, Markup]:
    """Return every chart of the dashboard from the reports it fetched."""

    def t(key: str) -> str:
        return i18n.translate(lang, key)

    out: dict[str, Markup] = {}
    funnel = reports.get("funnel") or {}
    if funnel.get("stages"):
        out["funnel"] = bars(
            [
                Bar(t(f"ministry.stage.{s['stage']}"), _num(s["count"]), _fmt(s["count"]))
                for s in funnel["stages"]
            ],
            title=t("ministry.funnel"),
        )
    outcomes = reports.get("outcomes") or {}
    for dim in ("programme", "region"):
        rows = (outcomes.get(f"by_{dim}") or {}).get("rows") or []
        shown = [r for r in rows if r.get("enrolled") not in (0, None)]
        if shown:
            out[f"outcomes_{dim}"] = bars(
                [
                    Bar(
                        group_label(dim, r["group"], lang),
                        r.get("placement_rate_180d"),
                        f"{_fmt(r.get('placement_rate_180d'), True)} · {_fmt(r.get('completed'))}",
                    )
                    for r in shown
                ],
                title=t("ministry.outcomes"),
                maximum=1.0,
            )
    providers = (reports.get("providers") or {}).get("providers") or []
    if providers:
        out["providers"] = bars(
            [
                Bar(p["provider"], p.get("placement_rate_180d"),
                    _fmt(p.get("placement_rate_180d"), True))
                for p in providers[:15]
            ],
            title=t("ministry.providers"),
            maximum=1.0,
        )  # fmt: skip
    skills = (reports.get("skills") or {}).get("skills") or []
    if skills:
        items: list[Bar] = []
        for s in skills:
            items.append(Bar(s["label"], _num(s["vacancies"]), f"{s['vacancies']} ▸"))
            items.append(
                Bar("", _num(s["learners"]), f"{_fmt(s['learners'])} {t('ministry.learners')}",
                    SECOND)
            )  # fmt: skip
        out["skills"] = bars(items, title=t("ministry.skills"))
    fairness = reports.get("fairness") or {}
    for dim in ("language", "area"):
        groups = (fairness.get(f"by_{dim}") or {}).get("groups") or []
        if groups:
            out[f"fairness_{dim}"] = bars(
                [
                    Bar(g["group"], g.get("mean_top10_score"),
                        f"{_fmt(g.get('mean_top10_score'))} (n={_fmt(g['learners'])})")
                    for g in groups
                ],
                title=t("ministry.fairness"),
                maximum=1.0,
            )  # fmt: skip
    runs = reports.get("load") or []
    if runs:
        out["load"] = bars(
            [
                Bar(str(r["started_at"])[:16].replace("T", " "), float(r["rps"]),
                    f"{r['rps']:.1f} req/s · p95 {_fmt(r.get('p95_ms'))} ms · {r['failures']} ✗")
                for r in runs
            ],
            title=t("ministry.load"),
        )  # fmt: skip
    return out
