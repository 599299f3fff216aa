"""Spreadsheets in and out of the portal: reading what people upload, writing files that are safe
to open, and reading cell values the way people type them.

- `spreadsheet_safe(value)`: a text cell that starts with = + - @ tab or carriage return gets a
  leading apostrophe, so Excel, LibreOffice and Google Sheets show it as text instead of running
  it as a formula (CSV/formula injection). django-import-export's own option only strips one
  leading "=", which is not enough.
- `read_sheets` (`read_csv_sheets` / `read_xlsx_sheets`): an uploaded file as its sheets of
  non-blank rows (every sheet with values; hidden sheets and rows marked; formula cells as the
  results saved with them), or a `SpreadsheetError` whose message says what is wrong in words a
  person can act on (empty, wrong type, encoding, too many rows). spreadsheets.tables finds the
  table in them; `read_csv` / `read_xlsx` read a plain table whose headings are its first row.
- `parse_bool`, `fold`, `name_key`, `split_list`: cell values as typed (dates: periods.py).
"""

import csv
import datetime
import functools
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# A cell starting with one of these is run as a formula (or DDE command) by spreadsheets
# (OWASP "CSV injection"). Every export of the site (admin and open data) uses this one guard.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 200
# A workbook is a zip: what its parts hold once unpacked, not the upload's size, is what parsing
# costs. 2,000 rows of 200 columns of text fit well within this; a "zip bomb" does not.
MAX_WORKBOOK_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_CELL_CHARACTERS = 32_767  # Excel's own limit for one cell
# Rows above the table (titles, group headings) searched for its headings.
HEADING_SEARCH_ROWS = 20
# All the sheets of a workbook together hold at most this many times the rows an import takes.
WORKBOOK_ROWS_FACTOR = 5


def import_max_rows() -> int:
    """The most data rows one import takes (settings.P2C_IMPORT_MAX_ROWS, default 2,000)."""
    return int(getattr(settings, "P2C_IMPORT_MAX_ROWS", 2000))


def import_background_rows() -> int:
    """A file of more data rows is previewed and imported by a Celery task, not in the web
    request (settings.P2C_IMPORT_BACKGROUND_ROWS, default 500)."""
    return int(getattr(settings, "P2C_IMPORT_BACKGROUND_ROWS", 500))


class SpreadsheetError(ValueError):
    """A file or cell that cannot be imported; the message is safe to show to the person."""


# --- Formula safety -------------------------------------------------------------------------------


def spreadsheet_safe(value):
    """The value as a spreadsheet will show it, never run it: text starting with = + - @ tab,
    carriage return or line feed gets a leading apostrophe. Anything that is not text is returned
    unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_unescape(text: str) -> tuple[str, bool]:
    """Undo `spreadsheet_safe`: (text, True) when the cell was marked as literal text with a
    leading apostrophe, so that a file exported by the portal imports back unchanged."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:], True
    return text, False


_ARITHMETIC = re.compile(r"^[+\-]?[\d.,]+(?:\s*[+\-*/^]\s*[\d.,]+)+$")


def looks_like_formula(text: str) -> bool:
    """True for what a spreadsheet would run: =1+1, ==1+1, +cmd|'/C calc'!A0, -2+3, @SUM(A1).

    Plain text that merely starts with a sign stays text: "- first step", "+41 22 730 5111",
    "@ITU followers".
    """
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        return False
    if stripped[0] == "=":
        return True
    if stripped[0] in "+-@" and len(stripped) > 1 and not stripped[1].isspace():
        rest = stripped[1:]
        return bool(re.search(r"[(!|]", rest) or _ARITHMETIC.match(stripped))
    return False


# --- Reading uploaded files -----------------------------------------------------------------------

_MAGIC = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 (.xls) or Word file"),
]


def _not_a_spreadsheet(what: str) -> SpreadsheetError:
    return SpreadsheetError(
        _("This file is %(what)s, not a spreadsheet. Save it as CSV (UTF-8) or as an Excel "
          "workbook (.xlsx), then upload it again.") % {"what": what}
    )


