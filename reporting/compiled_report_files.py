"""The files of a compiled report: XLSX workbook, figures CSV, pledge-list CSV, print-ready PDF,
each in one language, and the SVG bar charts of the HTML page.

Same data, same bytes: rows come in the fixed order of reporting.compiled_report_figures, the
XLSX is written with fixed document dates and zip timestamps, and the PDF in ReportLab's
invariant mode (no creation date, fixed document id). Text cells are spreadsheet-safe
(spreadsheets.files). The pledge list is written as it is read (PledgeListFiles: the CSV and the
workbook's sheet rows into temporary files), never held as a list; the PDF prints the first
PRINT_LIST_LIMIT pledges and says where the full list is.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import BinaryIO
from xml.sax.saxutils import escape as xml_escape

from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from p2c_portal import svg_charts
from p2c_portal.locale_formats import format_list
from p2c_portal.svg_charts import Bar, bars_from
from spreadsheets.files import spreadsheet_safe

from . import compiled_report_fonts as fonts
from .compiled_report_document import (
    AWAITING_RATE_LABEL,
    SHEET_NAMES,
    YEAR_ON_YEAR_NOTE,
    Document,
    Section,
    group_acronyms,
    number,
    pledge_list_cells,
    pledge_list_headings,
    pledge_list_numeric,
)
from .compiled_report_figures import YEAR_ON_YEAR_TOTALS, PledgeRow

PRINT_LIST_LIMIT = 500
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry: no build time


# --- Rows shared by the CSV and the workbook ------------------------------------------------


FIGURE_COLUMNS = 5  # every figure's columns; the coalition goals' rows add value and unit


def _goal_rows(figures: dict, document: Document) -> Iterator[list]:
    title = _("Coalition goals")
    for item, line in zip(figures.get("goals", ()), document.goals, strict=True):
        unit = ("USD" if item["measure"] == "usd"
                else item.get(f"unit_{document.language}") or item.get("unit_en", ""))

        def amount(value):
            return "" if value is None else Decimal(value)

        yield [title, f"{item['code']}.goal",
               _("%(goal)s: goal, to reach by %(date)s") % {"goal": line.label,
                                                            "date": item["goal_date"]},
               "", "", amount(item["goal_value"]), unit]
        yield [title, f"{item['code']}.committed", _("%(goal)s: committed") % {"goal": line.label},
               item.get("pledges", ""), "", amount(item["committed"]), unit]
        yield [title, f"{item['code']}.achieved", _("%(goal)s: achieved") % {"goal": line.label},
               "", "", amount(item["achieved"]), unit]


def _year_on_year_rows(figures: dict, document: Document) -> Iterator[list]:
    """Cycle reports: each total at both dates, then each share (the value, in %), codes
    suffixed with the date (pledges.2024-12-31, type.financial.2024-12-31)."""
    compared = figures.get("year_on_year")
    if not compared:
        return
    title = _("Year on year")
    for key, row in zip(YEAR_ON_YEAR_TOTALS, document.year_totals, strict=True):
        for day, heading, value in zip(compared["as_of"], document.year_headings,
                                       compared["totals"][key], strict=True):
            label = f"{row.label}, {heading}"
            if key == "usd":
                yield [title, f"{key}.{day}", label, "", Decimal(value)]
            else:
                yield [title, f"{key}.{day}", label, value, ""]
    for section in document.year_sections:
        for row, item in zip(section.rows, compared["shares"][section.key], strict=True):
            for day, heading, count, share in zip(compared["as_of"], document.year_headings,
                                                  item["pledges"], item["shares"], strict=True):
                yield [title, f"{section.key}.{item['code']}.{day}",
                       f"{section.title}: {row.label}, {heading}", count, "",
                       Decimal(share) if share else "", "%"]


def _contributed_rows(document: Document) -> Iterator[list]:
    """The sections other apps contribute (matchmaking): their totals, then each cell of their
    table as a row of its own ("<row code>.<column code>", "<row>: <column>"), the number in
    the Value column (needs or introductions counted: neither pledges nor US dollars)."""
    for section in document.contributed:
        for row in section.totals:
            yield [section.title, row.code, row.label, "", "", row.values[0], ""]
        for row in section.rows:
            for (code, heading), value in zip(section.columns, row.values, strict=True):
                yield [section.title, f"{row.code}.{code}",
                       _("%(row)s: %(column)s") % {"row": row.label, "column": heading},
                       "", "", value, ""]


def figure_rows(figures: dict, document: Document) -> Iterator[list]:
    """(section, code, label, pledges, usd) for every figure, in the document's order, then
    (section, code, label, pledges, usd, value, unit) for the coalition goals' (a goal counts
    people, schools, … or USD) and the contributed sections' (needs, introductions); numbers
    as numbers (USD with two decimals), not formatted for a language."""
    totals = figures["totals"]
    title = _("Totals")
    yield [title, "pledges", _("Pledges"), totals["pledges"], ""]
    yield [title, "entities", _("Pledging entities"), totals["entities"], ""]
    yield [title, "countries", _("Countries reached"), totals["countries"], ""]
    yield [title, "usd", _("Committed by financial pledges"), "", Decimal(totals["usd"])]
    if totals.get("awaiting_rate"):
        yield [title, "awaiting_rate", str(AWAITING_RATE_LABEL), totals["awaiting_rate"], ""]
    yield from _year_on_year_rows(figures, document)
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
    yield from _goal_rows(figures, document)
    yield from _contributed_rows(document)


def figure_headings() -> list[str]:
    return [_("Section"), _("Code"), _("Label"), _("Pledges"), _("USD"), _("Value"), _("Unit")]


def _sheet_cell(value):
    """A workbook cell: numbers stay numbers (sums and sorting work), text is formula-safe."""
    if isinstance(value, int | Decimal):
        return value
    return spreadsheet_safe(value)


def _cell(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    return spreadsheet_safe(value)


# --- CSV ------------------------------------------------------------


def _text_out(out: BinaryIO) -> io.TextIOWrapper:
    """UTF-8 text with a BOM (so that Excel reads it as UTF-8) into a binary file."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    text.write("\ufeff")
    return text


