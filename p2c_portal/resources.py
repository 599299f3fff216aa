"""What the secretariat's imports and exports share (django-import-export).

Every import resource of the portal (pledges.resources, members.resources) derives from
`DeskResource`, which:
- maps the column headings people write ("Title", "title", "TITLE ") to the resource's columns
  and refuses unknown columns with the list of known ones;
- refuses files above the row limit (p2c_portal.spreadsheets.import_max_rows);
- cleans every cell the same way: trimmed; a leading apostrophe before = + - @ is removed (that is
  how exports mark text that starts like a formula); a cell that a spreadsheet would run as a
  formula is refused;
- refuses two rows of one file that describe the same record (natural key);
- validates the model (full_clean) and lists every error of every row;
- skips rows that change nothing, so that re-importing an export changes nothing;
- keeps many-to-many values and child rows ("stashed" columns) until the record is saved.

The import itself is one transaction (see p2c_portal.admin_desk): one bad row, nothing imported.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field
from import_export.formats import base_formats

from .spreadsheets import (
    SpreadsheetError,
    cell_text,
    fold,
    import_max_rows,
    looks_like_formula,
    normalise_heading,
    parse_bool,
    parse_date,
    read_csv,
    read_xlsx,
    split_list,
    spreadsheet_safe,
    spreadsheet_unescape,
)

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
    without case, accents or extra spaces. Built once per import."""

    def __init__(self, what: str, entries):
        self.what = what
        self._map: dict[str, set] = {}
        self._objects: dict = {}
        for obj, names in entries:
            self._objects[obj.pk] = obj
            for name in names:
                if name not in (None, ""):
                    self._map.setdefault(fold(str(name)), set()).add(obj.pk)

    def find(self, text: str):
        pks = self._map.get(fold(text), set())
        if len(pks) == 1:
            return self._objects[next(iter(pks))]
        if len(pks) > 1:
            raise ValueError(
                _("“%(text)s” matches several %(what)s: write it in full or use its code.")
                % {"text": text, "what": self.what}
            )
        return None

    def get(self, text: str):
        found = self.find(text)
        if found is None:
            raise ValueError(_("Unknown %(what)s: “%(text)s”.") % {"what": self.what,
                                                                  "text": text[:80]})
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
            raise ValueError(
                _("Unknown %(what)s: %(items)s. Separate several with semicolons (;).")
                % {"what": self.what, "items": ", ".join(f"“{u[:80]}”" for u in unknown)}
            )
        return list(dict.fromkeys(found))


