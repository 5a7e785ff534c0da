"""A horizontal bar chart as inline SVG, drawn at build time: no JavaScript, no CDN.

Colours come from Material's CSS variables and `currentColor`, so the chart follows
the page's light or dark scheme; each variable has a fallback for use outside it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 720
LABEL_WIDTH = 150
CHAR_WIDTH = 7.5  # a generous average at 13px, so written values fit inside the chart
TEXT_GAP = 6
BAR = 16
GAP = 4
ROW_GAP = 14
TOP = 40  # the legend
AXIS = 24

VALUE_FILL = "var(--md-typeset-a-color, #4051b5)"
REFERENCE_FILL = "var(--md-default-fg-color--lighter, rgba(0, 0, 0, 0.32))"
LIMIT_STROKE = "var(--md-default-fg-color, #000)"
GRID_STROKE = "var(--md-default-fg-color--lightest, rgba(0, 0, 0, 0.07))"


@dataclass(frozen=True)
class Row:
    label: str
    value: float
    value_text: str
    reference: float | None = None  # drawn as a lighter bar under the value's bar
    reference_text: str = ""
    limit: float | None = None  # drawn as a dashed tick across the row
    limit_text: str = ""


@dataclass(frozen=True)
class Legend:
    value: str
    reference: str
    limit: str


def bar_chart(
    rows: list[Row],
    title: str,
    description: str,
    legend: Legend,
    axis_text: Callable[[float], str],
) -> str:
    if not rows:
        raise ValueError("a bar chart needs at least one row")
    largest = max(v for row in rows for v in (row.value, row.reference, row.limit) if v is not None)
    step = nice_step(largest)
    axis_end = step * math.ceil(largest / step) if largest > 0 else 1.0
    plot_width = _plot_width(rows, axis_end)

    def x(value: float) -> float:
        return LABEL_WIDTH + plot_width * value / axis_end

    row_height = 2 * BAR + GAP + ROW_GAP
    plot_bottom = TOP + row_height * len(rows)
    height = plot_bottom + AXIS
    ident = "chart-" + hashlib.sha256((title + description).encode()).hexdigest()[:10]

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" '
        'style="max-width: 100%; height: auto; color: inherit; font-size: 13px" '
        'font-family="inherit">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    parts += _legend(legend)
    tick = 0.0
    while tick <= axis_end + step / 2:
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{TOP - 6}" x2="{x(tick):.1f}" y2="{plot_bottom}" '
            f'style="stroke: {GRID_STROKE}" />'
        )
        parts.append(
            f'<text x="{x(tick):.1f}" y="{plot_bottom + 16}" text-anchor="middle" '
            f'fill="currentColor">{escape(axis_text(tick))}</text>'
        )
        tick += step
    for index, row in enumerate(rows):
        top = TOP + index * row_height
        parts.append(
            f'<text x="{LABEL_WIDTH - 10}" y="{top + BAR - 3}" text-anchor="end" '
            f'fill="currentColor" font-weight="bold">{escape(row.label)}</text>'
        )
        # Values are written past the budget line too, so the line never crosses them.
        parts += _bar(x, top, row.value, row.value_text, VALUE_FILL, row.limit)
        if row.reference is not None:
            parts += _bar(
                x, top + BAR + GAP, row.reference, row.reference_text, REFERENCE_FILL, row.limit
            )
        if row.limit is not None:
            parts.append(
                f'<line x1="{x(row.limit):.1f}" y1="{top - 3}" x2="{x(row.limit):.1f}" '
                f'y2="{top + 2 * BAR + GAP + 3}" stroke-width="2" stroke-dasharray="4 3" '
                f'style="stroke: {LIMIT_STROKE}"><title>{escape(row.limit_text)}</title></line>'
            )
    parts.append("</svg>")
    return "".join(parts)


def nice_step(largest: float, most_ticks: int = 6) -> float:
    """The smallest 1, 2 or 5 times a power of ten that needs at most `most_ticks` steps."""
    if largest <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(largest / most_ticks))
    for multiple in (1, 2, 5, 10):
        if largest / (multiple * magnitude) <= most_ticks:
            return float(multiple * magnitude)
    return 10.0 * magnitude


def _plot_width(rows: list[Row], axis_end: float) -> float:
    """As wide as possible while every bar's text still fits to its right."""
    room = WIDTH - LABEL_WIDTH
    for row in rows:
        for value, text in ((row.value, row.value_text), (row.reference, row.reference_text)):
            if value is None or value <= 0:
                continue
            end = max(value, row.limit or 0)
            room = min(room, (WIDTH - LABEL_WIDTH - TEXT_GAP - _text_width(text)) * axis_end / end)
    return room


def _text_width(text: str) -> float:
    return CHAR_WIDTH * len(text)


def _bar(
    x: Callable[[float], float],
    top: float,
    value: float,
    text: str,
    fill: str,
    limit: float | None,
) -> list[str]:
    left, right = x(0), x(value)
    text_x = max(right, x(limit) if limit is not None else right) + TEXT_GAP
    return [
        f'<rect x="{left:.1f}" y="{top}" width="{max(right - left, 1):.1f}" height="{BAR}" '
        f'style="fill: {fill}"><title>{escape(text)}</title></rect>',
        f'<text x="{text_x:.1f}" y="{top + BAR - 3}" fill="currentColor">{escape(text)}</text>',
    ]


def _legend(legend: Legend) -> list[str]:
    items = [
        (f'<rect x="0" y="4" width="14" height="12" style="fill: {VALUE_FILL}" />', legend.value),
        (
            f'<rect x="0" y="4" width="14" height="12" style="fill: {REFERENCE_FILL}" />',
            legend.reference,
        ),
        (
            '<line x1="7" y1="1" x2="7" y2="19" stroke-width="2" stroke-dasharray="4 3" '
            f'style="stroke: {LIMIT_STROKE}" />',
            legend.limit,
        ),
    ]
    parts, left = [], LABEL_WIDTH
    for swatch, text in items:
        parts.append(
            f'<g transform="translate({left} 4)">{swatch}'
            f'<text x="20" y="15" fill="currentColor">{escape(text)}</text></g>'
        )
        left += 20 + _text_width(text) + 24
    return parts
