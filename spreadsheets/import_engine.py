"""What the secretariat's imports and exports share (django-import-export).

Every import resource of the portal (pledges.resources, members.resources) derives from
`DeskResource`, which:
- maps the column headings people write ("Title", "title", "TITLE ") to the resource's columns
  and refuses unknown columns with the list of known ones;
- refuses files above the row limit (spreadsheets.files.import_max_rows);
- cleans every cell the same way: trimmed; a leading apostrophe before = + - @ is removed (that is
  how exports mark text that starts like a formula); a cell that a spreadsheet would run as a
  formula is refused;
- refuses two rows of one file that describe the same record (natural key);
- validates the model (full_clean) and lists every error of every row;
- skips rows that change nothing, so that re-importing an export changes nothing;
- keeps many-to-many values and child rows ("stashed" columns) until the record is saved.

The import itself is one transaction (see spreadsheets.admin_desk): one bad row, nothing imported.
So that a file of the largest size is imported well within a web request, the number of queries
does not grow with the number of rows: the records the file updates are read together before the
first row (`prefetch_existing`), related records are found in indexes built once, and every row is
checked first and written with the others at the end (`write_staged`: bulk inserts and updates of
the records, their history rows, many-to-many rows and child rows). Rows are not wrapped in a
savepoint each; nothing is written while they are read, and nothing at all if one is bad.
"""

import datetime
import difflib
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import connections, models
from django.db.models import Expression
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field
from import_export.formats import base_formats
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from .files import (
    SpreadsheetError,
    UncachedFormula,
    cell_text,
    fold,
    import_max_rows,
    looks_like_formula,
    name_key,
    normalise_heading,
    parse_bool,
    read_csv,
    read_xlsx,
    split_list,
    spreadsheet_safe,
    spreadsheet_unescape,
)
from .periods import describe_date, read_date

# Rows a bulk insert or update of an import sends in one statement.
WRITE_BATCH = 500


class _ValueByPrimaryKey(Expression):
    """CASE id WHEN 1 THEN … WHEN 2 THEN … END: one field's values for many rows, compiled as
    they are. Django's bulk_update builds and resolves a When(pk=…) expression for every row
    and field: seconds of Python for the thousands of cells of one import."""

    def __init__(self, field, values: list[tuple]):
        super().__init__(output_field=field)
        self.values = values

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False,
                           for_save=False):
        return self  # plain values: nothing to resolve

    def as_sql(self, compiler, connection):
        pk = compiler.query.get_meta().pk
        params = []
        for pk_value, value in self.values:
            params.append(pk.get_db_prep_value(pk_value, connection))
            params.append(self.output_field.get_db_prep_save(value, connection))
        whens = " ".join(["WHEN %s THEN %s"] * len(self.values))
        sql = f"CASE {connection.ops.quote_name(pk.column)} {whens} END"
        if connection.features.requires_casted_case_in_updates:
            sql = f"CAST({sql} AS {self.output_field.cast_db_type(connection)})"
        return sql, params


