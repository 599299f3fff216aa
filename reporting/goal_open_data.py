"""The coalition goals as open data: one CSV row per goal shown on the Goals page, with its
figures as of a date. Names and units in English (the source; the pages translate them), numbers
plain ("1234.50"), dates ISO; every text goes through the portal's one formula guard."""

import csv
import datetime
import io
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spreadsheets.files import spreadsheet_safe

from .selectors.goals import GoalFigures

COLUMNS = ("code", "name", "measure", "indicator_code", "unit", "aggregation", "goal_value",
           "goal_date", "scope", "scope_code", "committed", "achieved", "pledges_counted",
           "as_of")


# Each column's Table Schema type and description in the data package (datapackage.json).
COLUMN_SCHEMA = {
    "code": ("string", _("The goal's code: its page is /goals/<code>/.")),
    "name": ("string", _("The goal's name, in English.")),
    "measure": ("string", _("“indicator”: a catalogue indicator's total; “usd”: USD committed by "
                            "financial pledges.")),
    "indicator_code": ("string", _("The catalogue indicator's code (empty for a USD goal); "
                                   "targets carry the same code in the pledges' files.")),
    "unit": ("string", _("The indicator's unit, in English, or USD.")),
    "aggregation": ("string", _("How targets combine: sum, max, or none (not combinable).")),
    "goal_value": ("number", _("The value to reach.")),
    "goal_date": ("date", _("The day to reach it by.")),
    "scope": ("string", _("Which pledges count: all, action_area, country_group, region or "
                          "campaign.")),
    "scope_code": ("string", _("The action area, country group, region or campaign's code.")),
    "committed": ("number", _("The targets of the public pledges in scope, each counted once "
                              "(empty: not combinable).")),
    "achieved": ("number", _("The latest values reported against those targets (empty: not "
                             "combinable).")),
    "pledges_counted": ("integer", _("The public pledges whose targets count toward the goal.")),
    "as_of": ("date", _("The day of the figures, with that day's country groupings.")),
}


def goals_resource(absolute_url) -> dict:
    """The goals file as a tabular resource of the portal's data package (pledges.open_data)."""
    return {
        "name": "goals-csv",
        "path": absolute_url(reverse("reporting:goals_csv")),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": str(_("The coalition goals with their committed and achieved figures as "
                             "of today (?as_of=YYYY-MM-DD for another day): one row per goal.")),
        "dialect": {"delimiter": ",", "header": True},
        "schema": {"fields": [{"name": name, "type": COLUMN_SCHEMA[name][0],
                               "description": str(COLUMN_SCHEMA[name][1])} for name in COLUMNS],
                   "primaryKey": ["code"], "missingValues": [""]},
    }


def _number(value: Decimal | None) -> str:
    """The exact value without trailing zeros ("150", "12.5"): a sum's scale differs between
    PostgreSQL (150.00) and SQLite (150), and a zero has none."""
    return "" if value is None else format(value.normalize(), "f")


def _scope_code(goal) -> str:
    if goal.action_area_id:
        return goal.action_area.code
    if goal.region_id:
        return goal.region.code
    if goal.campaign_id:
        return goal.campaign.slug
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
