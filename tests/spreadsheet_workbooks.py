"""Hostile .xlsx workbooks, written part by part at test time (no binary committed): a few
kilobytes of zip that hold millions of rows or hundreds of megabytes once unpacked. openpyxl
cannot write these quickly, so the parts of a minimal workbook are written here directly."""

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

_OOXML = "application/vnd.openxmlformats"
_OFFICE_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    f'ContentType="{_OOXML}-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    f'ContentType="{_OOXML}-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_OOXML}-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    f'Type="{_OFFICE_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    f'Type="{_OFFICE_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def text_row(number: int, values: list[str]) -> str:
    """A row of inline-string cells, as the sheet's XML."""
    cells = "".join(
        f'<c r="{chr(65 + column)}{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        for column, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def workbook(sheet_xml: Iterable[str]) -> bytes:
    """A one-sheet .xlsx whose sheetData is the given pieces of XML, written piece by piece (a
    sheet of hundreds of megabytes never sits in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.encode())
            for piece in sheet_xml:
                sheet.write(piece.encode())
            sheet.write(_SHEET_END.encode())
    return out.getvalue()


def workbook_with_blank_rows(header: list[str], row: list[str], blank_rows: int) -> bytes:
    """A heading row and one data row, then `blank_rows` empty rows: only the last is written,
    a reader fills the gap with empty rows as spreadsheet programs do."""
    return workbook([text_row(1, header), text_row(2, row), f'<row r="{2 + blank_rows}"/>'])


def workbook_with_a_huge_cell(header: list[str], first: str, megabytes: int) -> bytes:
    """A heading row and one row whose second cell is an inline string of `megabytes` MB."""
    chunk = "A" * (1024 * 1024)

    def pieces():
        yield text_row(1, header)
        yield f'<row r="2"><c r="A2" t="inlineStr"><is><t>{escape(first)}</t></is></c>'
        yield '<c r="B2" t="inlineStr"><is><t>'
        for _megabyte in range(megabytes):
            yield chunk
        yield "</t></is></c></row>"
    return workbook(pieces())
