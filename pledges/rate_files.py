"""Reading a file of UN operational rates of exchange, every row checked before anything is saved.

Two kinds of file are read:

- **The UN Treasury's own download** (treasury.un.org/operationalrates, "Download XML" or
  "Download Excel"): one record per country and currency with its country, currency name, ISO
  code, rate (units per US dollar) and effective date. The columns are found by their headings
  (a code: "…code…"/"ISO"; a rate: "…rate…"; an effective date: "…date…"), so that a renamed
  or reordered column does not break the upload. A monthly revision is effective on the first of
  the month, or on the last working days of the month before (31 Dec for January): a date from
  the 25th on counts for the next month. A mid-month revision (effective on another day) is left
  aside with a note: the portal keeps one rate per currency per month, the month's own.
- **A plain CSV** with the heading `currency,month,rate_per_usd`, e.g. `EUR,2022-06,0.9523`.

A rate must be a known ISO 4217 code (any CLDR knows, past or present), a month, and a plausible
positive number of units per US dollar (models.MIN/MAX_RATE_PER_USD). A row that names the same
currency and month as another with a different rate is an error too.
"""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .currencies import iso_currency_codes
from .models import MAX_RATE_PER_USD, MIN_RATE_PER_USD

MAX_FILE_BYTES = 2_000_000  # the UN file is about 30 kB; anything much larger is not one
MAX_ROWS = 5000
MONTHLY_REVISION_FROM_DAY = 25  # an effective date from the 25th on is next month's rate


