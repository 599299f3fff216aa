"""The coalition goals as open data: one CSV row per goal shown on the Goals page, with its
figures as of a date. Names and units in English (the source; the pages translate them), numbers
plain ("1234.50"), dates ISO; every text goes through the portal's one formula guard."""

import csv
import datetime
import io
from decimal import Decimal

from spreadsheets.files import spreadsheet_safe

from .selectors.goals import GoalFigures

COLUMNS = ("code", "name", "measure", "indicator_code", "unit", "aggregation", "goal_value",
           "goal_date", "scope", "scope_code", "committed", "achieved", "pledges_counted",
           "as_of")


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _scope_code(goal) -> str:
    if goal.action_area_id:
        return goal.action_area.code
    if goal.region_id:
        return goal.region.code
    return goal.country_group


def goals_csv(figures: list[GoalFigures], *, as_of: datetime.date) -> str:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in figures:
        goal = row.goal
        writer.writerow([
            spreadsheet_safe(goal.code), spreadsheet_safe(goal.name_en), goal.measure,
            spreadsheet_safe(goal.indicator.code) if goal.indicator_id else "",
            spreadsheet_safe(goal.indicator.unit_en) if goal.indicator_id else "USD",
            goal.aggregation, _number(goal.target_value), goal.target_date.isoformat(),
            goal.scope, spreadsheet_safe(_scope_code(goal)), _number(row.committed),
            _number(row.achieved), row.pledges, as_of.isoformat(),
        ])
    return output.getvalue()