def bulk_update(model, objs: list, fields: list[str]) -> None:
    """`QuerySet.bulk_update` (the attribute values of `objs` written to the columns `fields`),
    in one UPDATE statement per batch."""
    concrete = [model._meta.get_field(name) for name in fields]
    if not concrete:
        return
    # Two values a row and field, and the primary keys again in the WHERE clause.
    limit = connections[model._base_manager.db].features.max_query_params
    size = max(1, min(WRITE_BATCH, limit // (2 * len(concrete) + 1))) if limit else WRITE_BATCH
    for start in range(0, len(objs), size):
        batch = objs[start : start + size]
        model._base_manager.filter(pk__in=[obj.pk for obj in batch]).update(**{
            field.name: _ValueByPrimaryKey(
                field, [(obj.pk, getattr(obj, field.attname)) for obj in batch]
            )
            for field in concrete
        })


# --- Formats --------------------------------------------------------------------------------------


class ImportCSV(base_formats.CSV):
    """CSV as people save it: UTF-8 with or without BOM, Latin-1/Windows-1252, comma, semicolon
    or tab separated. Read as bytes: the encoding is worked out here, not assumed."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return read_csv(in_stream)


class ImportXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        return read_xlsx(in_stream)


def _safe_dataset(dataset, *, xlsx: bool):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    safe = dataset.__class__(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        cells = []
        for value in row:
            if isinstance(value, str):
                if xlsx:
                    value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
                value = spreadsheet_safe(value)
            cells.append(value)
        safe.append(cells)
    return safe


class SafeCSV(base_formats.CSV):
    """Every text cell formula-safe; a byte-order mark so that Excel reads the accents."""

    native_types = False

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + _safe_dataset(dataset, xlsx=False).export("csv", **kwargs)


class SafeXLSX(base_formats.XLSX):
    """Every text cell formula-safe and stored as text; numbers and dates as native cells."""

    native_types = True

    def export_data(self, dataset, **kwargs):
        return _safe_dataset(dataset, xlsx=True).export("xlsx", **kwargs)


class PlainJSON(base_formats.JSON):
    """JSON is read by programs, not spreadsheets: values exactly as stored."""

    native_types = False


IMPORT_FORMATS = [ImportCSV, ImportXLSX]
EXPORT_FORMATS = [SafeCSV, SafeXLSX, PlainJSON]


# --- Finding records by what people write ---------------------------------------------------------


class NameIndex:
    """Records found by any of their names (codes, English and French names...), compared
    without case, accents or extra spaces (`key`: spreadsheets.files.fold, or name_key to ignore
    punctuation too). Built once per import. An unknown name is reported with the nearest
    known ones, by their `label` (default: str)."""

    # Unknown names given suggestions in one import (each costs a scan of every name).
    SUGGESTED_NAMES = 200

    def __init__(self, what: str, entries, *, key=fold, label=str):
        self.what = what
        self.key = key
        self.label = label
        self._map: dict[str, set] = {}
        self._objects: dict = {}
        self._suggested: dict[str, list[str]] = {}
        for obj, names in entries:
            self._objects[obj.pk] = obj
            for name in names:
                if name not in (None, ""):
                    self._map.setdefault(key(str(name)), set()).add(obj.pk)

    def records(self) -> list:
        return list(self._objects.values())

    def find(self, text: str):
        pks = self._map.get(self.key(text), set())
        if len(pks) == 1:
            return self._objects[next(iter(pks))]
        if len(pks) > 1:
            names = sorted({self.label(self._objects[pk]) for pk in pks})
            raise ValueError(
                _("“%(text)s” could be any of %(names)s: write the name in full or use the "
                  "code.") % {"text": text, "names": "; ".join(names[:5])}
            )
        return None

    def suggestions(self, text: str) -> list[str]:
        """The labels of up to three records whose names are nearest to `text`."""
        key = self.key(text)
        if key not in self._suggested:
            if len(self._suggested) >= self.SUGGESTED_NAMES:
                return []
            labels = []
            for near in difflib.get_close_matches(key, self._map.keys(), n=10, cutoff=0.75):
                pks = self._map[near]
                if len(pks) == 1:
                    label = self.label(self._objects[next(iter(pks))])
                    if label not in labels:
                        labels.append(label)
            self._suggested[key] = labels[:3]
        return self._suggested[key]

    def unknown(self, text: str) -> str:
        """ "“Tanzanai” (did you mean United Republic of Tanzania?)"."""
        near = self.suggestions(text)
        if near:
            return _("“%(text)s” (did you mean %(names)s?)") % {
                "text": text[:80], "names": "; ".join(near)}
        return _("“%(text)s”") % {"text": text[:80]}

    def get(self, text: str):
        found = self.find(text)
        if found is None:
            raise ValueError(_("Unknown %(what)s: %(text)s.") % {"what": self.what,
                                                               "text": self.unknown(text)})
        return found

    def get_many(self, text: str) -> list:
        """Items separated by semicolons or new lines; an item that is not a name but a list
        separated by commas ("Rwanda, Kenya") is read as such when every part is a name."""
        found, unknown = [], []
        for item in split_list(text):
            obj = self.find(item)
            if obj is None and "," in item:
                parts = [self.find(part.strip()) for part in item.split(",") if part.strip()]
                if parts and all(parts):
                    found.extend(parts)
                    continue
            if obj is None:
                unknown.append(item)
            else:
                found.append(obj)
        if unknown:
            raise self.unknown_items(unknown)
        return list(dict.fromkeys(found))

    def unknown_items(self, items: list[str]) -> ValueError:
        return ValueError(
            _("Unknown %(what)s: %(items)s. Separate several with semicolons (;).")
            % {"what": self.what, "items": ", ".join(self.unknown(u) for u in items)}
        )

    def readings(self, text: str) -> list[tuple[str, str]]:
        """(item as written, label of the record it names) for each item of a cell."""
        pairs = []
        for item in split_list(text):
            try:
                obj = self.find(item)
            except ValueError:
                obj = None
            if obj is not None:
                pairs.append((item, self.label(obj)))
        return pairs


# --- Widgets: one per kind of cell ----------------------------------------------------------------


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A code of a TextChoices, written as the code, its label in any of the portal's languages,
    or one of `synonyms` ({code: (words people write for it)}, e.g. "Subvention" for a grant)."""

    def __init__(self, choices, *, multiple: bool = False, synonyms=None, **kwargs):
        self.choices = choices
        self.multiple = multiple
        self.synonyms = synonyms or {}
        super().__init__(**kwargs)

    def _index(self) -> dict[str, str]:
        if getattr(self, "_cached_index", None) is not None:
            return self._cached_index
        index = {}
        # English and French first: where two languages' labels collide, theirs win.
        languages = dict.fromkeys(["en", "fr", *(code for code, _name in settings.LANGUAGES)])
        for code, label in self.choices.choices:
            index[fold(code)] = code
            for language in languages:
                with translation.override(language):
                    text = str(label)
                index.setdefault(fold(text), code)
                index.setdefault(fold(text.split(" (")[0]), code)
        for code, words in self.synonyms.items():
            for word in words:
                index.setdefault(fold(word), code)
        self._cached_index = index
        return index

    def _one(self, text: str, index) -> str:
        code = index.get(fold(text))
        if code is None:
            raise ValueError(
                _("“%(text)s” is not one of: %(choices)s.")
                % {"text": text[:80], "choices": ", ".join(self.choices.values)}
            )
        return code

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        index = self._index()
        if self.multiple:
            return list(dict.fromkeys(self._one(item, index) for item in split_list(text)))
        return self._one(text, index) if text else ""

    def render(self, value, obj=None, **kwargs):
        if self.multiple:
            return "; ".join(value or [])
        return value or ""

    def describe(self, value, cleaned, row=None):
        """The choice's label in the page's language, item by item."""
        index = self._index()
        items = split_list(cell_text(value)) if self.multiple else [cell_text(value)]
        # A code is written as stored: nothing to show.
        return [(item, str(self.choices(index[fold(item)]).label)) for item in items
                if fold(item) in index and fold(item) != fold(index[fold(item)])]


class BooleanWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_bool(value)

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return bool(value)
        return "yes" if value else "no"

    def describe(self, value, cleaned, row=None):
        return _("yes") if cleaned else _("no")


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateWidget(widgets.Widget):
    """A day, or a month, quarter, half-year or year (spreadsheets.periods): its first day, or
    its last for an end date (`end=True`)."""

    def __init__(self, *, end: bool = False, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        return read_date(value, end=self.end)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.isoformat()

    def describe(self, value, cleaned, row=None):
        if _ISO_DAY.match(cell_text(value)):
            return ""  # the form the portal stores and exports: nothing was read into it
        return describe_date(value, end=self.end)


class DateTimeWidget(widgets.Widget):
    """Export only: in UTC; naive in workbooks (Excel has no time zones)."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        if kwargs.get("force_native_type"):
            return value.replace(tzinfo=None, microsecond=0)
        return value.strftime("%Y-%m-%d %H:%M UTC")


class DecimalWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else format(value, "f")


class IndexWidget(widgets.Widget):
    """A related record (or several), found by name through a NameIndex the resource builds
    on first use; rendered by `render_one` (default: str)."""

    def __init__(self, *, multiple: bool = False, render_one=str, **kwargs):
        self.multiple = multiple
        self.render_one = render_one
        self.index_factory = None  # set by the resource: () -> NameIndex
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        index = self.index_factory()
        if self.multiple:
            return index.get_many(text)
        return index.get(text) if text else None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if self.multiple:
            return "; ".join(self.render_one(item) for item in value.all())
        return self.render_one(value)

    def describe(self, value, cleaned, row=None):
        """The records found, by their labels (item by item for several)."""
        index = self.index_factory()
        if self.multiple:
            return index.readings(cell_text(value))
        return index.label(cleaned) if cleaned is not None else ""


def decimal_from_cell(value, parse) -> Decimal:
    """Numbers from a workbook as they are; text through `parse` (pledges.amounts rules)."""
    if isinstance(value, bool):
        raise ValueError(_("“%(text)s” is not a number.") % {"text": value})
    if isinstance(value, (int, float, Decimal)):
        try:
            return Decimal(cell_text(value))
        except InvalidOperation:
            raise ValueError(_("“%(text)s” is not a number.") % {"text": value}) from None
    amount, _currency = parse(cell_text(value))
    return amount


# --- Fields ---------------------------------------------------------------------------------------


class Column(Field):
    """A column of the file. `aliases` are other headings accepted on import; `compare` is the
    attribute compared to tell whether a row changes anything (e.g. "event_id")."""

    def __init__(self, *args, aliases=(), compare=None, **kwargs):
        self.aliases = tuple(aliases)
        self.compare = compare
        self.last_cleaned = None
        super().__init__(*args, **kwargs)

    def clean(self, row, **kwargs):
        # Kept for the preview, which shows what each cell was read as.
        self.last_cleaned = super().clean(row, **kwargs)
        return self.last_cleaned


class StashedColumn(Column):
    """Many-to-many values and child rows: cleaned with the row (so that their errors are listed
    with the others), applied once the record is saved, and only when they change."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if self.readonly:
            return
        if not hasattr(instance, "_import_pending"):
            instance._import_pending = {}
        instance._import_pending[self.attribute] = self.clean(row, **kwargs)

    def current(self, instance):
        """The value now stored, comparable with what `clean` returns (read from the prefetch
        cache that `prefetch_existing` filled)."""
        if instance.pk is None:
            return set()
        return {obj.pk for obj in getattr(instance, self.attribute).all()}

    def comparable(self, value):
        return {obj.pk for obj in value}

    def apply_many(self, model, items: list[tuple]) -> None:
        """Store the values of many saved records at once: `items` is a list of (record, value,
        new). The many-to-many rows of a record that existed are replaced."""
        field = model._meta.get_field(self.attribute)
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        replaced = [instance.pk for instance, _value, new in items if not new]
        if replaced:
            through.objects.filter(**{f"{source}__in": replaced}).delete()
        through.objects.bulk_create(
            [
                through(**{source: instance.pk, target: obj.pk})
                for instance, value, _new in items
                for obj in value
            ],
            batch_size=WRITE_BATCH,
        )


def _comparable_text(value):
    # Line endings and surrounding spaces are not changes (web forms store CRLF, files LF).
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


# --- The resource ---------------------------------------------------------------------------------


class DeskResource(resources.ModelResource):
    """Base of the portal's import resources; subclasses define the columns and:

    - `natural_key(row) -> tuple | None`: what identifies a record in a row (duplicate rows);
    - `prefetch_existing(rows)`: read the records the file's rows update, in a few queries
      before the first row (`rows`: every row of the file, its cells cleaned);
    - `find_existing(row)`: the record a row updates (from what `prefetch_existing` read), or
      None for a new one (ValueError/ValidationError with a message when the row is ambiguous);
    - `describe_key(row) -> str`: the key in words, for messages;
    - `check_staged(instance, row)`: checks of a row once every value is set (ValidationError);
    - `before_write(new, updated)` / `after_write(new, updated)`: around the writes.
    """

    # Model fields never checked by full_clean on import (set by the portal, not the file).
    not_imported: tuple[str, ...] = ()
    # Model fields the portal changes on every update, written with the imported ones.
    bookkeeping_fields: tuple[str, ...] = ()

    class Meta:
        use_transactions = True
        # No savepoint a row: rows are only read and checked one by one; `write_staged` writes
        # them all once every row is known to be good.
        use_bulk = True
        skip_diff = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        import_id_fields: list[str] = []

    def __init__(self, *, on_row=None, **kwargs):
        super().__init__(**kwargs)
        # Called with the number of each row once read: a background import's progress.
        self.on_row = on_row
        self.user = None
        self.file_name = ""
        self.file_import = None  # the confirmed preview (spreadsheets.models.FileImport)
        self._instance = None  # the record of the row being read
        self._seen: dict = {}
        self._lines: list[int] = []
        self._origins: list[tuple[str, int]] = []  # (sheet, line) of each row
        self._several_sheets = False
        self._indexes: dict = {}
        self._changed: list[str] = []
        self._claimed: dict = {}  # primary key of a record the file updates -> (line, sheet)
        self._staged: list = []
        self._headers: list[str] = []
        self._row_number = 0
        self._readings: list[dict] = []

    def index(self, name: str, factory):
        """A NameIndex built once per import."""
        if name not in self._indexes:
            self._indexes[name] = factory()
        return self._indexes[name]

    # --- headings and the whole file

    def import_columns(self) -> list[Column]:
        return [f for f in self.fields.values() if not f.readonly]

    def known_headings(self) -> dict[str, str]:
        """Each column by its name, then by its aliases and its model field's English and French
        labels ("Type of pledge", "Type d’engagement")."""
        known = {normalise_heading(f.column_name): f.column_name for f in self.fields.values()}
        for field in self.fields.values():
            names = list(getattr(field, "aliases", ()))
            try:
                model_field = self._meta.model._meta.get_field(field.attribute or "")
            except FieldDoesNotExist:
                model_field = None
            if model_field is not None and getattr(model_field, "verbose_name", None):
                for language in ("en", "fr"):
                    with translation.override(language):
                        names.append(str(model_field.verbose_name))
            for name in names:
                known.setdefault(normalise_heading(name), field.column_name)
        return known

    def column_label(self, field) -> str:
        """A column as the secretariat reads it: its model field's label, and its name."""
        try:
            model_field = self._meta.model._meta.get_field(field.attribute or "")
        except FieldDoesNotExist:
            model_field = None
        label = str(getattr(model_field, "verbose_name", "") or "")
        if label and fold(label) != fold(field.column_name.replace("_", " ")):
            return f"{field.column_name} ({label})"
        return field.column_name

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user")
        self.file_name = kwargs.get("file_name") or ""
        self.file_import = kwargs.get("file_import")
        self._lines = list(getattr(dataset, "line_numbers", []) or [])
        self._origins = list(getattr(dataset, "origins", []) or [])
        # Counted once: per row it made a 20,000-row file quadratic (BENCHMARKS.md).
        self._several_sheets = len({sheet for sheet, _line in self._origins}) > 1
        try:
            self._check_file(dataset)
        except SpreadsheetError:
            del dataset[0 : len(dataset)]  # nothing else to report: fix the file first
            raise
        self._headers = list(dataset.headers or [])
        rows = []
        for values in dataset:
            row = dict(zip(dataset.headers, values, strict=False))
            self.clean_cells(row)
            rows.append(row)
        self.prefetch_existing(rows)

    def prefetch_existing(self, rows: list[dict]) -> None:
        """Read the records that `rows` update, so that `find_existing` costs no query."""

    def _check_file(self, dataset):
        if len(dataset) > import_max_rows():
            raise SpreadsheetError(
                _("This file has %(count)d rows: an import takes at most %(max)d rows at a time. "
                  "Split it into several files and import them one after the other.")
                % {"count": len(dataset), "max": import_max_rows()}
            )
        known = self.known_headings()
        headers, unknown = [], []
        for heading in dataset.headers or []:
            column = known.get(normalise_heading(heading or ""))
            if column is None:
                unknown.append(heading)
            headers.append(column or heading)
        if unknown:
            raise SpreadsheetError(
                _("Unknown columns: %(unknown)s. This import reads these columns: %(known)s. "
                  "Rename or delete the others.")
                % {
                    "unknown": ", ".join(f"“{h}”" for h in unknown),
                    "known": ", ".join(f.column_name for f in self.import_columns()),
                }
            )
        for heading in headers:
            if headers.count(heading) > 1:
                raise SpreadsheetError(
                    _("Two columns are both read as “%(name)s”: keep only one.")
                    % {"name": heading}
                )
        dataset.headers = headers

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        result.line_numbers = self._lines
        result.origins = list(getattr(dataset, "origins", []) or [])
        if not self._staged or result.has_errors() or result.has_validation_errors():
            return  # nothing to write, or nothing will be kept
        self.write_staged()
        for row_result in result.rows:
            # New records have their primary key now (for the admin's log entries).
            if getattr(row_result, "instance", None) is not None:
                row_result.object_id = row_result.instance.pk

    # --- writing, once every row has been checked

    def save_instance(self, instance, is_create, row, **kwargs):
        """Not written yet: checked, then kept for `write_staged`."""
        self.before_save_instance(instance, row, **kwargs)
        self.check_staged(instance, row)
        self._staged.append(instance)

    def check_staged(self, instance, row) -> None:
        """Checks of a row once every value is set; ValidationError for a bad one."""

    def write_staged(self) -> None:
        """Write every checked row: new records and their history rows in bulk inserts, updated
        ones in bulk updates, then their many-to-many values and child rows."""
        model = self._meta.model
        new = [instance for instance in self._staged if instance._import_new]
        updated = [instance for instance in self._staged if not instance._import_new]
        user = self.user if getattr(self.user, "is_authenticated", False) else None
        self.before_write(new, updated)
        if new:
            bulk_create_with_history(new, model, batch_size=WRITE_BATCH, default_user=user)
        if updated:
            # What a save() would write that an import may change: the file's columns, the
            # portal's bookkeeping, the "last change" time.
            now = timezone.now()
            fields = set(self.bookkeeping_fields) | {
                field.attribute for field in self.import_columns()
                if field.attribute and not isinstance(field, StashedColumn)
                and field.column_name in self._headers
            }
            for field in model._meta.concrete_fields:
                if getattr(field, "auto_now", False):
                    fields.add(field.name)
                    for instance in updated:
                        setattr(instance, field.attname, now)
            bulk_update(model, updated, sorted(fields))
            get_history_manager_for_model(model).bulk_history_create(
                updated, batch_size=WRITE_BATCH, update=True, default_user=user
            )
        for field in self.fields.values():
            if not isinstance(field, StashedColumn):
                continue
            items = [
                (instance, instance._import_pending[field.attribute], instance._import_new)
                for instance in self._staged
                if field.attribute in getattr(instance, "_import_pending", {})
                and (instance._import_new or field.attribute in instance._import_changed)
            ]
            if items:
                field.apply_many(model, items)
        self.after_write(new, updated)

    def before_write(self, new: list, updated: list) -> None:
        pass

    def after_write(self, new: list, updated: list) -> None:
        pass

    # --- each row

    def line_of(self, row_number: int) -> int:
        if 0 < row_number <= len(self._lines):
            return self._lines[row_number - 1]
        return row_number + 1  # the heading is line 1

    @staticmethod
    def clean_cells(row) -> dict:
        """Trim every text cell and remove the apostrophe that marks text starting like a
        formula; return {column: error} for the cells a spreadsheet would run as formulas."""
        errors = {}
        for column, value in list(row.items()):
            if isinstance(value, UncachedFormula):
                errors[column] = ValidationError(
                    _("This cell is a formula (%(formula)s) saved without its result: open the "
                      "file in Excel or LibreOffice and save it again, or type the value.")
                    % {"formula": str(value)[:40]},
                    code="formula",
                )
                row[column] = ""
                continue
            if not isinstance(value, str):
                continue
            text, literal = spreadsheet_unescape(value.strip())
            if not literal and looks_like_formula(text):
                errors[column] = ValidationError(
                    _("“%(text)s” looks like a spreadsheet formula: the import does not run "
                      "formulas. Type the value itself, or start the cell with an apostrophe (') "
                      "to keep it as text.") % {"text": text[:40]},
                    code="formula",
                )
            row[column] = text
        return errors

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number", 0)
        self._readings = []
        errors = self.clean_cells(row)
        if errors:
            raise ValidationError(errors)
        key = self.natural_key(row)
        if key is not None:
            line = self.line_of(kwargs.get("row_number", 0))
            if key in self._seen:
                raise ValidationError(self._repeats(self._seen[key], row), code="duplicate")
            self._seen[key] = (line, self._sheet_of(kwargs.get("row_number", 0)))

    def _sheet_of(self, row_number: int) -> str:
        """The sheet of a row when the file's rows come from several sheets, else ""."""
        if not self._several_sheets:
            return ""
        return self._origins[row_number - 1][0] if 0 < row_number <= len(self._origins) else ""

    def _repeats(self, first: tuple[int, str], row) -> str:
        line, sheet = first
        if sheet:
            return _("This row repeats line %(line)d of the sheet “%(sheet)s” (%(key)s): keep "
                     "only one of them.") % {"line": line, "sheet": sheet,
                                             "key": self.describe_key(row)}
        return _("This row repeats line %(line)d (%(key)s): keep only one of them.") % {
            "line": line, "key": self.describe_key(row)}

    def natural_key(self, row):
        return None

    def describe_key(self, row) -> str:
        return ""

    def find_existing(self, row):
        return None

    def get_instance(self, instance_loader, row):
        instance = self.find_existing(row)
        if instance is not None:
            # Two rows of one file never update one record (say, one by its reference, the
            # other by its title): which of them should win?
            if instance.pk in self._claimed:
                raise ValidationError(self._repeats(self._claimed[instance.pk], row),
                                      code="duplicate")
            self._claimed[instance.pk] = (self.line_of(self._row_number),
                                          self._sheet_of(self._row_number))
        return instance

    def init_instance(self, row=None):
        return self._meta.model()

    def after_init_instance(self, instance, new, row, **kwargs):
        self._instance = instance
        instance._import_new = new
        instance._import_warnings = []  # imported, but the secretariat should know (str)
        instance._import_missing = []  # imported as a draft, lacking these (str)
        instance._import_snapshot = {
            name: getattr(instance, field.compare or field.attribute, None)
            for name, field in self.fields.items()
            if not field.readonly and not isinstance(field, StashedColumn) and field.attribute
        }

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.readonly:
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)
        if field.column_name in row:
            self.note_reading(field, row)

    def note_reading(self, field, row) -> None:
        """Keep, for the preview, what a cell was read as where that is not what it says:
        "Lao PDR" → "Lao People's Democratic Republic", "Q3 2022" → "30 Sep 2022 (end of
        period)", "€2.5m" → "EUR 2,500,000". A widget says it with `describe(value, cleaned,
        row)`: a text, or (item as written, item as read) pairs for a cell of several items."""
        describe = getattr(field.widget, "describe", None)
        value = row.get(field.column_name)
        if describe is None or cell_text(value) == "":
            return
        try:
            shown = describe(value, field.last_cleaned, row)
        except ValueError:
            return  # the cell's error is reported where it was cleaned
        pairs = shown if isinstance(shown, list) else [(cell_text(value), shown)]
        for written, read in pairs:
            if read and name_key(str(read)) != name_key(written):
                self._readings.append(
                    {"column": field.column_name, "written": written, "read": str(read)}
                )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        self._changed = []
        instance._import_changed = set()  # the stashed columns that change
        if import_validation_errors:
            return False
        changed = []
        for name, field in self.fields.items():
            if field.readonly or field.column_name not in row:
                continue
            if isinstance(field, StashedColumn):
                pending = getattr(instance, "_import_pending", {})
                if field.attribute in pending and (
                    instance._import_new
                    or field.comparable(pending[field.attribute]) != field.current(instance)
                ):
                    changed.append(field.column_name)
                    instance._import_changed.add(field.attribute)
            elif field.attribute and _comparable_text(
                instance._import_snapshot.get(name)
            ) != _comparable_text(getattr(instance, field.compare or field.attribute, None)):
                changed.append(field.column_name)
        self._changed = changed
        return not instance._import_new and not changed

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Field and uniqueness validation; the models' check constraints are checked by
        `check_constraints` in Python (Django would run one query per constraint and row).
        A foreign key that is set is not looked up again: it was found in an index read from
        the database in this transaction, or it is the one stored."""
        errors = dict(import_validation_errors or {})
        found = [
            field.name for field in self._meta.model._meta.concrete_fields
            if field.many_to_one and not field.remote_field.limit_choices_to
            and getattr(instance, field.attname) is not None
        ]
        try:
            instance.full_clean(
                exclude=[*errors.keys(), *self.not_imported, *found],
                validate_unique=validate_unique,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field, message in self.check_constraints(instance).items():
            if field not in errors:
                errors[field] = [message]
        self.check_form_limits(instance, errors)
        if errors:
            # Everything wrong with the row at once: what it lacks as well as what is invalid,
            # so that fixing the cells does not bring a second wave of problems.
            incomplete = self.incomplete_despite_errors(instance, set(errors))
            if incomplete:
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    ValidationError(incomplete, code="incomplete"))
            raise ValidationError(errors)

    def incomplete_despite_errors(self, instance, invalid: set[str]) -> str:
        """For a row with invalid cells: what it also lacks, leaving out the columns already
        reported as invalid ("" when nothing)."""
        return ""

    def form_fields(self) -> dict:
        """{model field name: form field} checking each imported value as the portal's forms
        check it. By default each model field's own form field: its length (a TextField's
        max_length, which full_clean does not check), digits and bounds. A resource adds the
        fields of the forms people use (their minimums, their messages)."""
        fields = {}
        for field in self._meta.model._meta.concrete_fields:
            if field.is_relation or field.choices or field.name in self.not_imported:
                continue
            # (https: the scheme Django 6 assumes; without it a deprecation warning)
            extra = {"assume_scheme": "https"} if isinstance(field, models.URLField) else {}
            form_field = field.formfield(**extra)
            if form_field is not None:
                fields[field.name] = form_field
        return fields

    def check_form_limits(self, instance, errors: dict) -> None:
        """Add to `errors` what the forms would refuse in the row's values."""
        limits = self.index("form limits", self.form_fields)
        for field in self.import_columns():
            attribute = field.attribute
            form_field = limits.get(attribute or "")
            if (
                form_field is None or isinstance(field, StashedColumn)
                or field.column_name not in self._headers or attribute in errors
            ):
                continue
            value = getattr(instance, attribute, None)
            if value in (None, "", []):
                continue
            try:
                form_field.validate(value)
                form_field.run_validators(value)
            except ValidationError as error:
                errors[attribute] = error.error_list  # with their codes: "too long" is a kind

    def check_constraints(self, instance) -> dict[str, str]:
        """{column: message} for the model's check constraints a row breaks."""
        return {}

    def after_import_row(self, row, row_result, **kwargs):
        row_result.line = self.line_of(kwargs.get("row_number", 0))
        number = kwargs.get("row_number", 0)
        row_result.sheet = self._origins[number - 1][0] if 0 < number <= len(self._origins) \
            else ""
        row_result.changed_columns = list(self._changed)
        row_result.readings = list(self._readings)
        if row_result.import_type != row_result.IMPORT_TYPE_SKIP:
            row_result.warnings = list(getattr(self._instance, "_import_warnings", []))
            row_result.missing = list(getattr(self._instance, "_import_missing", []))
        if self.on_row is not None:
            self.on_row(number)


def row_error(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})
