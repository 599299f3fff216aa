"""A compiled report's figures laid out for people, in one language: the sections every output
(HTML page, PDF, XLSX, CSV) shows, in the same order and with the same words.

`compiled_report_document(figures, language)` turns the JSON of `compiled_report_figures` into
plain objects; the writers in reporting/compiled_report_files.py and the template
reporting/public/compiled_report_detail.html only present them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from action_areas.models import text_in
from p2c_portal import locale_formats
from pledges.selectors import pledge_filters_from_query, pledge_filters_in_words

from .compiled_report_figures import BREAKDOWNS, YEAR_ON_YEAR_SHARES

SECTION_TITLES = {
    "action_area": gettext_lazy("By action area"),
    "pillar": gettext_lazy("By pillar"),
    "type": gettext_lazy("By type of pledge"),
    "stakeholder_group": gettext_lazy("By stakeholder group"),
    "region": gettext_lazy("By implementation region"),
    "targeting": gettext_lazy("Pledges acting in LDCs, LLDCs and SIDS"),
    "beneficiary_group": gettext_lazy("By beneficiary group"),
    "sdg": gettext_lazy("By Sustainable Development Goal"),
}

# Excel allows 31 characters per sheet name: short names for the workbook's sheets.
SHEET_NAMES = {
    "action_area": gettext_lazy("Action areas"),
    "pillar": gettext_lazy("Pillars"),
    "type": gettext_lazy("Types"),
    "stakeholder_group": gettext_lazy("Stakeholder groups"),
    "region": gettext_lazy("Regions"),
    "targeting": gettext_lazy("LDC, LLDC, SIDS"),
    "beneficiary_group": gettext_lazy("Beneficiary groups"),
    "sdg": gettext_lazy("SDGs"),
    "implementation_status": gettext_lazy("Implementation status"),
}

NOTES = {
    "future_cutoff": gettext_lazy(
        "The cut-off date is in the future: pledges submitted after today are not included yet."
    ),
    "future_date": gettext_lazy(
        "The report date is in the future: country groupings are those known for that day."
    ),
    "empty_selection": gettext_lazy("No public pledge matches this report's selection."),
    "no_reports": gettext_lazy("No progress report has been published for this cycle yet."),
}


# Beside the USD total: the financial pledges it leaves out, their month having no UN operational
# rate yet (pledges.rates). Shown only when there are some.
AWAITING_RATE_LABEL = gettext_lazy("Financial pledges in other currencies awaiting a rate (not "
                                   "in the USD total)")


@dataclass
class Row:
    code: str
    label: str
    pledges: int
    usd: Decimal | None = None


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]
    with_usd: bool = True
    caption: str = ""
    chart: str = ""  # the HTML page's SVG chart, set by the view

    @property
    def largest(self) -> int:
        return max((row.pledges for row in self.rows), default=0)


@dataclass
class Figure:
    label: str
    value: str  # formatted for the language


@dataclass
class GoalLine:
    """A coalition goal in a report: its name and figures, written for the language."""

    label: str
    goal: str
    committed: str
    achieved: str


@dataclass
class Comparison:
    """A figure at the end of the year before and of the report's date, and how it changed."""

    label: str
    before: str
    now: str
    change: str
    code: str = ""


@dataclass
class ComparisonSection:
    key: str
    title: str
    rows: list[Comparison]


@dataclass
class ContributedRow:
    code: str
    label: str
    values: list[int]


@dataclass
class ContributedSection:
    """A section another app contributes (reporting.compiled_report_sections), in one language:
    its totals, then one table (a row heading, then a column per number)."""

    key: str
    title: str
    sheet_name: str
    totals: list[ContributedRow]  # one value each
    caption: str
    row_heading: str
    columns: list[tuple[str, str]]  # (code, heading)
    rows: list[ContributedRow]


@dataclass
class Document:
    language: str
    title: str
    as_of: datetime.date
    selection: list[str]
    notes: list[str]
    totals: list[Figure]
    sections: list[Section]
    delivery: list[Figure] = field(default_factory=list)
    delivery_sections: list[Section] = field(default_factory=list)
    is_cycle: bool = False
    goals: list[GoalLine] = field(default_factory=list)
    # Cycle reports: the coalition a year before and on the report's date.
    year_headings: list[str] = field(default_factory=list)
    year_totals: list[Comparison] = field(default_factory=list)
    year_sections: list[ComparisonSection] = field(default_factory=list)
    contributed: list[ContributedSection] = field(default_factory=list)