def figures_csv(figures: dict, document: Document, out: BinaryIO) -> None:
    with translation.override(document.language):
        text = _text_out(out)
        writer = csv.writer(text, lineterminator="\r\n")
        headings = figure_headings()
        writer.writerow(headings)
        for row in figure_rows(figures, document):
            row += [""] * (len(headings) - len(row))
            writer.writerow([_cell(value) for value in row])
        text.detach()  # leave `out` open for the caller


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


def _reproducible_zip(data: BinaryIO, as_of: datetime.date, output: BinaryIO,
                      sheet_rows: tuple[str, Iterable[bytes]] | None = None) -> None:
    """The same archive with every entry's timestamp fixed, so equal workbooks are equal bytes.
    openpyxl stamps the save time as the document's "modified" date: the report's date instead.
    Entries are streamed (the pledge sheet can be large). `sheet_rows`: (entry name of a sheet,
    the XML of rows to add at the end of its data)."""
    source = zipfile.ZipFile(data)
    modified = f">{as_of.isoformat()}T00:00:00Z</dcterms:modified>".encode()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            if info.filename == "docProps/core.xml":
                content = re.sub(rb">[^<]*</dcterms:modified>", modified, source.read(info))
                target.writestr(entry, content)
                continue
            if sheet_rows and info.filename == sheet_rows[0]:
                # The pledge sheet (tens of megabytes of XML at 70,000 pledges): the fastest
                # compression, most of a workbook's time at the default level for 10 % less.
                entry._compresslevel = 1  # (ZipInfo.compress_level from Python 3.13)
                head, tail = source.read(info).split(b"</sheetData>", 1)
                with target.open(entry, "w", force_zip64=True) as writer:
                    writer.write(head)
                    for block in sheet_rows[1]:
                        writer.write(block)
                    writer.write(b"</sheetData>" + tail)
                continue
            with source.open(info) as reader, target.open(entry, "w", force_zip64=True) as writer:
                shutil.copyfileobj(reader, writer, 1024 * 1024)


def _csv_field(text: str) -> str:
    """A field as csv.writer writes it (QUOTE_MINIMAL): quoted when it holds a comma, a quote or
    a line break, its quotes doubled."""
    if "," in text or '"' in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _list_cell(value: str, numeric: bool) -> tuple[str, str]:
    """A pledge-list value as a CSV field (as _cell) and as the end of its sheet cell (after
    `<c r="A2"`): numbers as numbers (sums and sorting work), text formula-safe, as
    _sheet_cell; "" for an empty number (no cell)."""
    field = _csv_field(_cell(value))
    if numeric:
        return field, (f' t="n"><v>{format(Decimal(value).normalize(), "f")}</v></c>'
                       if value else "")
    text = ILLEGAL_CHARACTERS_RE.sub("", spreadsheet_safe(value))
    if not text:
        return field, ' t="inlineStr" />'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return field, f' t="inlineStr"><is><t{space}>{xml_escape(text)}</t></is></c>'


