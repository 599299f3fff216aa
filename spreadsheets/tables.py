"""Finding the table in the workbooks people send, and reading its columns as the portal's.

A roundtable workbook is rarely a bare table: a title row above the headings ("Roundtable
pledges 2022", merged across), a row of group headings ("Pledge | | Money | |"), blank rows,
several sheets, hidden rows and sheets, headings in French. `plan_table` reads such a file as
the secretariat would:

- the **headings row** of each sheet is the row, among its first rows, with the most cells that
  are headings the import knows (its columns, aliases and labels in EN and FR); a sheet with
  none is offered but not chosen; the secretariat can choose another row;
- **sheets**: every sheet with values is offered; the ones whose headings are recognised are
  chosen; hidden sheets and hidden rows are skipped (and said so) unless included;
- **columns**: a heading the import does not know is mapped to one of its columns from its name
  (EN and FR words: "Montant", "Pays bénéficiaires") or, failing that, from its values (a column
  of dates, of country names), or ignored with a note; the secretariat can change every mapping.

Everything chosen is a `Layout`, carried from the preview to the confirmation; the rows of the
chosen sheets become one tablib Dataset in the import's columns, each row keeping its sheet and
line (`dataset.origins`) and each column its place in the sheet (`dataset.sources`), for messages
and for marking problems in the file.
"""

import difflib
import json
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from .files import (
    HEADING_SEARCH_ROWS,
    Sheet,
    SheetRow,
    cell_text,
    dataset_from_rows,
    fold,
    import_max_rows,
    normalise_heading,
)

# Values of a column read to suggest a mapping from its contents.
CONTENT_SAMPLE = 20
# Fewer values than this say too little to suggest a column from them ("x" could be "yes").
CONTENT_LEAST_VALUES = 2
# Share of a column's sampled values that a field must accept to be suggested for it.
CONTENT_AGREEMENT = 0.8
# Least score of a name suggestion (shared words over the words of the longer name).
NAME_AGREEMENT = 0.5
# Words that say nothing about which column a heading is ("Date de fin" → "fin").
STOP_WORDS = {
    "a", "an", "and", "at", "by", "de", "des", "du", "d", "en", "et", "for", "in", "is", "l",
    "la", "le", "les", "of", "on", "or", "ou", "par", "pour", "s", "sur", "the", "to", "un",
    "une", "usd", "eur", "k", "m", "no", "nr", "n",
}

HOW_KNOWN = "known"
HOW_SAVED = "saved"
HOW_NAME = "name"
HOW_CONTENT = "content"
HOW_CHOSEN = "chosen"
HOW_NONE = "none"
HOW_LABELS = {
    HOW_KNOWN: gettext_lazy("heading known to the portal"),
    HOW_SAVED: gettext_lazy("saved mapping"),
    HOW_NAME: gettext_lazy("suggested from the heading"),
    HOW_CONTENT: gettext_lazy("suggested from the values"),
    HOW_CHOSEN: gettext_lazy("chosen"),
    HOW_NONE: gettext_lazy("no matching column"),
}