def _label(item: dict, language: str) -> str:
    """The label in `language` (or its base: "zh" for "zh-hans"), else English."""
    labels = {key.removeprefix("label_"): text for key, text in item.items()
              if key.startswith("label_")}
    return text_in(item["label_en"], labels, language)


def _text(labels: dict, language: str) -> str:
    """A contributed section's text in `language` (or its base), else English."""
    return text_in(labels.get("en", ""), labels, language)


def _contributed(key: str, section: dict, language: str) -> ContributedSection:
    table = section["table"]
    return ContributedSection(
        key=key,
        title=_text(section["title"], language),
        sheet_name=_text(section["sheet"], language),
        totals=[ContributedRow(item["code"], _text(item["label"], language), [item["value"]])
                for item in section["totals"]],
        caption=_text(table["caption"], language),
        row_heading=_text(table["row_heading"], language),
        columns=[(column["code"], _text(column["label"], language))
                 for column in table["columns"]],
        rows=[ContributedRow(row["code"], _text(row["label"], language), row["values"])
              for row in table["rows"]],
    )


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


# Numbers, amounts and dates as the active language writes them, from CLDR (the same functions
# as the site's pages): 1,234,567 · 1 234 567; US$2,500,000 · 2 500 000 $US; 16 June 2022 ·
# 16 juin 2022 · 2022年6月16日. Pure functions of the value and the language: the same report in
# the same language is the same bytes.

def number(value) -> str:
    """A count as the active language writes it (1,234,567 / 1 234 567)."""
    return locale_formats.format_number(value)


def usd(value) -> str:
    """A total in US dollars, rounded to the dollar."""
    return locale_formats.format_amount(Decimal(value).quantize(Decimal(1)), "USD")


def percent(value: str | None) -> str:
    """A percentage (0–100) with at most one decimal: 42.5% · 42,5 %."""
    if not value:
        return "—"
    return locale_formats.format_percent(Decimal(value).quantize(Decimal("0.1")).normalize())


def date(value: str | datetime.date) -> str:
    """A date of the report in the language's long form."""
    if isinstance(value, str):
        value = _date(value)
    return locale_formats.format_date(value)


def _signed(value: Decimal, text: str) -> str:
    """A change as written for the language, with "+" when it grew."""
    return f"+{text}" if value > 0 else text


def _growth(before: Decimal, now: Decimal, write) -> str:
    """"+40 (+50%)": the change, and its percentage when there was something before."""
    change = _signed(now - before, write(now - before))
    if not before:
        return change
    rate = (now - before) * 100 / before
    return f"{change} ({_signed(rate, percent(str(rate.quantize(Decimal('0.1')))))})"


YEAR_ON_YEAR_NOTE = gettext_lazy(
    "The whole coalition's public pledges at the end of each day, in their version in force "
    "then and with that day's country groupings; shares in percent of that day's pledges. A "
    "pledge withdrawn since counts on neither day.")
YEAR_ON_YEAR_LABELS = {
    "pledges": gettext_lazy("Pledges"),
    "usd": gettext_lazy("USD mobilised by financial pledges"),
    "entities": gettext_lazy("Pledging entities"),
    "countries": gettext_lazy("Countries engaged"),
}
YEAR_ON_YEAR_TITLES = {
    **SECTION_TITLES,
    "region_of_origin": gettext_lazy("By region of origin (the pledging entity's headquarters)"),
}


