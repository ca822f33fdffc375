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

from .. import i18n
from ..i18n.web import format_moment, format_number, format_share

BRAND = "#0b6e75"
SECOND = "#d08a2c"
MUTED = "#5b6577"


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
    # Written as the page's locale writes numbers (the charts are drawn for one page).
    if percent:
        return format_share(value)
    if isinstance(value, float) and not value.is_integer():
        return format_number(value, 2)
    return format_number(int(value))


LABEL_CHARS = 26  # per line at the label font size, in the label column
LABEL_LINES = 2
NATURAL_WIDTH = 550  # px: the inner width of a dashboard card at 1280 px


def wrap_label(text: str, width: int = LABEL_CHARS, lines: int = LABEL_LINES) -> list[str]:
    """Break a label into at most ``lines`` lines of ``width`` characters (ellipsis if longer)."""
    words, out, line = text.split(), [], ""
    for word in words:
        while len(word) > width:  # one very long word: cut it
            if line:
                out.append(line)
                line = ""
            out.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        candidate = f"{line} {word}".strip()
        if len(candidate) <= width:
            line = candidate
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out or [""]


def bars(items: Sequence[Bar], *, title: str, maximum: float | None = None) -> Markup:
    """Return a horizontal bar chart as inline SVG (labels wrapped, never clipped)."""
    # Drawn at its natural size (about one card wide at 1280 px) so that 14 px text stays 14 px;
    # on a narrow screen the chart scrolls inside its card instead of shrinking.
    font, char_w, label_char_w = 14, 7.4, 8.9  # px per character at 14 px (Cyrillic is wide)
    wrapped = [wrap_label(b.label) for b in items]
    longest = max([len(line) for lines in wrapped for line in lines] or [4])
    label_w = int(longest * label_char_w) + 12
    text_w = int(max([len(b.text) for b in items] or [4]) * char_w) + 12
    bar_w = max(140, NATURAL_WIDTH - label_w - text_w)
    heights = [max(26, 10 + 17 * len(lines)) for lines in wrapped]
    height = max(1, sum(heights)) + 8
    top = maximum or max([b.value for b in items if b.value is not None] or [1.0]) or 1.0
    width = label_w + bar_w + text_w
    parts = [
        '<div class="chart-scroll">'
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    y = 4
    for bar, lines, row_h in zip(items, wrapped, heights, strict=True):
        middle = y + row_h / 2
        first = middle - (len(lines) - 1) * 8.5 + 5
        parts.append(f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>")
        parts.append(
            f'<text x="{label_w - 8}" y="{first:.1f}" text-anchor="end" font-size="{font}" '
            f'fill="#1d2330">'
            + "".join(
                f'<tspan x="{label_w - 8}" dy="{0 if i == 0 else 17}">{escape(line)}</tspan>'
                for i, line in enumerate(lines)
            )
            + "</text>"
        )
        bar_h = 16
        bar_y = middle - bar_h / 2
        if bar.value is None:
            parts.append(
                f'<rect x="{label_w}" y="{bar_y:.1f}" width="24" height="{bar_h}" fill="none" '
                f'stroke="{MUTED}" stroke-dasharray="3 2"/>'
            )
            end = label_w + 30.0
        else:
            length = max(1.0, bar_w * min(bar.value / top, 1.0)) if bar.value > 0 else 0.0
            parts.append(
                f'<rect x="{label_w}" y="{bar_y:.1f}" width="{length:.1f}" height="{bar_h}" '
                f'fill="{bar.colour}" rx="2"/>'
            )
            end = label_w + length + 6
        parts.append(
            f'<text x="{end:.1f}" y="{middle + 5:.1f}" font-size="{font - 1}" fill="{MUTED}">'
            f"{escape(bar.text)}</text></g>"
        )
        y += row_h
    parts.append("</svg></div>")
    return Markup("".join(parts))


def _num(cell: Any) -> float | None:
    return float(cell) if isinstance(cell, (int, float)) and not isinstance(cell, bool) else None


def group_label(dim: str, group: str, lang: str) -> str:
    """Return a report group's name in ``lang`` (regions, programmes, languages, areas)."""
    if dim == "region":
        for region in REGIONS:
            if region.slug == group:
                return str(getattr(region, f"name_{lang}", region.name_en))
    elif dim == "programme":
        key = f"programme.{group}"
        text = i18n.translate(lang, key)
        if text != key:
            return text
    elif dim == "provider" and group == "unknown":
        return i18n.translate(lang, "ministry.unknown_provider")
    elif dim in ("language", "area"):
        key = f"ministry.{'lang' if dim == 'language' else 'area'}.{group}"
        text = i18n.translate(lang, key)
        if text != key:
            return text
    if group == "unknown":
        return i18n.translate(lang, "ministry.group.unknown")
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
                Bar(group_label("provider", p["provider"], lang), p.get("placement_rate_180d"),
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
    for dim in ("language", "area", "region"):
        groups = (fairness.get(f"by_{dim}") or {}).get("groups") or []
        if groups:
            out[f"fairness_{dim}"] = bars(
                [
                    Bar(group_label(dim, g["group"], lang), g.get("mean_top10_score"),
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
                Bar(format_moment(r["started_at"]), float(r["rps"]),
                    f"{format_number(r['rps'], 1)} {t('ministry.rps')} · "
                    f"p95 {_fmt(r.get('p95_ms'))} {t('ministry.ms')} · {r['failures']} ✗")
                for r in runs
            ],
            title=t("ministry.load"),
        )  # fmt: skip
    return out
