"""A coalition goal as a server-rendered SVG: two bars, committed and achieved, against the
goal (the full track). Drawn like the compiled reports' charts (compiled_report_files
.bar_chart_svg) and styled by the same classes, mirrored right to left by the same CSS; the
table beside it holds the same figures for screen readers and copying. Each bar is named in
words and carries its value: colour never says anything alone."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from action_areas.models import CoalitionGoal
from p2c_portal import locale_formats

from .selectors.goals import GoalFigures

WIDTH = 520
BAR = 18
LABEL = 18  # a label line above its bar
GAP = 12
HUNDRED = Decimal(100)


def goal_value(goal: CoalitionGoal, value: Decimal | None) -> str:
    """A goal's figure as a reader writes it: an amount in USD ("100 000 000 000 USD",
    "1000亿美元"), or a number and the indicator's unit."""
    if value is None:
        return "—"
    if goal.measure == CoalitionGoal.Measure.USD_COMMITTED:
        return locale_formats.format_amount(value, "USD")
    return f"{locale_formats.format_number(value)} {goal.unit}"


def goal_chart_svg(figures: GoalFigures, chart_id: str) -> SafeString:
    goal = figures.goal
    bars = [
        (_("Committed: %(value)s (%(percent)s of the goal)"), figures.committed,
         figures.committed_percent, "report-chart__bar"),
        (_("Achieved: %(value)s (%(percent)s of the goal)"), figures.achieved,
         figures.achieved_percent, "report-chart__bar report-chart__bar--achieved"),
    ]
    rows, top = [], 0
    for label, value, percent, css in bars:
        shown = min(percent or Decimal(0), HUNDRED)
        text = label % {"value": goal_value(goal, value),
                        "percent": locale_formats.format_percent(percent or 0)}
        rows.append((f"{top + LABEL - 5}", text, f"{top + LABEL}",
                     f"{WIDTH * shown / HUNDRED:.1f}", css))
        top += LABEL + BAR + GAP
    items = format_html_join(
        "",
        '<g><text class="report-chart__label" x="0" y="{}">{}</text>'
        '<rect class="report-chart__track" x="0" y="{}" width="' + str(WIDTH) + '" height="'
        + str(BAR) + '"></rect><rect class="{}" x="0" y="{}" width="{}" height="' + str(BAR)
        + '"></rect></g>',
        ((label_y, text, bar_y, css, bar_y, width)
         for label_y, text, bar_y, width, css in rows),
    )
    description = "; ".join(row[1] for row in rows)
    return format_html(
        '<svg class="report-chart goal-chart" role="img" viewBox="0 0 {} {}" '
        'aria-labelledby="{}-title" aria-describedby="{}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH, top, chart_id, chart_id, chart_id,
        _("Bar chart: %(goal)s, committed and achieved against the goal of %(value)s") % {
            "goal": goal.name, "value": goal_value(goal, goal.target_value)},
        chart_id, description, items,
    )
