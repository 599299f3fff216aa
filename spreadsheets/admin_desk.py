"""Admin mixins the secretariat's desk shares across apps.

`DeskImportExportMixin` is django-import-export's ImportExportMixin made strict:
- separate permissions: `<app>.import_<model>` and `<app>.export_<model>` (no buttons, 403
  without them), checked on every import and export URL;
- CSV and XLSX in (spreadsheets.files reads them, with clear messages for bad files);
  CSV, XLSX and JSON out, every text cell formula-safe in CSV and XLSX;
- the dry run lists every bad row with its line and column; the confirmed import runs in one
  transaction that is rolled back if any row fails, then says so (nothing is ever half imported);
- the upload is refused above MAX_FILE_BYTES before its content is read (Django streams an
  upload of more than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file); between preview and
  confirmation it waits on disk in the import storage (IMPORT_STORAGE_DIR, a volume every web
  container shares), never in Redis, and is deleted once imported; files of abandoned previews
  are deleted after a day.

`ReadOnlyHistoryMixin` makes django-simple-history's pages read only: no "Revert" (a revert would
bypass the workflow and the concurrency guard) and a history list without inline styles (CSP).
"""

import datetime
import logging

from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm, ImportForm
from import_export.results import RowResult
from import_export.tmp_storages import MediaStorage

from .files import MAX_FILE_BYTES, SpreadsheetError, import_max_rows
from .import_engine import EXPORT_FORMATS, IMPORT_FORMATS

logger = logging.getLogger(__name__)


def import_report(result) -> dict:
    """What the import page shows: every problem with its line and column, and the rows."""
    lines = list(getattr(result, "line_numbers", []) or [])

    def line(number):
        return lines[number - 1] if 0 < number <= len(lines) else number + 1

    problems = []
    for error in result.base_errors:
        problems.append({"line": None, "column": "", "message": str(error.error)})
    for invalid in result.invalid_rows:
        for column, messages_ in invalid.error_dict.items():
            for message in messages_:
                problems.append({
                    "line": line(invalid.number),
                    "column": "" if column == "__all__" else column,
                    "message": message,
                })
    for error_row in result.error_rows:
        for error in error_row.errors:
            logger.warning("import.row_failed", extra={"row": error_row.number},
                           exc_info=error.error)
            problems.append({
                "line": line(error_row.number),
                "column": "",
                "message": _("Unexpected error: %(error)s") % {"error": error.error},
            })
    problems.sort(key=lambda p: (p["line"] or 0, p["column"]))
    rows = [
        {
            "line": getattr(row, "line", None),
            "action": row.import_type,
            "record": row.object_repr or "",
            "changed": getattr(row, "changed_columns", []),
            # Cells read as something else than they say ("Q3 2022" → 30 Sep 2022).
            "readings": getattr(row, "readings", []),
        }
        for row in result.valid_rows()
    ]
    totals = result.totals
    return {
        "problems": problems,
        "rows": rows,
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
        "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
        "invalid_count": len({p["line"] for p in problems if p["line"]}),
    }


class DeskImportForm(ImportForm):
    def clean_import_file(self):
        """The size is known from the upload handler before any byte of the file is read."""
        import_file = self.cleaned_data["import_file"]
        if import_file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s MB, more than the %(max)s MB an import takes: split it "
                  "into smaller files.")
                % {"size": number_format(import_file.size / (1024 * 1024), 1),
                   "max": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return import_file


IMPORT_FOLDER = "imports"
ABANDONED_IMPORT_AGE = datetime.timedelta(days=1)


class ImportFileStorage(MediaStorage):
    """The uploaded file between preview and confirmation: a file named by a random id in the
    "import_export" storage (settings.STORAGES, a private directory that is never served)."""

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "MEDIA_FOLDER": IMPORT_FOLDER})

    def save(self, data):
        self.remove_abandoned()
        super().save(data)

    def remove_abandoned(self):
        """Files of previews that were never confirmed, after a day."""
        cutoff = timezone.now() - ABANDONED_IMPORT_AGE
        try:
            _folders, names = self._storage.listdir(IMPORT_FOLDER)
        except FileNotFoundError:
            return
        for name in names:
            path = f"{IMPORT_FOLDER}/{name}"
            try:
                if self._storage.get_modified_time(path) < cutoff:
                    self._storage.delete(path)
            except FileNotFoundError:
                pass  # another container removed it first