@dataclass
class Layout:
    """What the secretariat chose in the preview; empty choices are worked out from the file."""

    headings: dict[str, int] = field(default_factory=dict)  # sheet name → line of its headings
    sheets: list[str] | None = None  # the sheets to import; None: those recognised
    include_hidden: bool = False
    mapping: dict[str, str] = field(default_factory=dict)  # heading key → column ("" ignores)
    add_hidden_sheets: bool = False  # hidden sheets were just included: choose recognised ones

    def to_json(self) -> str:
        return json.dumps({"headings": self.headings, "sheets": self.sheets,
                           "include_hidden": self.include_hidden, "mapping": self.mapping},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Layout":
        """A layout from a confirmation form; anything malformed is the automatic layout."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        headings = {str(k): int(v) for k, v in (data.get("headings") or {}).items()
                    if str(v).isdigit()}
        sheets = data.get("sheets")
        mapping = data.get("mapping") or {}
        return cls(
            headings=headings,
            sheets=[str(s) for s in sheets] if isinstance(sheets, list) else None,
            include_hidden=bool(data.get("include_hidden")),
            mapping={str(k): str(v) for k, v in mapping.items()} if isinstance(mapping, dict)
            else {},
        )


@dataclass
class Heading:
    """A column of the file, across the chosen sheets, and the import column it is read as."""

    key: str
    text: str
    letters: list[str]
    column: str = ""
    how: str = HOW_NONE
    samples: list = field(default_factory=list)

    @property
    def how_label(self) -> str:
        return str(HOW_LABELS[self.how])

    @property
    def label(self) -> str:
        if self.text:
            return self.text
        return _("Column %(letter)s (no heading)") % {"letter": ", ".join(self.letters)}


@dataclass
class SheetPlan:
    sheet: Sheet
    heading_row: SheetRow | None
    score: float
    chosen: bool
    candidates: list[tuple[int, str]]
    hidden_rows: list[int] = field(default_factory=list)

    @property
    def recognised(self) -> bool:
        return self.score >= 1

    @property
    def data_rows(self) -> list[SheetRow]:
        if self.heading_row is None:
            return []
        return [row for row in self.sheet.rows if row.line > self.heading_row.line]


@dataclass
class TablePlan:
    """The table found in a file: sheets, headings, mapping, notes, and the dataset to import
    (None when something at file level must be fixed first: `errors`)."""

    sheets: list[SheetPlan]
    headings: list[Heading]
    layout: Layout
    columns: list[tuple[str, str]]  # (column name, label) the import reads
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dataset: object = None

    @property
    def several_sheets(self) -> bool:
        return len([plan for plan in self.sheets if plan.chosen]) > 1

    @property
    def all_known(self) -> bool:
        """Every heading is one the portal knows: the mapping needs no look (shown folded)."""
        return all(heading.how == HOW_KNOWN for heading in self.headings)

    @property
    def headings_to_review(self) -> list[Heading]:
        """The headings in the order the secretariat checks them: those without a column and
        those suggested first, the ones the portal knows last (file order within each)."""
        order = [HOW_NONE, HOW_CONTENT, HOW_NAME, HOW_CHOSEN, HOW_SAVED, HOW_KNOWN]
        return sorted(self.headings, key=lambda heading: order.index(heading.how))

    def heading_keys(self) -> list[str]:
        return sorted(heading.key for heading in self.headings)


# --- Names ----------------------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[^\w]+", fold(text).replace("_", " "))
            if word and word not in STOP_WORDS}


def heading_key(text: str, letter: str) -> str:
    """How a heading is remembered in a mapping: its normalised text, or its column letter when
    it has none."""
    key = normalise_heading(text)
    return key if key else f"#{letter}"


@dataclass(frozen=True)
class ColumnName:
    column: str
    folded: str
    words: frozenset


def column_names(resource) -> list[ColumnName]:
    """Every name a column of the import is known by (its name, aliases, labels in EN and FR),
    with its words, worked out once per file."""
    names = []
    for key, column in resource.known_headings().items():
        text = key.replace("_", " ")
        words = frozenset(_words(text))
        if words:
            names.append(ColumnName(column, fold(text), words))
    return names


def suggest_from_name(text: str, names: list[ColumnName], taken: set[str]) -> str:
    """The column whose names share most words with the heading ("Pays bénéficiaires" →
    countries, "Titre de l'engagement" → title); "" when none shares enough. Between names
    sharing as many words, the closest spelling wins."""
    words = _words(text)
    if not words:
        return ""
    best, best_score = "", (0.0, 0.0)
    folded = fold(text)
    for name in names:
        if name.column in taken:
            continue
        common = words & name.words
        if not common:
            continue
        share = len(common) / max(len(words), len(name.words))
        if share < NAME_AGREEMENT or share < best_score[0]:
            continue
        score = (share, difflib.SequenceMatcher(None, folded, name.folded).ratio())
        if score > best_score:
            best, best_score = name.column, score
    return best


def suggest_from_values(samples: list, fields: list, taken: set[str]) -> str:
    """The first column (in the import's order) whose cell reader accepts nearly every sampled
    value: a column of dates → the first free date, of country names → countries. Columns that
    take any text are never suggested from values."""
    from .import_engine import TextWidget

    values = [value for value in samples if cell_text(value)]
    if len(values) < CONTENT_LEAST_VALUES:
        return ""
    for column in fields:
        if column.column_name in taken or type(column.widget) is TextWidget:
            continue
        accepted = 0
        for value in values:
            try:
                column.widget.clean(value, row={})
            except (ValueError, TypeError, LookupError):  # "not this column"
                pass
            else:
                accepted += 1
        if accepted / len(values) >= CONTENT_AGREEMENT:
            return column.column_name
    return ""


# --- Headings rows --------------------------------------------------------------------------------


def _row_score(row: SheetRow, known: dict[str, str], names: dict[str, list[str]]) -> float:
    """Cells that are headings the import knows count 1; cells whose words suggest one, ½."""
    score = 0.0
    for cell in row.cells:
        text = cell_text(cell)
        if not text or len(text) > 80:
            continue
        if normalise_heading(text) in known:
            score += 1
        elif suggest_from_name(text, names, set()):
            score += 0.5
    return score


def _describe_row(row: SheetRow) -> str:
    texts = [cell_text(cell) for cell in row.cells if cell_text(cell)]
    text = " | ".join(texts[:6]) + (" | …" if len(texts) > 6 else "")
    return text[:70]


def find_heading_row(sheet: Sheet, known, names, *, include_hidden: bool,
                     line: int | None = None) -> tuple[SheetRow | None, float]:
    """The chosen row, or the one among the first rows that scores best; without any known
    heading, the first row with the most values (a title or a group heading has fewer)."""
    rows = [row for row in sheet.rows if include_hidden or not row.hidden]
    if line is not None:
        for row in rows:
            if row.line == line:
                return row, _row_score(row, known, names)
    candidates = rows[:HEADING_SEARCH_ROWS]
    if not candidates:
        return None, 0.0
    scored = [(_row_score(row, known, names), row) for row in candidates]
    best_score = max(score for score, _row in scored)
    if best_score > 0:
        return next(row for score, row in scored if score == best_score), best_score
    widest = max(len([c for c in row.cells if cell_text(c)]) for row in candidates)
    return next(row for row in candidates
                if len([c for c in row.cells if cell_text(c)]) == widest), 0.0


# --- The plan -------------------------------------------------------------------------------------


def plan_table(sheets: list[Sheet], resource, layout: Layout | None = None,
               saved_mapping: dict[str, str] | None = None) -> TablePlan:
    """The table of the file read as `resource`'s columns, as `layout` says (what it leaves
    open is worked out), with the dataset to import or the file-level errors."""
    layout = layout or Layout()
    known = resource.known_headings()
    names = column_names(resource)
    fields = resource.import_columns()
    # Every column the import knows, read-only ones too (a reference identifies a record; an
    # export's computed columns are read back and ignored).
    labels = [(f.column_name, resource.column_label(f)) for f in resource.fields.values()]

    plans = []
    for sheet in sheets:
        row, score = find_heading_row(sheet, known, names, include_hidden=layout.include_hidden,
                                      line=layout.headings.get(sheet.name))
        if layout.sheets is None:
            chosen = score >= 1 and (layout.include_hidden or not sheet.hidden)
        else:
            chosen = sheet.name in layout.sheets or (
                layout.add_hidden_sheets and sheet.hidden and score >= 1)
        candidates = [(r.line, _describe_row(r)) for r in sheet.rows[:HEADING_SEARCH_ROWS]]
        plans.append(SheetPlan(sheet, row, score, chosen, candidates))
    if layout.sheets is None and not any(plan.chosen for plan in plans):
        # Nothing recognised: the first visible sheet, so that its mapping can be chosen.
        first = next((p for p in plans if not p.sheet.hidden), plans[0] if plans else None)
        if first is not None:
            first.chosen = True
    layout = Layout(
        headings={plan.sheet.name: plan.heading_row.line for plan in plans
                  if plan.heading_row is not None},
        sheets=[plan.sheet.name for plan in plans if plan.chosen],
        include_hidden=layout.include_hidden,
        mapping=dict(layout.mapping),
    )
    plan = TablePlan(sheets=plans, headings=[], layout=layout, columns=labels)
    _map_headings(plan, known, names, fields, saved_mapping or {})
    _build(plan)
    return plan


def _map_headings(plan: TablePlan, known, names, fields, saved: dict[str, str]) -> None:
    headings: dict[str, Heading] = {}
    several = len([p for p in plan.sheets if p.chosen]) > 1
    for sheet_plan in plan.sheets:
        if not sheet_plan.chosen or sheet_plan.heading_row is None:
            continue
        texts = [cell_text(cell) for cell in sheet_plan.heading_row.cells]
        data = [r for r in sheet_plan.data_rows if plan.layout.include_hidden or not r.hidden]
        width = max([len(texts)] + [len(r.cells) for r in data])
        for index in range(width):
            text = texts[index] if index < len(texts) else ""
            letter = get_column_letter(index + 1)
            values = [r.cells[index] for r in data if index < len(r.cells)
                      and cell_text(r.cells[index])]
            if not text and not values:
                continue
            key = heading_key(text, letter)
            heading = headings.setdefault(key, Heading(key=key, text=text, letters=[]))
            place = f"{letter} ({sheet_plan.sheet.label})" if several else letter
            if place not in heading.letters:
                heading.letters.append(place)
            heading.samples.extend(values[: CONTENT_SAMPLE - len(heading.samples)])
    columns = {name for name, _label in plan.columns}
    taken: set[str] = set()
    # What is saved or known first, then suggestions for the rest, in the file's order; then
    # what the secretariat chose where it differs.
    for heading in headings.values():
        if heading.key in saved and (saved[heading.key] in columns or not saved[heading.key]):
            heading.column, heading.how = saved[heading.key], HOW_SAVED
        elif heading.text and normalise_heading(heading.text) in known:
            heading.column, heading.how = known[normalise_heading(heading.text)], HOW_KNOWN
        if heading.column:
            taken.add(heading.column)
    for heading in headings.values():
        if heading.how != HOW_NONE:
            continue
        column = suggest_from_name(heading.text, names, taken) if heading.text else ""
        how = HOW_NAME
        if not column:
            column, how = suggest_from_values(heading.samples, fields, taken), HOW_CONTENT
        if column:
            heading.column, heading.how = column, how
            taken.add(column)
    chosen = plan.layout.mapping
    for heading in headings.values():
        if heading.key in chosen and chosen[heading.key] != heading.column and (
            chosen[heading.key] in columns or not chosen[heading.key]
        ):
            heading.column, heading.how = chosen[heading.key], HOW_CHOSEN
    plan.headings = list(headings.values())
    plan.layout.mapping = {heading.key: heading.column for heading in plan.headings}


def _build(plan: TablePlan) -> None:
    """The dataset of the chosen sheets in the import's columns, or the errors that stop it."""
    chosen = [p for p in plan.sheets if p.chosen]
    by_key = {heading.key: heading for heading in plan.headings}
    if not chosen:
        plan.errors.append(_("Choose at least one sheet to import."))
        return
    for sheet_plan in plan.sheets:
        if sheet_plan.sheet.hidden and not sheet_plan.chosen:
            plan.notes.append(
                _("The sheet “%(sheet)s” is hidden: it is skipped unless you include hidden "
                  "sheets and rows.") % {"sheet": sheet_plan.sheet.name}
            )
    for heading in plan.headings:
        if not heading.column:
            plan.notes.append(
                _("The column “%(heading)s” is not imported: no column of the portal was "
                  "chosen for it.") % {"heading": heading.label}
            )
    order = [name for name, _label in plan.columns]
    used = sorted({h.column for h in plan.headings if h.column}, key=order.index)
    rows, lines, origins, sources = [], [], [], {}
    for sheet_plan in chosen:
        sheet, heading_row = sheet_plan.sheet, sheet_plan.heading_row
        if heading_row is None:
            continue
        where = sheet.label
        texts = [cell_text(cell) for cell in heading_row.cells]
        places: dict[str, int] = {}
        for index in range(max([len(texts)] + [len(r.cells) for r in sheet_plan.data_rows])):
            text = texts[index] if index < len(texts) else ""
            heading = by_key.get(heading_key(text, get_column_letter(index + 1)))
            if heading is None or not heading.column:
                continue
            if heading.column in places:
                plan.errors.append(
                    _("In %(sheet)s, the columns %(first)s and %(second)s are both read as "
                      "“%(column)s”: choose another column for one of them, or ignore it.")
                    % {"sheet": where, "first": get_column_letter(places[heading.column] + 1),
                       "second": get_column_letter(index + 1), "column": heading.column}
                )
                continue
            places[heading.column] = index
            if not text:
                plan.notes.append(
                    _("In %(sheet)s, column %(letter)s has values but no heading in line "
                      "%(line)d, the row taken as the headings.")
                    % {"sheet": where, "letter": get_column_letter(index + 1),
                       "line": heading_row.line}
                )
        sources[sheet.name] = places
        for row in sheet_plan.data_rows:
            if row.hidden and not plan.layout.include_hidden:
                sheet_plan.hidden_rows.append(row.line)
                continue
            rows.append([row.cells[places[c]] if c in places and places[c] < len(row.cells)
                         else "" for c in used])
            lines.append(row.line)
            origins.append((sheet.name, row.line))
        if sheet_plan.hidden_rows:
            plan.notes.append(
                _("%(count)d hidden rows of %(sheet)s are skipped (lines %(lines)s) unless you "
                  "include hidden sheets and rows.")
                % {"count": len(sheet_plan.hidden_rows), "sheet": where,
                   "lines": ", ".join(str(n) for n in sheet_plan.hidden_rows[:20])
                   + (", …" if len(sheet_plan.hidden_rows) > 20 else "")}
            )
    if plan.errors:
        return
    if not used:
        plan.errors.append(
            _("No column of the file is read as a column of the portal: choose the row of "
              "headings, or a column of the portal for each heading.")
        )
        return
    if not rows:
        plan.errors.append(_("The file has column headings but no rows to import."))
        return
    if len(rows) > import_max_rows():
        plan.errors.append(
            _("This file has %(count)d rows: an import takes at most %(max)d rows at a time. "
              "Split it into several files and import them one after the other.")
            % {"count": len(rows), "max": import_max_rows()}
        )
        return
    dataset = dataset_from_rows(used, rows, lines)
    dataset.origins = origins
    dataset.sources = sources
    dataset.heading_lines = {p.sheet.name: p.heading_row.line for p in chosen if p.heading_row}
    plan.dataset = dataset

