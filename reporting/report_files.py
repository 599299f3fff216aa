"""The files of a compiled report: XLSX workbook, figures CSV, pledge-list CSV, print-ready PDF,
each in one language, and the SVG bar charts of the HTML page.

Same data, same bytes: rows come in the fixed order of reporting.report_figures, the XLSX is
written with fixed document dates and zip timestamps, and the PDF in ReportLab's invariant mode
(no creation date, fixed document id). Text cells are spreadsheet-safe (p2c_portal.spreadsheets).
The pledge list is streamed to a temporary file, never held as a list; the PDF prints the first
PRINT_LIST_LIMIT pledges and says where the full list is.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from p2c_portal.spreadsheets import spreadsheet_safe

from .report_document import (
    Document,
    Section,
    number,
    pledge_list_cells,
    pledge_list_headings,
)
from .report_figures import PledgeRow

PRINT_LIST_LIMIT = 500
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry: no build time


# --- Rows shared by the CSV and the workbook ------------------------------------------------


def figure_rows(figures: dict, document: Document) -> Iterator[list]:
    """(section, code, label, pledges, usd) for every figure, in the document's order; numbers
    as numbers (USD with two decimals), not formatted for a language."""
    totals = figures["totals"]
    title = _("Totals")
    yield [title, "pledges", _("Pledges"), totals["pledges"], ""]
    yield [title, "entities", _("Pledging entities"), totals["entities"], ""]
    yield [title, "countries", _("Countries reached"), totals["countries"], ""]
    yield [title, "usd", _("Committed by financial pledges"), "", Decimal(totals["usd"])]
    for section in document.sections:
        for row in section.rows:
            yield [section.title, row.code, row.label, row.pledges, row.usd]
    delivery = figures.get("delivery")
    if delivery:
        title = _("Delivery")
        targets = delivery["targets"]
        yield [title, "covered", _("Pledges expected to report"), delivery["covered"], ""]
        yield [title, "reported", _("Progress reports published"), delivery["reported"], ""]
        yield [title, "reporting_rate", _("Reporting rate (%)"),
               Decimal(delivery["reporting_rate"]) if delivery["reporting_rate"] else "", ""]
        yield [title, "targets_reported", _("Targets reported on"), targets["reported"], ""]
        yield [title, "targets_achieved", _("Targets reached"), targets["achieved"], ""]
        yield [title, "targets_average", _("Average progress towards targets (%)"),
               Decimal(targets["average_percent"]) if targets["average_percent"] else "", ""]
        yield [title, "usd_committed", _("USD committed (financial pledges)"), "",
               Decimal(delivery["usd_committed"])]
        yield [title, "usd_disbursed", _("USD disbursed so far"), "",
               Decimal(delivery["usd_disbursed"])]
        for section in document.delivery_sections:
            for row in section.rows:
                yield [section.title, row.code, row.label, row.pledges, ""]


def figure_headings() -> list[str]:
    return [_("Section"), _("Code"), _("Label"), _("Pledges"), _("USD")]


def _cell(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    return spreadsheet_safe(value)


# --- CSV ------------------------------------------------------------


def figures_csv(figures: dict, document: Document) -> bytes:
    with translation.override(document.language):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(figure_headings())
        for row in figure_rows(figures, document):
            writer.writerow([_cell(value) for value in row])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads it as UTF-8


def pledges_csv(rows: Iterable[PledgeRow], document: Document) -> bytes:
    with translation.override(document.language), tempfile.TemporaryFile("w+", encoding="utf-8",
                                                                          newline="") as file:
        file.write("\ufeff")
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(pledge_list_headings(is_cycle=document.is_cycle))
        for row in rows:
            writer.writerow([_cell(v) for v in pledge_list_cells(row, is_cycle=document.is_cycle)])
        file.seek(0)
        return file.read().encode("utf-8")


# --- XLSX ------------------------------------------------------------


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31].strip()
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _reproducible_zip(data: bytes, as_of: datetime.date) -> bytes:
    """The same archive with every entry's timestamp fixed, so equal workbooks are equal bytes.
    openpyxl stamps the save time as the document's "modified" date: the report's date instead."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    modified = f">{as_of.isoformat()}T00:00:00Z</dcterms:modified>".encode()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb">[^<]*</dcterms:modified>", modified, content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return output.getvalue()