class PledgeListFiles:
    """One language's pledge list, written as the rows come, once for its two files: the CSV
    (whole) and the rows of the workbook's pledge sheet as XML (sheet XML written directly: at
    70,000 pledges, an openpyxl cell for each of 800,000 values took most of a report's time).
    Nothing else is kept in memory (the PDF prints the first PRINT_LIST_LIMIT rows, read apart).

    `cells`, shared by the languages and emptied by the caller between chunks, holds each
    value's formatted forms: most values (reference, title, entity, amounts, dates) are the same
    in every language."""

    def __init__(self, *, language: str, is_cycle: bool, csv_out: BinaryIO, sheet_out: BinaryIO):
        self.is_cycle = is_cycle
        self.csv_out, self.sheet_out = csv_out, sheet_out
        self.count = 0
        with translation.override(language):  # the headings name the numbers
            headings = pledge_list_headings(is_cycle=self.is_cycle)
            numeric = set(pledge_list_numeric(is_cycle=self.is_cycle))
            self.acronyms, self.global_label = group_acronyms(), str(_("Global"))
        self.columns = [(get_column_letter(i + 1), name in numeric)
                        for i, name in enumerate(headings)]
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(headings)
        # UTF-8 with a BOM, so that Excel reads it as UTF-8.
        csv_out.write(("\ufeff" + header.getvalue()).encode())

    def add(self, rows: list[PledgeRow], cells: dict) -> None:
        csv_lines, sheet_rows = [], []
        # Each column's formatted values: {value: (CSV field, sheet cell's end)}, text and numbers
        # apart (the same text is a number in one column and text in another).
        formats = [(letter, numeric, cells.setdefault(numeric, {}))
                   for letter, numeric in self.columns]
        acronyms, global_label, is_cycle = self.acronyms, self.global_label, self.is_cycle
        line = self.count + 1
        for row in rows:
            line += 1  # under the headings
            fields, sheet_cells = [], []
            values = pledge_list_cells(row, is_cycle=is_cycle, acronyms=acronyms,
                                       global_label=global_label)
            for (letter, numeric, formatted_values), value in zip(formats, values, strict=True):
                formatted = formatted_values.get(value)
                if formatted is None:
                    formatted = formatted_values[value] = _list_cell(value, numeric)
                fields.append(formatted[0])
                if formatted[1]:
                    sheet_cells.append(f'<c r="{letter}{line}"{formatted[1]}')
            csv_lines.append(",".join(fields))
            sheet_rows.append(f'<row r="{line}">{"".join(sheet_cells)}</row>')
        self.count = line - 1
        if csv_lines:
            self.csv_out.write(("\r\n".join(csv_lines) + "\r\n").encode())
        self.sheet_out.write("".join(sheet_rows).encode())

    def sheet_rows(self) -> Iterator[bytes]:
        """The pledge sheet's rows written so far, a megabyte at a time."""
        self.sheet_out.seek(0)
        while block := self.sheet_out.read(1024 * 1024):
            yield block


def workbook(figures: dict, document: Document, pledge_list: PledgeListFiles,
             out: BinaryIO) -> None:
    """A summary sheet, one sheet per breakdown, then the pledge list (streamed from the sheet
    rows `pledge_list` wrote)."""
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
        summary.append(figure_headings()[:FIGURE_COLUMNS])
        by_section: dict[str, list] = {}
        for row in figure_rows(figures, document):
            by_section.setdefault(row[0], []).append(row)
        first_section = next(iter(by_section))
        for row in by_section.pop(first_section):  # the totals
            summary.append([_sheet_cell(v) for v in row])

        sheet_names = {section.title: str(SHEET_NAMES.get(section.key, section.title))
                       for section in [*document.sections, *document.delivery_sections]}
        sheet_names.update({section.title: section.sheet_name
                            for section in document.contributed})
        for title, section_rows in by_section.items():
            sheet = book.create_sheet(_sheet_title(sheet_names.get(title, title), used))
            sheet.append([spreadsheet_safe(title)])
            width = max(len(row) for row in section_rows)
            sheet.append(figure_headings()[1:width])
            for row in section_rows:
                sheet.append([_sheet_cell(v) for v in row[1:]])

        pledges = book.create_sheet(_sheet_title(_("Pledges"), used))
        pledges.append(pledge_list_headings(is_cycle=document.is_cycle))
        # The rows go straight into the sheet's XML while the archive is copied.
        pledge_sheet = f"xl/worksheets/sheet{book.worksheets.index(pledges) + 1}.xml"

        with tempfile.TemporaryFile() as file:
            book.save(file)
            file.seek(0)
            _reproducible_zip(file, document.as_of, out,
                              sheet_rows=(pledge_sheet, pledge_list.sheet_rows()))


