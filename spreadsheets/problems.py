"""The problems of an import as the secretariat works through them: grouped by kind with their
counts, a page at a time, and as the file itself with every problem cell marked.

A problem is a dict of `spreadsheets.admin_desk.import_report`: line, column, message, kind and
sheet. Kinds are worked out from the validation error's code and column, never from its wording.
"""

import io
import math
import re

from django.utils.translation import gettext as _

from .files import spreadsheet_safe

PAGE_SIZE = 50
PROBLEM_FILL = "FFC7CE"  # the light red of spreadsheet applications' "bad" style
MISSING_CODES = {"required", "blank", "null"}


def problem_kind(code: str | None, column: str) -> str:
    if code in ("formula", "duplicate", "incomplete"):
        return code
    if code == "max_length":
        return "too_long"
    if code in MISSING_CODES:
        return "missing"
    if column:
        return f"value:{column}"
    return "row"


def kind_label(kind: str) -> str:
    labels = {
        "file": _("The file"),
        "formula": _("Formulas"),
        "duplicate": _("Repeated rows"),
        "incomplete": _("Incomplete for submission"),
        "too_long": _("Too long"),
        "missing": _("Missing required values"),
        "row": _("Other problems of a row"),
        "unexpected": _("Unexpected errors"),
    }
    if kind.startswith("value:"):
        return _("Values not understood in “%(column)s”") % {"column": kind.split(":", 1)[1]}
    return labels.get(kind, kind)


def problem_groups(problems: list[dict]) -> list[dict]:
    """Each kind once, with its count, most frequent first."""
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem["kind"]] = counts.get(problem["kind"], 0) + 1
    return [{"kind": kind, "label": kind_label(kind), "count": count}
            for kind, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def problem_page(problems: list[dict], *, kind: str = "", page: int = 1) -> dict:
    """One page of the problems (of one kind, or of all), with what the pager needs."""
    chosen = [p for p in problems if not kind or p["kind"] == kind]
    pages = max(1, math.ceil(len(chosen) / PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    return {
        "problems": chosen[start : start + PAGE_SIZE],
        "kind": kind,
        "kind_label": kind_label(kind) if kind else "",
        "page": page,
        "pages": pages,
        "count": len(chosen),
        "first": start + 1 if chosen else 0,
        "last": min(start + PAGE_SIZE, len(chosen)),
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
    }


# --- The file with its problems marked ------------------------------------------------------------


def _sheet_title(name: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", name or "")[:31] or _("Problems")[:31]


def marked_workbook(data: bytes, *, xlsx: bool, problems: list[dict], sources: dict,
                    file_name: str = "") -> bytes:
    """The file as uploaded, as a workbook, with every problem cell filled in red and a comment
    holding its messages (a problem of a whole row marks the row's first cell), and a last sheet
    listing every problem. Every text cell is formula-safe: formulas are replaced by the values
    they had, text that starts like a formula gets its apostrophe, so that opening the file runs
    nothing that came in it. `sources`: {sheet name: {column: index in the sheet}}."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .files import read_csv_sheets

    if xlsx:
        book = load_workbook(io.BytesIO(data), data_only=True)
        titles = {sheet.title: sheet.title for sheet in book.worksheets}
    else:
        book = Workbook()
        sheet = book.active
        title = _sheet_title(re.sub(r"\.[A-Za-z]+$", "", file_name))
        sheet.title = title
        for row in read_csv_sheets(data)[0].rows:
            for index, value in enumerate(row.cells, 1):
                sheet.cell(row=row.line, column=index, value=value)
        titles = {"": title}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = spreadsheet_safe(cell.value)
    fill = PatternFill("solid", fgColor=PROBLEM_FILL)
    messages: dict[tuple[str, int, int], list[str]] = {}
    listed = []
    for problem in problems:
        sheet_name = problem.get("sheet") or ""
        line = problem.get("line")
        if line is None or sheet_name not in titles:
            listed.append(("", "", problem))
            continue
        index = sources.get(sheet_name, {}).get(problem.get("column") or "", 0)
        messages.setdefault((sheet_name, line, index), []).append(problem["message"])
        listed.append((titles[sheet_name], f"{get_column_letter(index + 1)}{line}", problem))
    for (sheet_name, line, index), texts in messages.items():
        cell = book[titles[sheet_name]].cell(row=line, column=index + 1)
        cell.fill = fill
        cell.comment = Comment("\n".join(texts)[:30000], _("P2C portal"), width=320, height=160)
    summary = book.create_sheet(_sheet_title(_("Problems")))
    summary.append([_("Sheet"), _("Cell"), _("Kind"), _("Column"), _("Problem")])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for sheet_title, coordinate, problem in listed:
        summary.append([spreadsheet_safe(value) for value in (
            sheet_title, coordinate, kind_label(problem["kind"]), problem.get("column") or "",
            problem["message"])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