def workbook(figures: dict, document: Document, rows: Iterable[PledgeRow]) -> bytes:
    """A summary sheet, one sheet per breakdown, then the pledge list (streamed)."""
    with translation.override(document.language):
        book = Workbook(write_only=True)
        fixed = datetime.datetime.combine(document.as_of, datetime.time.min)
        book.properties.created = fixed
        book.properties.modified = fixed
        book.properties.creator = "P2C pledge portal"
        book.properties.title = document.title[:250]
        used: set[str] = set()

        summary = book.create_sheet(_sheet_title(_("Summary"), used))
        summary.append([spreadsheet_safe(document.title)])
        for line in [*document.selection, *document.notes]:
            summary.append([spreadsheet_safe(line)])
        summary.append([])
        summary.append(figure_headings())
        by_section: dict[str, list] = {}
        for row in figure_rows(figures, document):
            by_section.setdefault(row[0], []).append(row)
        first_section = next(iter(by_section))
        for row in by_section.pop(first_section):  # the totals
            summary.append([_cell(v) for v in row])

        for title, section_rows in by_section.items():
            sheet = book.create_sheet(_sheet_title(title, used))
            sheet.append(figure_headings()[1:])
            for row in section_rows:
                sheet.append([_cell(v) for v in row[1:]])

        pledges = book.create_sheet(_sheet_title(_("Pledges"), used))
        pledges.append(pledge_list_headings(is_cycle=document.is_cycle))
        for row in rows:
            pledges.append([_cell(v) for v in pledge_list_cells(row, is_cycle=document.is_cycle)])

        with tempfile.TemporaryFile() as file:
            book.save(file)
            file.seek(0)
            return _reproducible_zip(file.read(), document.as_of)


# --- Charts ------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: int
    share: float  # of the largest value, 0–1
    text: str


CHART_LABEL_CHARACTERS = 34  # fits LABEL_WIDTH; the full label is in the table beside


def _short(label: str) -> str:
    if len(label) <= CHART_LABEL_CHARACTERS:
        return label
    return label[: CHART_LABEL_CHARACTERS - 1].rstrip(" ,(") + "…"


def chart_bars(section: Section) -> list[Bar]:
    largest = section.largest
    return [
        Bar(_short(row.label), row.pledges, (row.pledges / largest) if largest else 0.0,
            number(row.pledges))
        for row in section.rows
    ]


CHART_WIDTH = 640
LABEL_WIDTH = 260
BAR_AREA = 300
ROW_HEIGHT = 22


def bar_chart_svg(section: Section, chart_id: str) -> SafeString:
    """A horizontal bar chart as inline SVG, described for screen readers (the table next to it
    holds the same numbers). Colours come from the site's stylesheet (.report-chart)."""
    bars = chart_bars(section)
    height = ROW_HEIGHT * len(bars) + 8
    description = "; ".join(f"{row.label}: {number(row.pledges)}" for row in section.rows)
    items = format_html_join(
        "",
        '<g><text class="report-chart__label" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="report-chart__bar" x="{}" y="{}" width="{}" height="14"></rect>'
        '<text class="report-chart__value" x="{}" y="{}">{}</text></g>',
        (
            (LABEL_WIDTH - 8, 4 + i * ROW_HEIGHT + 12, bar.label,
             LABEL_WIDTH, 4 + i * ROW_HEIGHT, f"{bar.share * BAR_AREA:.1f}",
             LABEL_WIDTH + bar.share * BAR_AREA + 6, 4 + i * ROW_HEIGHT + 12, bar.text)
            for i, bar in enumerate(bars)
        ),
    )
    return format_html(
        '<svg class="report-chart" role="img" viewBox="0 0 {} {}" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        CHART_WIDTH, height, chart_id, chart_id, chart_id,
        _("Bar chart: %(title)s, number of pledges") % {"title": section.title},
        chart_id, description, items,
    )


# --- PDF ------------------------------------------------------------