# --- Widgets: one per kind of cell ----------------------------------------------------------------


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A code of a TextChoices, written as the code or its English or French label."""

    def __init__(self, choices, *, multiple: bool = False, **kwargs):
        self.choices = choices
        self.multiple = multiple
        super().__init__(**kwargs)

    def _index(self) -> dict[str, str]:
        if getattr(self, "_cached_index", None) is not None:
            return self._cached_index
        index = {}
        for code, label in self.choices.choices:
            index[fold(code)] = code
            for language in ("en", "fr"):
                with translation.override(language):
                    text = str(label)
                index.setdefault(fold(text), code)
                index.setdefault(fold(text.split(" (")[0]), code)
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


class BooleanWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_bool(value)

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return bool(value)
        return "yes" if value else "no"


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.isoformat()


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
        super().__init__(*args, **kwargs)


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
        """The value now stored, comparable with what `clean` returns."""
        if instance.pk is None:
            return set()
        return set(getattr(instance, self.attribute).values_list("pk", flat=True))

    def comparable(self, value):
        return {obj.pk for obj in value}

    def apply(self, instance, value, *, new: bool) -> list:
        """Store the value; return the related objects now stored."""
        manager = getattr(instance, self.attribute)
        if new:
            if value:
                manager.add(*value)
        else:
            manager.set(value)
        return list(value)

    def remember(self, instance, objects: list) -> None:
        """Put what was just stored in the instance's prefetch cache, so that reading it back
        (the completeness check) costs no query."""
        manager = getattr(instance, self.attribute)
        cache_name = getattr(manager, "prefetch_cache_name", None) or (
            manager.field.remote_field.cache_name
        )
        queryset = manager.all()
        queryset._result_cache = list(objects)
        queryset._prefetch_done = True
        if not hasattr(instance, "_prefetched_objects_cache"):
            instance._prefetched_objects_cache = {}
        instance._prefetched_objects_cache[cache_name] = queryset


def _comparable_text(value):
    # Line endings and surrounding spaces are not changes (web forms store CRLF, files LF).
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


# --- The resource ---------------------------------------------------------------------------------


class DeskResource(resources.ModelResource):
    """Base of the portal's import resources; subclasses define the columns and:

    - `natural_key(row) -> tuple | None`: what identifies a record in a row (duplicate rows);
    - `find_existing(row)`: the record a row updates, or None for a new one (ValueError/
      ValidationError with a message when the row is ambiguous);
    - `describe_key(row) -> str`: the key in words, for messages.
    """

    # Model fields never checked by full_clean on import (set by the portal, not the file).
    not_imported: tuple[str, ...] = ()

    class Meta:
        use_transactions = True
        skip_diff = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        import_id_fields: list[str] = []

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.user = None
        self.file_name = ""
        self._seen: dict = {}
        self._lines: list[int] = []
        self._indexes: dict = {}
        self._changed: list[str] = []

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

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user")
        self.file_name = kwargs.get("file_name") or ""
        self._lines = list(getattr(dataset, "line_numbers", []) or [])
        try:
            self._check_file(dataset)
        except SpreadsheetError:
            del dataset[0 : len(dataset)]  # nothing else to report: fix the file first
            raise

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

    # --- each row

    def line_of(self, row_number: int) -> int:
        if 0 < row_number <= len(self._lines):
            return self._lines[row_number - 1]
        return row_number + 1  # the heading is line 1

    def before_import_row(self, row, **kwargs):
        errors = {}
        for column, value in list(row.items()):
            if not isinstance(value, str):
                continue
            text, literal = spreadsheet_unescape(value.strip())
            if not literal and looks_like_formula(text):
                errors[column] = ValidationError(
                    _("“%(text)s” looks like a spreadsheet formula: the import does not run "
                      "formulas. Type the value itself, or start the cell with an apostrophe (') "
                      "to keep it as text.") % {"text": text[:40]}
                )
            row[column] = text
        if errors:
            raise ValidationError(errors)
        key = self.natural_key(row)
        if key is not None:
            line = self.line_of(kwargs.get("row_number", 0))
            if key in self._seen:
                raise ValidationError(
                    _("This row repeats line %(line)d (%(key)s): keep only one of them.")
                    % {"line": self._seen[key], "key": self.describe_key(row)}
                )
            self._seen[key] = line

    def natural_key(self, row):
        return None

    def describe_key(self, row) -> str:
        return ""

    def find_existing(self, row):
        return None

    def get_instance(self, instance_loader, row):
        return self.find_existing(row)

    def init_instance(self, row=None):
        return self._meta.model()

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_new = new
        instance._import_snapshot = {
            name: getattr(instance, field.compare or field.attribute, None)
            for name, field in self.fields.items()
            if not field.readonly and not isinstance(field, StashedColumn) and field.attribute
        }

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.readonly:
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        self._changed = []
        instance._import_changed = set()
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
        `check_constraints` in Python (Django would run one query per constraint and row)."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors.keys(), *self.not_imported],
                validate_unique=validate_unique,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field, message in self.check_constraints(instance).items():
            if field not in errors:
                errors[field] = [message]
        if errors:
            raise ValidationError(errors)

    def check_constraints(self, instance) -> dict[str, str]:
        """{column: message} for the model's check constraints a row breaks."""
        return {}

    def after_save_instance(self, instance, row, **kwargs):
        pending = getattr(instance, "_import_pending", {})
        changed = getattr(instance, "_import_changed", set())
        for field in self.fields.values():
            if isinstance(field, StashedColumn) and field.attribute in pending:
                value = pending[field.attribute]
                if instance._import_new or field.attribute in changed:
                    field.remember(instance, field.apply(instance, value,
                                                         new=instance._import_new))

    def after_import_row(self, row, row_result, **kwargs):
        row_result.line = self.line_of(kwargs.get("row_number", 0))
        row_result.changed_columns = list(self._changed)


def row_error(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})