def _year_on_year(figures: dict, language: str
                  ) -> tuple[list[str], list[Comparison], list[ComparisonSection]]:
    headings = [_("As of %(date)s") % {"date": date(day)} for day in figures["as_of"]]
    totals = []
    for key, label in YEAR_ON_YEAR_LABELS.items():
        before, now = (Decimal(value) for value in figures["totals"][key])
        write = usd if key == "usd" else number
        totals.append(Comparison(str(label), write(before), write(now),
                                 _growth(before, now, write), key))
    sections = []
    for key in YEAR_ON_YEAR_SHARES:  # the JSON keeps no order of keys
        comparisons = []
        for item in figures["shares"][key]:
            cells = [f"{number(count)} ({percent(share)})"
                     for count, share in zip(item["pledges"], item["shares"], strict=True)]
            before, now = (Decimal(share or 0) for share in item["shares"])
            comparisons.append(Comparison(_label(item, language), *cells,
                                          _signed(now - before, number(now - before)),
                                          str(item["code"])))
        sections.append(ComparisonSection(key, str(YEAR_ON_YEAR_TITLES[key]), comparisons))
    return headings, totals, sections


def _selection(parameters: dict, language: str) -> list[str]:
    lines = []
    if "event" in parameters:
        event = parameters["event"]
        where = _label(event, language)
        if event.get("location"):
            where = _("%(event)s (%(place)s)") % {"event": where, "place": event["location"]}
        lines.append(_("Announced at: %(event)s, %(start)s – %(end)s") % {
            "event": where, "start": date(event["start"]),
            "end": date(event["end"]),
        })
    if "cutoff" in parameters:
        lines.append(_("First submitted on or before %(date)s") % {
            "date": date(parameters["cutoff"])})
    if "cycle" in parameters:
        cycle = parameters["cycle"]
        lines.append(_("Reporting cycle: %(cycle)s (period %(start)s – %(end)s, due %(due)s)") % {
            "cycle": _label(cycle, language),
            "start": date(cycle["period_start"]),
            "end": date(cycle["period_end"]),
            "due": date(cycle["due_on"]),
        })
    campaigns = parameters.get("campaigns") or []
    if campaigns:
        lines.append(_("Campaign: %(campaigns)s (the pledges the secretariat had confirmed in "
                       "it by %(date)s)") % {
            "campaigns": locale_formats.format_list(
                [_label(campaign, language) for campaign in campaigns], alternatives=True),
            "date": date(parameters["as_of"])})
        others = _filters_in_words(_without_campaigns(parameters.get("filter_query") or ""))
        if others:
            lines.append(_("Filters of the public pledge list: %(filters)s") % {
                "filters": others})
    elif parameters.get("kind") == "custom":
        lines.append(_("Filters of the public pledge list: %(filters)s") % {
            "filters": _filters_in_words(parameters.get("filter_query") or "")
            or _("none (every public pledge)")})
    lines.append(_("Published and completed pledges only. Country groupings (LDC, LLDC, SIDS) "
                   "as they stood on %(date)s.") % {
        "date": date(parameters["as_of"])})
    return lines


def _goal_value(item: dict, value: str | None, language: str) -> str:
    if value is None:
        return _("not combinable")
    if item["measure"] == "usd":
        return usd(value)
    unit = item.get(f"unit_{language}") or item.get("unit_en", "")
    return f"{number(Decimal(value).normalize())} {unit}"


def _goal_line(item: dict, language: str) -> GoalLine:
    goal = _("%(value)s by %(date)s") % {
        "value": _goal_value(item, item["goal_value"], language), "date": date(item["goal_date"])}
    return GoalLine(_label(item, language), goal, _goal_value(item, item["committed"], language),
                    _goal_value(item, item["achieved"], language))
def _without_campaigns(filter_query: str) -> str:
    """The other filters: the campaigns are named from the report's own copy of their names."""
    query = QueryDict(filter_query, mutable=True)
    query.pop("campaign", None)
    return query.urlencode()


def _filters_in_words(filter_query: str) -> str:
    """"Type of pledge: Financial · Region: Africa", not "type=financial&region=africa"."""
    return pledge_filters_in_words(pledge_filters_from_query(QueryDict(filter_query)))