def _pdf_chart(section: Section):
    bars = chart_bars(section)
    scale = 0.7  # the SVG's geometry, on a page 481 points wide
    row = ROW_HEIGHT * scale
    drawing = Drawing(CHART_WIDTH * scale, row * len(bars) + 4)
    top = row * len(bars)
    for i, bar in enumerate(bars):
        y = top - (i + 1) * row + 3
        drawing.add(String((LABEL_WIDTH - 8) * scale, y + 2, bar.label, fontSize=7,
                           textAnchor="end", fontName="Helvetica"))
        drawing.add(Rect(LABEL_WIDTH * scale, y, max(bar.share * BAR_AREA * scale, 0.01), 9,
                         fillColor=colors.HexColor("#005b99"), strokeColor=None))
        drawing.add(String((LABEL_WIDTH + bar.share * BAR_AREA + 6) * scale, y + 2, bar.text,
                           fontSize=7, fontName="Helvetica"))
    return drawing


def _pdf_table(headings: list[str], rows: list[list[str]], widths: list[float]):
    table = Table([headings, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f4f8")]),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def pdf(document: Document, rows: Iterable[PledgeRow], *, total_pledges: int) -> bytes:
    """An A4 report: title, selection, notes, totals, each breakdown as chart and table, delivery
    for cycle reports, then the first PRINT_LIST_LIMIT pledges."""
    def paragraph(text: str, style: str = "BodyText"):
        return Paragraph(escape(text), styles[style])

    with translation.override(document.language):
        styles = getSampleStyleSheet()
        output = io.BytesIO()
        page = SimpleDocTemplate(
            output, pagesize=A4, title=document.title, author="P2C Digital Coalition",
            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
            invariant=1, lang=document.language,
        )
        story = [paragraph(document.title, "Title")]
        story += [paragraph(line) for line in document.selection]
        story += [paragraph(note, "Italic") for note in document.notes]
        story.append(Spacer(1, 4 * mm))
        story.append(_pdf_table([_("Figure"), _("Value")],
                                [[f.label, f.value] for f in document.totals], [110 * mm, 60 * mm]))

        def add_section(section: Section):
            headings = [section.title, _("Pledges")] + ([_("USD")] if section.with_usd else [])
            table_rows = [[row.label, number(row.pledges)]
                          + ([number(row.usd or 0)] if section.with_usd else [])
                          for row in section.rows]
            widths = [100 * mm, 25 * mm] + ([45 * mm] if section.with_usd else [])
            parts = [Spacer(1, 5 * mm), paragraph(section.title, "Heading2"),
                     _pdf_chart(section), Spacer(1, 2 * mm),
                     _pdf_table(headings, table_rows, widths)]
            if section.caption:
                parts.append(paragraph(section.caption, "Italic"))
            story.append(KeepTogether(parts))

        if document.is_cycle:
            story += [Spacer(1, 5 * mm), paragraph(_("Delivery"), "Heading2"),
                      _pdf_table([_("Figure"), _("Value")],
                                 [[f.label, f.value] for f in document.delivery],
                                 [110 * mm, 60 * mm])]
            for section in document.delivery_sections:
                add_section(section)
        for section in document.sections:
            add_section(section)

        story += [Spacer(1, 6 * mm), paragraph(_("Pledges"), "Heading2")]
        if total_pledges > PRINT_LIST_LIMIT:
            story.append(paragraph(_(
                "The first %(shown)s of %(total)s pledges, by reference. The XLSX and CSV files "
                "hold the full list.") % {"shown": number(PRINT_LIST_LIMIT),
                                          "total": number(total_pledges)}, "Italic"))
        cell = styles["BodyText"].clone("cell", fontSize=7, leading=8.5)
        listed = []
        for i, row in enumerate(rows):
            if i >= PRINT_LIST_LIMIT:
                break
            listed.append([Paragraph(escape(text), cell) for text in (
                row.reference, row.title, row.entity, row.pledge_type,
                "; ".join(row.countries) or (_("Global") if row.is_global else "—"),
                row.usd_amount and number(Decimal(row.usd_amount)),
            )])
        if listed:
            story.append(_pdf_table(
                [_("Reference"), _("Title"), _("Pledging entity"), _("Type"), _("Countries"),
                 _("USD committed")],
                listed, [22 * mm, 50 * mm, 35 * mm, 18 * mm, 29 * mm, 20 * mm]))
        else:
            story.append(paragraph(_("No pledge."), "BodyText"))
        page.build(story)
        return output.getvalue()