# --- Charts ------------------------------------------------------------


def chart_bars(section: Section) -> list[Bar]:
    return bars_from([(row.label, row.pledges, number(row.pledges)) for row in section.rows])


def bar_chart_svg(section: Section, chart_id: str) -> SafeString:
    """The HTML page's chart of a section: its pledges per row (p2c_portal.svg_charts)."""
    return svg_charts.bar_chart_svg(
        chart_bars(section), chart_id=chart_id,
        title=_("Bar chart: %(title)s, number of pledges") % {"title": section.title},
    )


# --- PDF ------------------------------------------------------------

# The usable width of an A4 page between 18 mm margins, less the frame's own 6 pt padding on
# each side: every table and chart fits in it.
PDF_WIDTH = A4[0] - 2 * 18 * mm - 12
PDF_FONT = 7.5
PDF_LINE = 9
PDF_LABELS = 190  # points for the labels, left of the bars
PDF_VALUE_SPACE = 24
PDF_BAR = 8
BLUE = colors.HexColor("#005b99")


def _pdf_string(drawing: Drawing, x: float, y: float, line: str, *, anchor: str = "start"):
    """One line of a drawing in display order, each script's run in its font."""
    font_runs = fonts.runs(line)
    if anchor == "end":
        x -= sum(pdfmetrics.stringWidth(chunk, font, PDF_FONT) for font, chunk in font_runs)
    for font, chunk in font_runs:
        drawing.add(String(x, y, chunk, fontSize=PDF_FONT, fontName=font))
        x += pdfmetrics.stringWidth(chunk, font, PDF_FONT)


def _pdf_chart(section: Section):
    """The chart of the page, on paper: labels (wrapped, never cut) left of their bars; in a
    right-to-left language, mirrored: labels on the right, bars growing leftwards."""
    right_to_left = translation.get_language_bidi()

    def x(left: float, width: float = 0) -> float:  # the mirror image of [left, left + width]
        return PDF_WIDTH - left - width if right_to_left else left

    bars = chart_bars(section)
    bar_area = PDF_WIDTH - PDF_LABELS - PDF_VALUE_SPACE
    rows = [(fonts.display_lines(bar.label, PDF_FONT, PDF_LABELS - 8), bar) for bar in bars]
    heights = [max(len(lines) * PDF_LINE, PDF_BAR) + 5 for lines, _bar in rows]
    drawing = Drawing(PDF_WIDTH, sum(heights))
    drawing.initialFontName = fonts.REGULAR  # else Helvetica is listed, though never drawn
    top = sum(heights)
    for (lines, bar), height in zip(rows, heights, strict=True):
        middle = top - height / 2
        first_baseline = middle + (len(lines) - 1) * PDF_LINE / 2 - PDF_FONT * 0.35
        for i, line in enumerate(lines):
            _pdf_string(drawing, x(PDF_LABELS - 8), first_baseline - i * PDF_LINE, line,
                        anchor="start" if right_to_left else "end")
        width = max(bar.share * bar_area, 0.75)
        drawing.add(Rect(x(PDF_LABELS, width), middle - PDF_BAR / 2, width, PDF_BAR,
                         fillColor=BLUE, strokeColor=None))
        _pdf_string(drawing, x(PDF_LABELS + width + 4), middle - PDF_FONT * 0.35, bar.text,
                    anchor="end" if right_to_left else "start")
        top -= height
    return drawing