def _check_size(data: bytes | None) -> bytes:
    if data is None:
        raise SpreadsheetError(
            _("The uploaded file is no longer available (it is kept for a limited time): "
              "upload it again.")
        )
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetError(
            _("This file is larger than %(size)s MB: split it into smaller files.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    return data


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark (Excel's
    "Unicode text"), else Windows-1252/Latin-1 (Excel's "CSV" on Windows)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_a_spreadsheet(_("not readable text")) from None
    if b"\x00" in data[:8192]:
        raise _not_a_spreadsheet(_("a binary file"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel in French and other locales) or tab: the one the heading line
    uses most, outside quotes."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _too_many_rows(max_rows: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("This file has more than %(max)s rows: an import takes at most %(max)s rows "
          "at a time. Split it into several files and import them one after the other.")
        % {"max": number_format(max_rows, force_grouping=True)}
    )


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_WORKBOOK_UNPACKED_BYTES, from the
    sizes its zip directory declares, before any part is unpacked. zipfile itself stops reading
    a member at its declared size, so a part cannot lie its way past this."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_WORKBOOK_UNPACKED_BYTES:
        raise SpreadsheetError(
            _("This workbook unpacks to more than %(size)s MB, far more than a file of "
              "%(rows)s rows needs: save only the rows to import, as a new .xlsx or as CSV, "
              "then upload it again.")
            % {"size": MAX_WORKBOOK_UNPACKED_BYTES // (1024 * 1024),
               "rows": number_format(import_max_rows(), force_grouping=True)}
        )


@dataclass
class SheetRow:
    """A row of a sheet that has at least one value; `line` is its number in the file."""

    line: int
    cells: list
    hidden: bool = False


@dataclass
class Sheet:
    """The non-blank rows of one sheet (a CSV file is one sheet without a name)."""

    name: str
    rows: list[SheetRow] = field(default_factory=list)
    hidden: bool = False
    position: int = 0

    @property
    def label(self) -> str:
        return self.name or _("the file")


class UncachedFormula(str):
    """A formula cell of a workbook saved without its result (written by a program, not by a
    spreadsheet application): its text, so that the row can be refused with a clear message."""


def _sheet_rows(rows, *, max_rows: int, sheet: str = "") -> list[SheetRow]:
    """The non-blank rows; blank rows count toward the limit (a file of millions of empty rows is
    stopped there instead of being read to its end). Title and heading rows above the table are
    allowed for: the limit counts from the first row with a value."""
    found: list[SheetRow] = []
    first = None
    for line, raw, hidden in rows:
        if first is not None and line - first > max_rows + HEADING_SEARCH_ROWS:
            raise _too_many_rows(max_rows)
        if first is None and line > max_rows + HEADING_SEARCH_ROWS:
            raise _too_many_rows(max_rows)
        values = list(raw)
        if not any(cell_text(cell) for cell in values):
            continue
        for cell in values:
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARACTERS:
                raise SpreadsheetError(
                    _("Line %(line)d has a cell longer than %(max)s characters, the most a "
                      "spreadsheet cell holds: shorten it.")
                    % {"line": line,
                       "max": number_format(MAX_CELL_CHARACTERS, force_grouping=True)}
                    if not sheet else
                    _("Line %(line)d of the sheet “%(sheet)s” has a cell longer than %(max)s "
                      "characters, the most a spreadsheet cell holds: shorten it.")
                    % {"line": line, "sheet": sheet,
                       "max": number_format(MAX_CELL_CHARACTERS, force_grouping=True)}
                )
        while values and not cell_text(values[-1]):
            values.pop()
        if len(values) > MAX_COLUMNS:
            raise SpreadsheetError(
                _("The file has %(count)d columns; an import reads at most %(max)d.")
                % {"count": len(values), "max": MAX_COLUMNS}
            )
        if first is None:
            first = line
            if values and isinstance(values[0], str) and values[0].startswith("\ufeff"):
                values[0] = values[0][1:]
        found.append(SheetRow(line, ["" if cell is None else cell for cell in values], hidden))
    return found


def read_csv_sheets(data: bytes | None, *, max_rows: int | None = None) -> list[Sheet]:
    """A CSV file as one sheet of non-blank rows."""
    data = _check_size(data)
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(
            _("This is an Excel workbook (.xlsx), not a CSV file: choose the format “xlsx”.")
        )
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _not_a_spreadsheet(what)
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    try:
        rows = _sheet_rows(((line, raw, False) for line, raw in enumerate(reader, start=1)),
                           max_rows=max_rows or import_max_rows())
    except csv.Error as error:
        raise SpreadsheetError(
            _("Line %(line)d of the file could not be read as CSV (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None
    if not rows:
        raise SpreadsheetError(_("The file is empty."))
    return [Sheet(name="", rows=rows)]


def _xlsx_rows(book, sheet):
    """(line, values, hidden) of a sheet, streamed. A formula cell gives the result the
    spreadsheet application saved with it (as a person sees it), or an `UncachedFormula` when
    there is none; a text cell that starts like a formula is literal text: marked so with a
    leading apostrophe, as in CSV."""
    from openpyxl.worksheet._reader import WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["data_type"] == "f":
                formula = cell["value"] if isinstance(cell["value"], str) else "="
                self.data_only = True
                try:
                    cell = super().parse_cell(element)
                finally:
                    self.data_only = False
                if cell["value"] is None:
                    cell["value"] = UncachedFormula(formula)
                    return cell
            if isinstance(cell["value"], str) and cell["value"].startswith(FORMULA_TRIGGERS):
                cell["value"] = "'" + cell["value"]
            return cell

    with sheet._get_source() as source:
        parser = Parser(source, sheet._shared_strings, data_only=False, epoch=book.epoch,
                        date_formats=book._date_formats,
                        timedelta_formats=book._timedelta_formats)
        for line, cells in parser.parse():
            values = []
            for cell in cells:
                column = cell["column"]
                if column > MAX_COLUMNS + 1:
                    values.append(cell["value"])  # refused as too many columns if not blank
                    continue
                while len(values) < column - 1:
                    values.append(None)
                values.append(cell["value"])
            attributes = parser.row_dimensions.get(str(line), {})
            hidden = str(attributes.get("hidden", "")).lower() in ("1", "true")
            yield line, values, hidden


def read_xlsx_sheets(data: bytes | None, *, max_rows: int | None = None) -> list[Sheet]:
    """Every sheet of a workbook that has a value, hidden ones included (marked so)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    data = _check_size(data)
    if not data.startswith(b"PK\x03\x04"):
        for magic, what in _MAGIC:
            if data.startswith(magic):
                raise _not_a_spreadsheet(what)
        raise SpreadsheetError(
            _("This is not an Excel workbook (.xlsx). If it is a CSV file, choose the format "
              "“csv”.")
        )
    limit = max_rows or import_max_rows()
    try:
        _check_unpacked_size(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheets = []
            total = 0
            for position, worksheet in enumerate(book.worksheets):
                if not hasattr(worksheet, "_get_source"):
                    continue  # a chart sheet
                rows = _sheet_rows(_xlsx_rows(book, worksheet), max_rows=limit,
                                   sheet=worksheet.title)
                total += len(rows)
                if total > limit * WORKBOOK_ROWS_FACTOR:
                    # Sheets that are not imported (a reference list, last year's pledges) are
                    # read to be offered: not without end.
                    raise SpreadsheetError(
                        _("The sheets of this workbook hold more than %(max)s rows together: "
                          "keep only the sheets to import (at most %(rows)s rows), then upload "
                          "it again.")
                        % {"max": number_format(limit * WORKBOOK_ROWS_FACTOR,
                                                force_grouping=True),
                           "rows": number_format(limit, force_grouping=True)}
                    )
                if rows:
                    sheets.append(Sheet(name=worksheet.title, rows=rows, position=position,
                                        hidden=worksheet.sheet_state != "visible"))
        finally:
            book.close()
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError, ValueError,
            TypeError):
        raise SpreadsheetError(
            _("This Excel file could not be read: open it in Excel or LibreOffice, save it again "
              "as .xlsx (or as CSV), then upload it again.")
        ) from None
    if not sheets:
        raise SpreadsheetError(_("The file is empty."))
    return sheets


def read_sheets(data: bytes | None, *, xlsx: bool, max_rows: int | None = None) -> list[Sheet]:
    reader = read_xlsx_sheets if xlsx else read_csv_sheets
    return reader(data, max_rows=max_rows)


def dataset_from_rows(headers: list[str], rows: list[list], lines: list[int]) -> tablib.Dataset:
    """A tablib Dataset of the given headings and rows; `dataset.line_numbers` keeps the line
    of every row in the file, for messages."""
    dataset = tablib.Dataset(headers=headers)
    width = len(headers)
    for values in rows:
        values = list(values[:width]) + [""] * (width - len(values))
        dataset.append(values)
    dataset.line_numbers = list(lines)
    return dataset


def first_row_dataset(sheet: Sheet) -> tablib.Dataset:
    """The sheet's first row as the headings (for a plain `create_dataset`): blank and repeated
    headings are refused, values beyond the headings too."""
    header, *rows = sheet.rows
    headers = [cell_text(cell) for cell in header.cells]
    blank = [str(number) for number, name in enumerate(headers, 1) if not name]
    for row in rows:
        if any(cell_text(cell) for cell in row.cells[len(headers):]):
            raise SpreadsheetError(
                _("Line %(line)d has more values than there are column headings in line "
                  "%(heading)d, the row taken as the headings.")
                % {"line": row.line, "heading": header.line}
            )
    if blank:
        raise SpreadsheetError(
            _("Column %(columns)s has no heading: give every column a heading in the first row, "
              "or delete the column.") % {"columns": ", ".join(blank)}
        )
    seen = set()
    for name in headers:
        key = normalise_heading(name)
        if key in seen:
            raise SpreadsheetError(
                _("The column “%(name)s” appears twice: keep only one.") % {"name": name}
            )
        seen.add(key)
    if not rows:
        raise SpreadsheetError(_("The file has column headings but no rows to import."))
    return dataset_from_rows(headers, [row.cells for row in rows], [row.line for row in rows])


def read_csv(data: bytes | None, *, max_rows: int | None = None) -> tablib.Dataset:
    """A CSV file with its headings in its first row (spreadsheets.tables finds them anywhere)."""
    return first_row_dataset(read_csv_sheets(data, max_rows=max_rows)[0])


def read_xlsx(data: bytes | None, *, max_rows: int | None = None) -> tablib.Dataset:
    """The first sheet of a workbook with its headings in its first row."""
    return first_row_dataset(read_xlsx_sheets(data, max_rows=max_rows)[0])


# --- Cell values ----------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: None is empty, 12.0 is "12", a date is ISO, whitespace is trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def normalise_heading(name: str) -> str:
    return re.sub(r"[\s\-_]+", "_", fold(name)).strip("_")


# Names (not long texts) are remembered: an import folds the same few names thousands of times.
_REMEMBERED_NAME_LENGTH = 200


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    return " ".join(text.casefold().split())


_fold_remembered = functools.lru_cache(maxsize=20_000)(_fold)


def fold(text: str) -> str:
    """For matching what people type: case, accents, apostrophes, dashes and spaces ignored."""
    text = str(text)
    return _fold_remembered(text) if len(text) <= _REMEMBERED_NAME_LENGTH else _fold(text)


def _name_key(text: str) -> str:
    text = fold(text).replace(".", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_name_key_remembered = functools.lru_cache(maxsize=20_000)(_name_key)


def name_key(text: str) -> str:
    """`fold`, and punctuation ignored too: "Côte-d’Ivoire" and "COTE D IVOIRE", "Lao P.D.R."
    and "Lao PDR", "Congo - Kinshasa" and "Congo-Kinshasa" are one."""
    text = str(text)
    if len(text) <= _REMEMBERED_NAME_LENGTH:
        return _name_key_remembered(text)
    return _name_key(text)


def split_list(text: str) -> list[str]:
    """Items separated by semicolons or new lines (commas are part of some names, e.g.
    “Corée, République de”)."""
    return [part.strip() for part in re.split(r"[;\n]", text or "") if part.strip()]


_TRUE = {"yes", "y", "true", "1", "x", "oui", "o", "vrai"}
_FALSE = {"no", "n", "false", "0", "non", "faux", ""}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(cell_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(
        _("“%(text)s” is not yes or no. Write yes or no (oui or non).")
        % {"text": cell_text(value)[:40]}
    )