class DeskImportExportMixin(ImportExportMixin):
    import_formats = IMPORT_FORMATS
    export_formats = EXPORT_FORMATS
    import_template_name = "admin/desk/import.html"
    export_template_name = "admin/desk/export.html"
    export_form_class = ExportForm  # the format only: every column is exported
    tmp_storage_class = ImportFileStorage
    import_form_class = DeskImportForm
    skip_import_confirm = False
    # A template documenting the columns and the accepted forms, shown on the import page.
    import_help_template = ""

    def _has_perm(self, request, action: str) -> bool:
        opts = self.opts
        codename = get_permission_codename(action, opts)
        user = request.user
        return bool(user.is_active and user.is_staff and user.has_perm(
            f"{opts.app_label}.{codename}"))

    def has_import_permission(self, request):
        return self._has_perm(request, "import")

    def has_export_permission(self, request):
        return self._has_perm(request, "export")

    def get_import_context_data(self, **kwargs):
        return {
            "import_help_template": self.import_help_template,
            "max_rows": import_max_rows(),
        }

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", str(e))
        else:
            logger.info("import.unreadable_file", exc_info=e)
            form.add_error(
                "import_file",
                _("This file could not be read. Save it as CSV (UTF-8) or as an Excel workbook "
                  "(.xlsx), choose the matching format, then upload it again."),
            )

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # One transaction for the whole file: a row that does not validate rolls back the rest.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse) and response.context_data.get("result"):
            response.context_data["report"] = import_report(response.context_data["result"])
        return response

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirmed import: the same checks as the preview, in one transaction; if anything
        fails now (the data changed since the preview) nothing is imported and every problem is
        listed again."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        import_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_import"
        )
        confirm_form = self.create_confirm_form(request)
        formats = self.get_import_formats()
        try:
            valid = confirm_form.is_valid()
            input_format = formats[int(confirm_form.cleaned_data["format"])]() if valid else None
        except (ValueError, IndexError, KeyError):
            input_format = None
        if input_format is None:
            messages.error(request, _("This import could not be confirmed: upload the file again."))
            return HttpResponseRedirect(import_url)
        tmp_storage = self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"],
            encoding=None,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        try:
            data = tmp_storage.read()
        except FileNotFoundError:  # already imported, removed as abandoned, or a forged name
            data = None  # read_csv/read_xlsx say "no longer available: upload it again"
        try:
            dataset = input_format.create_dataset(data)
        except SpreadsheetError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(import_url)
        result = self.process_dataset(dataset, confirm_form, request, **kwargs)
        tmp_storage.remove()
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, _("Nothing was imported: fix the rows below, then upload the "
                                      "file again."))
            context = {
                **self.admin_site.each_context(request),
                **self.get_import_context_data(),
                "title": _("Import"),
                "form": self.get_import_form_class(request)(
                    self.get_import_formats(), self.get_import_resource_classes(request)
                ),
                "opts": self.opts,
                "result": result,
                "report": import_report(result),
                "media": self.media,
            }
            return TemplateResponse(request, [self.import_template_name], context)
        return self.process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _("Import finished: %(new)d new, %(updated)d updated, %(skipped)d unchanged.")
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request,
            queryset,
            force_native_type=getattr(file_format, "native_types", False),
            **kwargs,
        )
        return file_format.export_data(data)

    def init_request_context_data(self, request, form):
        context = super().init_request_context_data(request, form)
        context["export_count"] = self.get_export_queryset(request).count()
        context["changelist_query"] = request.GET.urlencode()
        return context


class ReadOnlyHistoryMixin:
    """django-simple-history's pages, read only and without inline styles."""

    object_history_list_template = "admin/desk/object_history_list.html"

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