def compiled_report_document(figures: dict, *, title: str, language: str) -> Document:
    with translation.override(language):
        parameters = figures["parameters"]
        totals = figures["totals"]
        document = Document(
            language=language,
            title=title,
            as_of=_date(parameters["as_of"]),
            selection=_selection(parameters, language),
            notes=[str(NOTES[code]) for code in figures["notes"] if code in NOTES],
            totals=[
                Figure(_("Pledges"), number(totals["pledges"])),
                Figure(_("Pledging entities"), number(totals["entities"])),
                Figure(_("Countries reached"), number(totals["countries"])),
                Figure(_("Committed by financial pledges"), usd(totals["usd"])),
                *([Figure(str(AWAITING_RATE_LABEL), number(totals["awaiting_rate"]))]
                  if totals.get("awaiting_rate") else []),
            ],
            sections=[
                Section(
                    key=key,
                    title=str(SECTION_TITLES[key]),
                    rows=[Row(item["code"], _label(item, language), item["pledges"],
                              Decimal(item["usd"])) for item in figures["breakdowns"][key]],
                )
                for key in BREAKDOWNS
            ],
        )
        for section in document.sections:
            if section.key in ("action_area", "pillar", "region", "beneficiary_group", "sdg"):
                section.caption = _("A pledge may count in several rows.")
        document.goals = [_goal_line(item, language) for item in figures.get("goals", ())]
        if "year_on_year" in figures:
            (document.year_headings, document.year_totals,
             document.year_sections) = _year_on_year(figures["year_on_year"], language)
        document.contributed = [_contributed(key, section, language)
                                for key, section in figures.get("contributed", {}).items()]
        delivery = figures.get("delivery")
        if delivery:
            document.is_cycle = True
            targets = delivery["targets"]
            document.delivery = [
                Figure(_("Pledges expected to report"), number(delivery["covered"])),
                Figure(_("Progress reports published"), number(delivery["reported"])),
                Figure(_("Reporting rate"), percent(delivery["reporting_rate"])),
                Figure(_("Targets reported on"), number(targets["reported"])),
                Figure(_("Targets reached"), number(targets["achieved"])),
                Figure(_("Average progress towards targets"),
                       percent(targets["average_percent"])),
                Figure(_("USD committed (financial pledges)"), usd(delivery["usd_committed"])),
                Figure(_("USD disbursed so far"), usd(delivery["usd_disbursed"])),
                Figure(_("Share disbursed"), percent(delivery["disbursed_share"])),
            ]
            document.delivery_sections = [Section(
                key="implementation_status",
                title=_("Implementation status"),
                rows=[Row(item["code"], _label(item, language), item["pledges"])
                      for item in delivery["implementation_status"]],
                with_usd=False,
            )]
        return document


def pledge_list_headings(*, is_cycle: bool) -> list[str]:
    headings = [_("Reference"), _("Title"), _("Pledging entity"), _("Type"), _("Action areas"),
                _("Countries"), _("Regions"), _("LDC/LLDC/SIDS targeted"), _("USD committed"),
                _("Announced at"), _("Published on")]
    if is_cycle:
        headings += [_("Implementation status"), _("Percentage complete"), _("USD disbursed")]
    return headings


def pledge_list_numeric(*, is_cycle: bool) -> list[str]:
    """The headings of the pledge list's number columns (numbers in the workbook)."""
    return [_("USD committed")] + ([_("Percentage complete"), _("USD disbursed")]
                                   if is_cycle else [])


GROUP_ACRONYMS = {
    "LDC": pgettext_lazy("country group acronym", "LDC"),
    "LLDC": pgettext_lazy("country group acronym", "LLDC"),
    "SIDS": pgettext_lazy("country group acronym", "SIDS"),
}


def group_acronyms() -> dict[str, str]:
    """{group code: its acronym in the active language}: looked up once per language, not for
    each of 70,000 rows."""
    return {code: str(acronym) for code, acronym in GROUP_ACRONYMS.items()}


def pledge_list_cells(row, *, is_cycle: bool, acronyms: dict[str, str], global_label: str
                      ) -> list[str]:
    """`acronyms` (group_acronyms()) and `global_label` ("Global") in the list's language."""
    regions = list(row.regions)
    if row.is_global:
        regions.insert(0, global_label)
    groups = " ".join(acronyms.get(code, code) for code in row.groups)
    cells = [row.reference, row.title, row.entity, row.pledge_type, "; ".join(row.action_areas),
             "; ".join(row.countries), "; ".join(regions), groups, row.usd_amount,
             row.event, row.published_on]
    if is_cycle:
        cells += [row.implementation_status, row.percent_complete, row.usd_disbursed]
    return cells
