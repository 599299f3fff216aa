"""Charts drawn on the server as inline SVG, shared by the public pages (home) and the compiled
reports' HTML page: no script, nothing the site's CSP forbids (colours and fonts come from
static/css/site.css), a title and a description for screen readers, and always a table of the
same numbers next to them on the page."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from reportlab.lib.utils import simpleSplit


@dataclass
class Bar:
    label: str
    value: float
    share: float  # of the largest value, 0–1
    text: str  # the value as the page writes it (locale digits, "USD 3 M")


def bars_from(rows: Sequence[tuple[str, float, str]]) -> list[Bar]:
    """Bars of (label, value, text) rows, each as long as its share of the largest."""
    largest = max((value for _label, value, _text in rows), default=0)
    return [Bar(label, value, (value / largest) if largest else 0.0, text)
            for label, value, text in rows]


def _wrapped(label: str, *, font_size: float, width: float) -> list[str]:
    """The label cut into lines no wider than `width` (Helvetica metrics), never truncated: the
    chart names every row in full, in every language."""
    return simpleSplit(label, "Helvetica", font_size, width) or [""]


# The bar chart: each row's label above its bar, so that long labels (French stakeholder groups,
# SDGs) are read in full and the chart stays legible when it shrinks to a phone's width. User
# units; the stylesheet sets the same font size (.report-chart__label in static/css/site.css).
CHART_WIDTH = 360  # about a phone's width in CSS pixels: labels keep their size there
CHART_FONT = 13
CHART_LINE = 16
CHART_BAR = 12
CHART_GAP = 9
CHART_VALUE_SPACE = 60  # right of the longest bar, for its value ("USD 120 M")
# Browsers draw the label in the site's sans-serif, which may run wider than Helvetica.
BROWSER_FONT_ALLOWANCE = 1.2


def _bar_rows(bars: list[Bar]) -> tuple[list[tuple], float]:
    rows, top = [], 0.0
    bar_area = CHART_WIDTH - CHART_VALUE_SPACE
    for bar in bars:
        lines = _wrapped(bar.label, font_size=CHART_FONT * BROWSER_FONT_ALLOWANCE,
                         width=CHART_WIDTH)
        bar_top = top + len(lines) * CHART_LINE + 3
        width = max(bar.share * bar_area, 1.0)
        rows.append((top, lines, bar_top, width, bar.text))
        top = bar_top + CHART_BAR + CHART_GAP
    return rows, top - CHART_GAP + 2


def bar_chart_svg(bars: list[Bar], *, chart_id: str, title: str) -> SafeString:
    """A horizontal bar chart, described for screen readers (the table next to it holds the
    same numbers). Mirrored in a right-to-left page by the stylesheet. No bars, no chart: an
    empty drawing would have a negative height."""
    if not bars:
        return SafeString("")
    rows, height = _bar_rows(bars)
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    items = format_html_join(
        "",
        '<g><text class="report-chart__label" x="0" y="{}">{}</text>'
        '<rect class="report-chart__bar" x="0" y="{}" width="{}" height="{}"></rect>'
        '<text class="report-chart__value" x="{}" y="{}">{}</text></g>',
        (
            (f"{top + CHART_FONT - 1:.0f}",
             format_html_join("", '<tspan x="0" dy="{}">{}</tspan>',
                              ((0 if i == 0 else CHART_LINE, line)
                               for i, line in enumerate(lines))),
             f"{bar_top:.0f}", f"{width:.1f}", CHART_BAR,
             f"{width + 6:.1f}", f"{bar_top + CHART_BAR - 1:.0f}", text)
            for top, lines, bar_top, width, text in rows
        ),
    )
    return format_html(
        '<svg class="report-chart" role="img" viewBox="0 0 {} {}" '
        'aria-labelledby="{}-title" aria-describedby="{}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        CHART_WIDTH, f"{height:.0f}", chart_id, chart_id, chart_id, title,
        chart_id, description, items,
    )


@dataclass
class Step:
    """A point of a cumulative line: the running total at the end of a month."""

    month: datetime.date
    total: float


@dataclass
class Mark:
    """A dated event drawn across the line chart (a roundtable), named in its legend."""

    day: datetime.date
    number: int  # its number in the legend next to the chart


LINE_WIDTH = 600
LINE_HEIGHT = 220
LINE_MARGIN = 8
LINE_TOP = 34  # room for the event numbers and the total above the plot


def line_chart_svg(steps: list[Step], marks: list[Mark], *, chart_id: str, title: str,
                   description: str, first: str, last: str, largest: str) -> SafeString:
    """A cumulative line (a step per month) with events marked as numbered vertical lines;
    `first`, `last` and `largest` are the axis labels as the page writes them."""
    if not steps:
        return SafeString("")
    start = steps[0].month.toordinal()
    end = max(steps[-1].month.toordinal(), start + 1)
    high = max(step.total for step in steps) or 1
    plot_width = LINE_WIDTH - 2 * LINE_MARGIN
    plot_bottom = LINE_HEIGHT - 20

    def x(day: datetime.date) -> float:
        return LINE_MARGIN + plot_width * (day.toordinal() - start) / (end - start)

    def y(total: float) -> float:
        return plot_bottom - (plot_bottom - LINE_TOP) * total / high

    points, previous = [], y(0)
    for step in steps:
        across = f"{x(step.month):.1f}"
        points += [f"{across},{previous:.1f}", f"{across},{y(step.total):.1f}"]
        previous = y(step.total)
    points.append(f"{LINE_WIDTH - LINE_MARGIN:.1f},{previous:.1f}")
    event_lines = format_html_join(
        "",
        '<line class="line-chart__event" x1="{0}" x2="{0}" y1="{1}" y2="{2}"></line>'
        '<text class="line-chart__event-number" x="{0}" y="{3}">{4}</text>',
        ((f"{x(mark.day):.1f}", LINE_TOP, plot_bottom, LINE_TOP - 6, mark.number)
         for mark in marks if start <= mark.day.toordinal() <= end),
    )
    return format_html(
        '<svg class="line-chart" role="img" viewBox="0 0 {} {}" aria-labelledby="{}-title" '
        'aria-describedby="{}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<line class="line-chart__axis" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<polyline class="line-chart__line" points="{}"></polyline>{}'
        '<text class="line-chart__tick" x="{}" y="{}">{}</text>'
        '<text class="line-chart__tick line-chart__tick--end" x="{}" y="{}">{}</text>'
        '<text class="line-chart__tick line-chart__tick--end" x="{}" y="{}">{}</text></svg>',
        LINE_WIDTH, LINE_HEIGHT, chart_id, chart_id, chart_id, title, chart_id, description,
        LINE_MARGIN, LINE_WIDTH - LINE_MARGIN, plot_bottom, plot_bottom,
        " ".join(points), event_lines,
        LINE_MARGIN, LINE_HEIGHT - 4, first,
        LINE_WIDTH - LINE_MARGIN, LINE_HEIGHT - 4, last,
        LINE_WIDTH - LINE_MARGIN, previous - 6, largest,  # the total, above the line's end
    )
