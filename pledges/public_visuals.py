"""The public pages' pictures — world map, charts — built from the counters that the pages
already read (pledges.selectors), so that a picture can never disagree with the figures beside
it. Each picture comes with the rows of the table that says the same in words."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from action_areas.models import text_in
from action_areas.world_map import SHADES, MapCountry, shade_edges, world_map_svg
from members.models import StakeholderGroup
from p2c_portal.locale_formats import format_compact_number, format_month, format_number
from p2c_portal.svg_charts import Mark, Step, bar_chart_svg, bars_from, line_chart_svg

MAP_MEASURES = ("pledges", "usd")


def usd_words(amount) -> str:
    return gettext("USD %(amount)s") % {"amount": format_compact_number(amount or 0)}


def measure_text(measure: str, value) -> str:
    if measure == "usd":
        return usd_words(value)
    return ngettext("%(count)s pledge", "%(count)s pledges", value) % {
        "count": format_number(value)}


@dataclass
class MapRow:
    name: str
    url: str
    pledges: int
    usd: Decimal | None  # None where the figure is not known (the filtered list's map)


def _legend(measure: str, values: list[float]) -> list[dict]:
    """The legend's steps, as numbers (their unit is said once, before them): each shade from
    just above the previous shade's edge to its own, only the shades a country can have."""
    values = [v for v in values if v > 0]
    if not values:
        return []
    edges = shade_edges(min(values), max(values))
    if len(set(edges)) == 1:
        text = format_number(values[0]) if measure == "pledges" else usd_words(values[0])
        return [{"shade": SHADES, "low": text, "high": text}]
    legend, low = [], min(values)
    for shade, edge in enumerate(edges, start=1):
        if measure == "pledges":
            high = math.floor(edge + 1e-9)
            if high >= low:
                legend.append({"shade": shade, "low": format_number(low),
                               "high": format_number(high)})
            low = max(low, high + 1)
        else:
            legend.append({"shade": shade, "low": usd_words(round(low)),
                           "high": usd_words(round(edge))})
            low = edge
    return legend


def world_map(rows: list[MapRow], iso2_of: dict[str, str], *, measure: str, map_id: str,
              title: str) -> dict:
    """The map's SVG, its legend and its table rows (largest first)."""
    value_of = (lambda row: row.usd or 0) if measure == "usd" else (lambda row: row.pledges)
    label = gettext("%(country)s: %(figure)s")
    figures: dict = {}  # value -> its words: many countries share a count
    countries = []
    for row in rows:
        value = value_of(row)
        if not value:
            continue
        if value not in figures:
            figures[value] = measure_text(measure, value)
        countries.append(MapCountry(iso2=iso2_of[row.url], url=row.url,
                                    label=label % {"country": row.name,
                                                   "figure": figures[value]},
                                    value=float(value)))
    rows = sorted(rows, key=lambda row: (-value_of(row), row.name))
    return {
        "svg": world_map_svg(countries, map_id=map_id, title=title),
        "legend": _legend(measure, [c.value for c in countries]),
        "rows": rows,
        "table_rows": _table_rows(rows),
        "measure": measure,
    }


def _table_rows(rows: list[MapRow]) -> SafeString:
    """The map's table body, one row per country. Written here rather than by a template loop
    (some 200 rows of three cells each took a third of the home page's rendering), with
    html.escape rather than format_html per cell (what format_html does, without its per-call
    work: a third of a distinct list's map)."""
    return SafeString("".join(
        f'<tr><th scope="row"><a href="{escape(row.url)}"><bdi>{escape(row.name)}</bdi></a></th>'
        f'<td class="text-end">{escape(format_number(row.pledges))}</td>'
        + ("" if row.usd is None else f'<td class="text-end">{escape(usd_words(row.usd))}</td>')
        + "</tr>"
        for row in rows
    ))


def _country_address_around_code() -> tuple[str, str]:
    """What comes before and after a country's code in its page's address, in the active
    language: one reverse() for the some 200 countries of a map."""
    before, after = reverse("pledges:country_detail", kwargs={"iso3": "ZZZ"}).rsplit("ZZZ", 1)
    return before, after