def _pdf_table(headings: list, rows: list[list], widths: list[float], styles: dict, *,
               numeric_from: int = 1, small: bool = False):
    """A table as wide as the page; columns from `numeric_from` on hold numbers, aligned right
    under right-aligned headings. Text cells become paragraphs in the report fonts, and wrap.
    In a right-to-left language the columns are mirrored, the first on the right."""
    def cell(value, style: str):
        if not isinstance(value, str):
            return value
        return fonts.ScriptParagraph(value, styles[style])

    body = "small" if small else "cell"
    table_rows = [[cell(text, "heading_right" if i >= numeric_from else "heading")
                   for i, text in enumerate(headings)]]
    table_rows += [[cell(text, f"{body}_right" if i >= numeric_from else body)
                    for i, text in enumerate(row)] for row in rows]
    if translation.get_language_bidi():  # columns read from the right
        table_rows = [row[::-1] for row in table_rows]
        widths = widths[::-1]
    scale = PDF_WIDTH / sum(widths)
    table = Table(table_rows, colWidths=[w * scale for w in widths], repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8),  # else the cells' default is Helvetica
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f4f8")]),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
    ]))
    return table


def _one_line(text: str, size: float, room: float) -> str:
    """The text cut (in reading order, with an ellipsis) to fit one line, in display order."""
    line = text
    if fonts.width(fonts.shaped(line), size) > room:
        while line and fonts.width(fonts.shaped(line + "…"), size) > room:
            line = line[:-1]
        line = line.rstrip(" ,") + "…"
    return fonts.display_line(fonts.shaped(line), right_to_left=fonts.is_right_to_left(text))


def _pdf_footer(title: str):
    """Each page's foot: the report's title (cut to one line) and the page number."""
    def draw(canvas, page):
        canvas.saveState()
        canvas.setFillColor(colors.HexColor("#495057"))
        number_text = _("Page %(page)s") % {"page": number(page.page)}
        room = page.width - fonts.width(number_text, 7) - 24
        y = page.bottomMargin - 10 * mm
        left, right = page.leftMargin, page.leftMargin + page.width
        left_runs = fonts.runs(_one_line(title, 7, room))
        right_runs = fonts.display_runs(number_text)
        if translation.get_language_bidi():  # the title on the right, the number on the left
            left_runs, right_runs = right_runs, left_runs
        for font, chunk in left_runs:
            canvas.setFont(font, 7)
            canvas.drawString(left, y, chunk)
            left += pdfmetrics.stringWidth(chunk, font, 7)
        for font, chunk in reversed(right_runs):
            canvas.setFont(font, 7)
            canvas.drawRightString(right, y, chunk)
            right -= pdfmetrics.stringWidth(chunk, font, 7)
        canvas.restoreState()
    return draw


def _pdf_styles() -> dict:
    """The report's paragraph styles in its fonts; in a right-to-left language, text that
    would start on the left starts on the right."""
    styles = fonts.styles_for_scripts(getSampleStyleSheet().byName)
    if translation.get_language_bidi():
        styles = {name: style.clone(name, alignment=TA_RIGHT) if style.alignment == TA_LEFT
                  else style for name, style in styles.items()}
    cell = styles["BodyText"].clone("cell", fontName=fonts.REGULAR, fontSize=8, leading=9.5)
    heading = cell.clone("heading", fontName=fonts.BOLD)
    small = cell.clone("small", fontSize=7, leading=8.5)
    styles.update(
        cell=cell, cell_right=cell.clone("cell_right", alignment=TA_RIGHT),
        heading=heading, heading_right=heading.clone("heading_right", alignment=TA_RIGHT),
        small=small, small_right=small.clone("small_right", alignment=TA_RIGHT),
    )
    return styles