class RateFileError(ValueError):
    """The file cannot be used; `errors` names each bad row (nothing was saved)."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class RateRow:
    line: int
    currency: str
    month: datetime.date
    rate_per_usd: Decimal

    def as_json(self) -> dict:
        return {"line": self.line, "currency": self.currency,
                "month": self.month.isoformat(), "rate_per_usd": str(self.rate_per_usd)}


@dataclass
class ParsedRates:
    file_format: str
    rows: list[RateRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_rates_file(file_name: str, content: bytes) -> ParsedRates:
    """The rates of a file, by its kind (from its content, then its name). Raises
    RateFileError listing every bad row."""
    if len(content) > MAX_FILE_BYTES:
        raise RateFileError([_("The file is too large for a rates file (at most 2 MB).")])
    name = file_name.lower()
    if content[:2] == b"PK" or name.endswith(".xlsx"):
        records, file_format = _xlsx_records(content), "un_xlsx"
    elif content.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] == b"<" or name.endswith(".xml"):
        records, file_format = _xml_records(content), "un_xml"
    else:
        return _checked(_csv_rows(content), "csv")
    return _checked(_treasury_rows(records), file_format)


# --- Reading each kind -------------------------------------------------------------------------

def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_rows(content: bytes) -> list[tuple[int, str, str, object, str | None]]:
    """(line, currency, month as typed, rate as typed, note) for each data row."""
    reader = csv.reader(io.StringIO(_text(content)))
    heading = [cell.strip().lower() for cell in next(reader, [])]
    if heading[:3] != ["currency", "month", "rate_per_usd"]:
        raise RateFileError([_(
            "The first line must be the heading currency,month,rate_per_usd (found: %(found)s)."
        ) % {"found": ",".join(heading)[:80] or _("an empty file")}])
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = [*cells, "", "", ""][:3]
        rows.append((line, cells[0].strip(), _month_from_text(cells[1]), cells[2].strip(),
                     None))
    return rows


def _xml_records(content: bytes) -> list[tuple[int, dict[str, object]]]:
    # The UN's file declares no document type. Refusing any declaration refuses what makes XML
    # dangerous to parse (entity expansion, external entities), as defusedxml would.
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        raise RateFileError([_("This XML file declares a document type: it is not the UN "
                               "Treasury's file.")])
    try:
        root = ElementTree.fromstring(content)  # noqa: S314  (no DTD: see above)
    except ElementTree.ParseError as error:
        raise RateFileError([_("This is not a readable XML file (%(error)s).")
                             % {"error": error}]) from None
    records = []
    for element in root.iter():
        children = list(element)
        if children and all(len(child) == 0 for child in children):
            record = {_heading(child.tag): (child.text or "").strip() for child in children}
            if _column(record, "code") and _column(record, "rate"):
                records.append((len(records) + 1, record))
    return records


def _xlsx_records(content: bytes) -> list[tuple[int, dict[str, object]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise RateFileError([_("This is not a readable Excel file (%(error)s).")
                             % {"error": error}]) from None
    headings: list[str] | None = None
    records = []
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if line > MAX_ROWS:
            break
        if headings is None:
            candidate = [_heading(str(value or "")) for value in values]
            as_record = dict.fromkeys(candidate, "")
            if _column(as_record, "code") and _column(as_record, "rate"):
                headings = candidate
            continue
        if any(value not in (None, "") for value in values):
            records.append((line, dict(zip(headings, values, strict=False))))
    if headings is None:
        raise RateFileError([_("No heading row with a currency code and a rate was found in the "
                               "first sheet.")])
    return records


def _heading(tag: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", tag.rpartition("}")[2].lower()).strip("_")


def _column(record: dict, kind: str) -> str | None:
    """The key of `record` that holds a code, a rate or a date, found by its heading."""
    for key in record:
        if kind == "code" and ("code" in key or key in ("iso", "iso_4217")) and (
            "country" not in key
        ):
            return key
        if kind == "rate" and "rate" in key and "date" not in key:
            return key
        if kind == "date" and "date" in key:
            return key
    return None


def _treasury_rows(records) -> list[tuple[int, str, object, object, str | None]]:
    if not records:
        raise RateFileError([_("No rates were found in the file: is it the UN Treasury's "
                               "operational rates of exchange?")])
    rows = []
    code_key = _column(records[0][1], "code")
    rate_key = _column(records[0][1], "rate")
    date_key = _column(records[0][1], "date")
    for line, record in records:
        effective = _date(record.get(date_key)) if date_key else None
        month, note = _month_of_effective_date(effective, record.get(date_key))
        rows.append((line, str(record.get(code_key) or "").strip(), month,
                     record.get(rate_key), note))
    return rows


# --- Dates and months ------------------------------------------------------------------------

_MONTHS = {name: number for number, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", text):
        year, month, day = map(int, match.groups())
    elif match := re.fullmatch(r"(\d{1,2})[-/. ]([A-Za-z]{3})[A-Za-z]*[-/. ,]+(\d{2}|\d{4})", text):
        day, month, year = int(match[1]), _MONTHS.get(match[2].lower(), 0), int(match[3])
        year += 2000 if year < 100 else 0
    elif match := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text):
        day, month, year = map(int, match.groups())  # the UN writes the day first
    else:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _month_of_effective_date(effective: datetime.date | None, typed) -> tuple:
    """(month, note): the month a treasury rate is for, or (None, why it is left aside)."""
    if effective is None:
        return str(typed or ""), None  # reported as a bad month by _checked
    if effective.day == 1:
        return effective, None
    if effective.day >= MONTHLY_REVISION_FROM_DAY:
        return (effective + datetime.timedelta(days=10)).replace(day=1), None
    return None, _("a mid-month revision (effective %(date)s): the portal keeps the rate "
                   "effective at the start of each month") % {"date": effective.isoformat()}


def _month_from_text(text: str):
    """A CSV month: 2022-06 or 2022-06-01; the text itself when it is not one."""
    text = (text or "").strip()
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-01)?", text):
        year, month = map(int, match.groups())
        if 1 <= month <= 12 and 1945 <= year <= 2100:
            return datetime.date(year, month, 1)
    return text


# --- Checking every row ------------------------------------------------------------------------

def _checked(rows, file_format: str) -> ParsedRates:
    if len(rows) > MAX_ROWS:
        raise RateFileError([_("The file has more than %(max)d rows.") % {"max": MAX_ROWS}])
    parsed = ParsedRates(file_format)
    errors: list[str] = []
    seen: dict[tuple[str, datetime.date], RateRow] = {}
    known = iso_currency_codes()
    for line, code, month, typed_rate, note in rows:
        where = _("Row %(line)d") % {"line": line}
        if note:
            parsed.notes.append(f"{where} ({code}): {note}")
            continue
        problems = []
        code = code.upper()
        if not code:
            problems.append(_("the currency code is missing"))
        elif code not in known:
            problems.append(_("“%(code)s” is not an ISO 4217 currency code") % {"code": code[:20]})
        if not isinstance(month, datetime.date):
            problems.append(_("“%(month)s” is not a month (write it as 2022-06)")
                            % {"month": str(month)[:20]})
        rate = _rate(typed_rate)
        if rate is None:
            problems.append(_("“%(rate)s” is not a number") % {"rate": str(typed_rate or "")[:20]})
        elif rate <= 0:
            problems.append(_("the rate must be more than zero"))
        elif not MIN_RATE_PER_USD <= rate <= MAX_RATE_PER_USD:
            problems.append(_(
                "%(rate)s units per US dollar is not a plausible rate (between %(min)s and "
                "%(max)s): is the decimal point in its place, and is it units per dollar, not "
                "dollars per unit?") % {"rate": rate, "min": MIN_RATE_PER_USD,
                                        "max": f"{MAX_RATE_PER_USD:,}"})
        elif code == "USD" and rate != 1:
            problems.append(_("a US dollar is one US dollar"))
        if problems:
            errors.append(f"{where}: {'; '.join(problems)}.")
            continue
        if code == "USD":
            continue
        row = RateRow(line, code, month, rate)
        earlier = seen.get((code, month))
        if earlier and earlier.rate_per_usd != rate:
            errors.append(_("Row %(line)d: %(code)s for %(month)s is also on row %(earlier)d with "
                            "another rate.") % {"line": line, "code": code,
                                                "month": month.strftime("%Y-%m"),
                                                "earlier": earlier.line})
            continue
        if not earlier:
            seen[(code, month)] = row
            parsed.rows.append(row)
    if errors:
        raise RateFileError(errors)
    if not parsed.rows:
        raise RateFileError([_("The file holds no rate to save.")])
    return parsed


def _rate(value) -> Decimal | None:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = str(value or "").strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal("0.000001")) if number.as_tuple().exponent < -6 else number