def home_map(figures: dict, measure: str) -> dict:
    """The home page's map of every public pledge, and the pledges it cannot place on one
    country: global ones and those naming a whole region, listed apart."""
    language = get_language()
    rows, iso2_of = [], {}
    before, after = _country_address_around_code()
    for iso3, row in figures["by_country"].items():
        url = f"{before}{iso3}{after}"
        iso2_of[url] = row["iso2"]
        rows.append(MapRow(text_in(row["name_en"], row["name_translations"], language), url,
                           row["pledges"], row["usd"]))
    title = (gettext("World map: USD committed by public pledges in each country they name")
             if measure == "usd" else
             gettext("World map: number of public pledges naming each country"))
    regional = sorted(figures["regional"].items(), key=lambda item: item[1]["position"])
    return {
        **world_map(rows, iso2_of, measure=measure, map_id="world-map", title=title),
        "title": title,
        "global": figures["global"],
        "regional": [
            {"code": code, "pledges": row["pledges"],
             "name": text_in(row["name_en"], row["name_translations"], language)}
            for code, row in regional
        ],
    }


def list_map(country_counts: dict[str, int], names: dict[str, str],
             iso2_codes: dict[str, str]) -> dict:
    """The list's map: how many of the pledges listed name each country (the list's own facet
    counts, no further query)."""
    rows, iso2_of = [], {}
    before, after = _country_address_around_code()
    for iso3, count in country_counts.items():
        if iso3 not in iso2_codes or not count:
            continue
        url = f"{before}{iso3}{after}"
        iso2_of[url] = iso2_codes[iso3]
        rows.append(MapRow(names.get(iso3, iso3), url, count, None))
    title = gettext("World map: number of the listed pledges naming each country")
    return {**world_map(rows, iso2_of, measure="pledges", map_id="list-map", title=title),
            "title": title}


def _bar_chart(rows: list[tuple[str, int, Decimal]], *, chart_id: str, title: str) -> dict:
    """A chart of the pledges per row (its table also gives USD)."""
    return {
        "svg": bar_chart_svg(bars_from([(label, n, format_number(n)) for label, n, _usd in rows]),
                             chart_id=chart_id, title=title),
        "rows": [{"label": label, "pledges": n, "usd": usd} for label, n, usd in rows],
        "title": title,
    }


def area_chart(areas: list[dict]) -> dict:
    return _bar_chart([(row["area"].name, row["pledges"], row["usd"] or 0) for row in areas],
                      chart_id="chart-areas",
                      title=gettext("Bar chart: number of pledges by action area"))


def stakeholder_chart(figures: dict) -> dict:
    rows = []
    for value, label in StakeholderGroup.choices:
        row = figures["by_stakeholder"].get(value)
        if row:
            rows.append((str(label), row["pledges"], row["usd"]))
    return _bar_chart(rows, chart_id="chart-stakeholders",
                      title=gettext("Bar chart: number of pledges by stakeholder group"))


def timeline(figures: dict) -> dict:
    """Pledges and USD over time, cumulative by month of publication, events numbered on the
    charts and named in a legend; the table gives each month's new and running totals."""
    months = figures["by_month"]
    if not months:
        return {}
    language = get_language()
    first, last = months[0][0], months[-1][0]
    events = [(day, text_in(name_en, names, language))
              for day, name_en, names in figures["events"]
              if first <= day <= _month_end(last)]
    marks = [Mark(day, number) for number, (day, _name) in enumerate(events, start=1)]
    rows, pledges, usd = [], 0, Decimal(0)
    for month, n, month_usd in months:
        pledges += n
        usd += month_usd
        rows.append({"month": format_month(month), "pledges": n, "total_pledges": pledges,
                     "usd": month_usd, "total_usd": usd})
    charts = []
    for key, title, total_key, text in (
        ("pledges", gettext("Line chart: number of published pledges over time, cumulative"),
         "total_pledges", format_number),
        ("usd", gettext("Line chart: USD committed over time, cumulative"), "total_usd",
         usd_words),
    ):
        steps = [Step(month, float(row[total_key])) for (month, *_rest), row
                 in zip(months, rows, strict=True)]
        charts.append({"key": key, "title": title, "svg": line_chart_svg(
            steps, marks, chart_id=f"chart-time-{key}", title=title,
            description=gettext("From %(first)s to %(last)s: %(total)s") % {
                "first": format_month(first), "last": format_month(last),
                "total": text(rows[-1][total_key])},
            first=format_month(first), last=format_month(last),
            largest=text(rows[-1][total_key]))})
    return {"charts": charts, "rows": rows,
            "events": [{"number": m.number, "name": name, "day": day}
                       for m, (day, name) in zip(marks, events, strict=True)]}


def _month_end(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