def pdf(
    document: Document, rows: Iterable[PledgeRow], out: BinaryIO, *, total_pledges: int
) -> None:
    """An A4 report: title, selection, notes, totals, each breakdown as chart and table, delivery
    for cycle reports, the contributed sections (matchmaking), then the first PRINT_LIST_LIMIT
    pledges. Every page names the report and carries its number. Every text is drawn in
    embedded fonts that have its script (reporting.compiled_report_fonts)."""
    def paragraph(text: str, style: str = "BodyText"):
        return fonts.ScriptParagraph(text, styles[style])

    fonts.register_fonts()
    with translation.override(document.language):
        styles = _pdf_styles()
        page = SimpleDocTemplate(
            out, pagesize=A4, title=document.title, author="P2C Digital Coalition",
            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=20 * mm,
            invariant=1, lang=document.language,
            # Else each page starts in Helvetica, listed (not embedded) though never drawn.
            initialFontName=fonts.REGULAR,
        )
        story = [paragraph(document.title, "Title")]
        story += [paragraph(line) for line in document.selection]
        story += [paragraph(note, "Italic") for note in document.notes]
        story.append(Spacer(1, 4 * mm))
        story.append(_pdf_table([_("Figure"), _("Value")],
                                [[f.label, f.value] for f in document.totals], [110, 60], styles))

        def add_section(section: Section):
            headings = [section.title, _("Pledges")]
            headings += [_("USD committed")] if section.with_usd else []
            table_rows = [[row.label, number(row.pledges)]
                          + ([number(Decimal(row.usd or 0).quantize(Decimal(1)))]
                             if section.with_usd else [])
                          for row in section.rows]
            widths = [110, 25, 35] if section.with_usd else [110, 25]
            parts = [Spacer(1, 5 * mm), paragraph(section.title, "Heading2"),
                     _pdf_chart(section), Spacer(1, 3 * mm),
                     _pdf_table(headings, table_rows, widths, styles)]
            if section.caption:
                parts.append(paragraph(section.caption, "Italic"))
            story.append(KeepTogether(parts))

        if document.year_totals:
            comparison_headings = [*document.year_headings, _("Difference")]
            story += [Spacer(1, 5 * mm), paragraph(_("Year on year"), "Heading2"),
                      paragraph(str(YEAR_ON_YEAR_NOTE)),
                      _pdf_table([_("Figure"), *comparison_headings],
                                 [[row.label, row.before, row.now, row.change]
                                  for row in document.year_totals], [70, 35, 35, 35], styles)]
            for section in document.year_sections:
                story.append(KeepTogether([
                    Spacer(1, 3 * mm), paragraph(section.title, "Heading3"),
                    _pdf_table([section.title, *document.year_headings,
                                _("Difference (percentage points)")],
                               [[row.label, row.before, row.now, row.change]
                                for row in section.rows], [70, 35, 35, 35], styles)]))
        if document.goals:
            story += [Spacer(1, 5 * mm), paragraph(_("Coalition goals"), "Heading2"),
                      _pdf_table([_("Goal"), _("Goal value"), _("Committed"), _("Achieved")],
                                 [[g.label, g.goal, g.committed, g.achieved]
                                  for g in document.goals], [55, 40, 40, 35], styles,
                                 numeric_from=2)]
        if document.is_cycle:
            story += [Spacer(1, 5 * mm), paragraph(_("Delivery"), "Heading2"),
                      _pdf_table([_("Figure"), _("Value")],
                                 [[f.label, f.value] for f in document.delivery], [110, 60],
                                 styles)]
            for section in document.delivery_sections:
                add_section(section)
        for section in document.sections:
            add_section(section)
        for contributed in document.contributed:
            story.append(KeepTogether([
                Spacer(1, 5 * mm), paragraph(contributed.title, "Heading2"),
                _pdf_table([_("Figure"), _("Value")],
                           [[row.label, number(row.values[0])] for row in contributed.totals],
                           [110, 60], styles),
                Spacer(1, 3 * mm),
                _pdf_table([contributed.row_heading, *(heading for _code, heading
                                                       in contributed.columns)],
                           [[row.label, *(number(value) for value in row.values)]
                            for row in contributed.rows],
                           [110, *([30] * len(contributed.columns))], styles),
                paragraph(contributed.caption, "Italic"),
            ]))

        story += [Spacer(1, 6 * mm), paragraph(_("Pledges"), "Heading2")]
        if total_pledges > PRINT_LIST_LIMIT:
            story.append(paragraph(_(
                "The first %(shown)s of %(total)s pledges, by reference. The XLSX and CSV files "
                "hold the full list.") % {"shown": number(PRINT_LIST_LIMIT),
                                          "total": number(total_pledges)}, "Italic"))
        listed = []
        for i, row in enumerate(rows):
            if i >= PRINT_LIST_LIMIT:
                break
            listed.append([row.reference, row.title, row.entity, row.pledge_type,
                           format_list(row.countries) or (_("Global") if row.is_global else "—"),
                           number(Decimal(row.usd_amount).quantize(Decimal(1)))
                           if row.usd_amount else ""])
        if listed:
            headings = [_("Reference"), _("Title"), _("Pledging entity"), _("Type"),
                        _("Countries"), _("USD committed")]
            story.append(_pdf_table(headings, listed, [25, 44, 33, 22, 28, 22], styles,
                                    numeric_from=5, small=True))
        else:
            story.append(paragraph(_("No pledge."), "BodyText"))
        footer = _pdf_footer(document.title)
        page.build(story, onFirstPage=footer, onLaterPages=footer)
