"""Reading uploaded files as sheets of rows: every sheet with values, hidden ones marked, hidden
rows marked, formula cells as their saved results (or named when there is none), blank rows
dropped but counted toward the limit."""

import io

import pytest
from openpyxl import Workbook

from spreadsheets.files import (
    SpreadsheetError,
    UncachedFormula,
    read_csv,
    read_csv_sheets,
    read_xlsx_sheets,
)
from tests.spreadsheet_workbooks import text_row, workbook


def book_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_every_sheet_with_values_hidden_ones_and_hidden_rows_marked():
    book = Workbook()
    first = book.active
    first.title = "Pledges"
    first.append(["Title row"])
    first.append([])
    first.append(["entity", "title"])
    first.append(["E", "=1+1 as text"])
    first.append(["E", "hidden"])
    first.row_dimensions[5].hidden = True
    book.create_sheet("Empty")
    notes = book.create_sheet("Notes")
    notes.append(["a note"])
    notes.sheet_state = "hidden"
    sheets = read_xlsx_sheets(book_bytes(book))
    assert [(s.name, s.hidden) for s in sheets] == [("Pledges", False), ("Notes", True)]
    rows = sheets[0].rows
    assert [(r.line, r.hidden) for r in rows] == [(1, False), (3, False), (4, False), (5, True)]
    # openpyxl writes "=1+1 as text" as a formula without a saved result.
    assert isinstance(rows[2].cells[1], UncachedFormula)


def test_a_formula_with_its_saved_result_gives_the_result():
    sheet = (
        text_row(1, ["entity", "people_to_reach"])
        + '<row r="2"><c r="A2" t="inlineStr"><is><t>E</t></is></c>'
        '<c r="B2"><f>1000*50</f><v>50000</v></c>'
        '<c r="C2" t="str"><f>"=cmd"</f><v>=cmd</v></c></row>'
    )
    [read] = read_xlsx_sheets(workbook([sheet]))
    assert read.rows[1].cells[1] == 50000
    assert read.rows[1].cells[2] == "'=cmd"  # a text result is literal text, never a formula


def test_a_csv_file_is_one_sheet_and_values_beyond_the_headings_name_the_headings_row():
    [sheet] = read_csv_sheets(b"Title\n\nentity,title\nE,T\n")
    assert [r.line for r in sheet.rows] == [1, 3, 4]
    with pytest.raises(SpreadsheetError, match="Line 2 has more values than there are column "
                                               "headings in line 1, the row taken as the"):
        read_csv(b"entity,title\na,b,c\n")


def test_the_sheets_of_a_workbook_together_are_limited(settings):
    settings.P2C_IMPORT_MAX_ROWS = 10
    book = Workbook()
    for number in range(6):
        sheet = book.active if number == 0 else book.create_sheet(f"Sheet {number}")
        for row in range(10):
            sheet.append(["entity", f"row {row}"])
    with pytest.raises(SpreadsheetError, match="The sheets of this workbook hold more than 50 "
                                               "rows together"):
        read_xlsx_sheets(book_bytes(book))
