"""Admin mixins the secretariat's desk shares across apps.

`DeskImportExportMixin` is django-import-export's ImportExportMixin made strict:
- separate permissions: `<app>.import_<model>` and `<app>.export_<model>` (no buttons, 403
  without them), checked on every import and export URL;
- CSV and XLSX in (spreadsheets.files reads them, with clear messages for bad files);
  CSV, XLSX and JSON out, every text cell formula-safe in CSV and XLSX;
- the dry run lists every bad row with its line and column, and each good row's warnings and, for
  a row imported as a draft, what it lacks; the confirmed import runs in one transaction that is
  rolled back if any row fails, then says so (nothing is ever half imported);
- a preview is confirmed once: it is recorded with a one-time token (spreadsheets.models.
  FileImport) that the confirmation consumes inside the import's transaction, so that a double
  click or a second tab imports nothing more and is told so, with a link to the result page of
  what was imported;
- the upload is refused above MAX_FILE_BYTES before its content is read (Django streams an
  upload of more than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file); between preview and
  confirmation it waits on disk in the import storage (IMPORT_STORAGE_DIR, a volume every web
  container shares), never in Redis, and is deleted once imported; files of abandoned previews
  are deleted after a day.

`ReadOnlyHistoryMixin` makes django-simple-history's pages read only: no "Revert" (a revert would
bypass the workflow and the concurrency guard) and a history list without inline styles (CSP).
"""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from import_export.results import RowResult
from import_export.tmp_storages import MediaStorage

from . import services
from .files import MAX_FILE_BYTES, SpreadsheetError, import_max_rows
from .import_engine import EXPORT_FORMATS, IMPORT_FORMATS
from .models import FileImport

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
            "object_id": row.object_id,
            "changed": getattr(row, "changed_columns", []),
            # Imported, with something the secretariat should know (an entity not approved).
            "warnings": [str(w) for w in getattr(row, "warnings", [])],
            # Imported as a draft of its entity, which must complete it before it is submitted.
            "missing": [str(m) for m in getattr(row, "missing", [])],
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
        "drafts": sum(1 for row in rows if row["missing"]),
        "warned": sum(1 for row in rows if row["warnings"]),
        "invalid_count": len({p["line"] for p in problems if p["line"]}),
    }


def import_outcome(result) -> dict:
    """What a confirmed import keeps (FileImport.outcome): the report without its problems."""
    report = import_report(result)
    return {key: report[key] for key in ("rows", "new", "updated", "skipped", "drafts", "warned")}


class DeskConfirmForm(ConfirmImportForm):
    """The preview's confirmation: its one-time token (spreadsheets.models.FileImport). The file
    and its format are those the preview recorded with the token, not what the form says."""

    token = forms.CharField(widget=forms.HiddenInput(), max_length=64)


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
ABANDONED_IMPORT_AGE = services.ABANDONED_AFTER


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
    confirm_form_class = DeskConfirmForm
    import_result_template_name = "admin/desk/import_result.html"
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

    # --- the one-time confirmation

    def get_confirm_form_initial(self, request, import_form):
        """The preview found nothing wrong: record it with a one-time token."""
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            file_import = services.file_import_preview(
                model=self.opts.label_lower,
                file_name=initial["original_file_name"],
                stored_name=initial["import_file_name"],
                file_format=int(initial["format"]),
                user=request.user,
            )
            initial["token"] = file_import.token
        return initial

    def _import_url(self) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_import"
        )

    def import_result_url(self, file_import: FileImport) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_import_result",
            args=[file_import.pk],
        )

    def already_imported_message(self, file_import: FileImport):
        return format_html(
            '{} <a href="{}">{}</a>',
            _("This file was already imported (%(file)s, %(when)s, by %(who)s): nothing was "
              "imported again.")
            % {
                "file": file_import.file_name,
                "when": date_format(timezone.localtime(file_import.imported_at),
                                    "DATETIME_FORMAT"),
                "who": getattr(file_import.imported_by, "email", "?"),
            },
            self.import_result_url(file_import),
            _("See what was imported."),
        )

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirmed import: the preview's token is consumed, then the same checks as the
        preview run again, all in one transaction; if anything fails now (the data changed since
        the preview) nothing is imported, the token is given back, and every problem is listed
        again. A second confirmation of the same preview imports nothing and says so."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            messages.error(request, _("This import could not be confirmed: upload the file again."))
            return HttpResponseRedirect(self._import_url())
        formats = self.get_import_formats()
        result = file_import = None
        with transaction.atomic():
            try:
                file_import = services.file_import_claim(
                    token=confirm_form.cleaned_data["token"], model=self.opts.label_lower,
                    user=request.user,
                )
            except services.AlreadyImported as done:
                messages.error(request, self.already_imported_message(done.file_import))
                return HttpResponseRedirect(self.import_result_url(done.file_import))
            except services.UnknownPreview:
                messages.error(request, _("This import could not be confirmed: upload the file "
                                          "again."))
                return HttpResponseRedirect(self._import_url())
            try:
                input_format = formats[file_import.file_format]()
            except IndexError:
                input_format = None
            tmp_storage = self.get_tmp_storage_class()(
                name=file_import.stored_name,
                encoding=None,
                read_mode=input_format.get_read_mode() if input_format else "rb",
                **self.get_tmp_storage_class_kwargs(),
            )
            try:
                data = tmp_storage.read()
            except FileNotFoundError:  # removed as abandoned
                data = None  # read_csv/read_xlsx say "no longer available: upload it again"
            try:
                if input_format is None:
                    raise SpreadsheetError(_("This import could not be confirmed: upload the file "
                                             "again."))
                dataset = input_format.create_dataset(data)
            except SpreadsheetError as error:
                transaction.set_rollback(True)
                messages.error(request, str(error))
                return HttpResponseRedirect(self._import_url())
            result = self.process_dataset(dataset, confirm_form, request,
                                          file_name=file_import.file_name,
                                          file_import=file_import, **kwargs)
            failed = result.has_errors() or result.has_validation_errors()
            if failed:
                transaction.set_rollback(True)  # the rows, and the token: nothing happened
            else:
                services.file_import_record_outcome(file_import=file_import,
                                                    outcome=import_outcome(result))
        tmp_storage.remove()
        if failed:
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
        self.generate_log_entries(result, request)
        self.add_success_message(result, request)
        return HttpResponseRedirect(self.import_result_url(file_import))

    def get_urls(self):
        return [
            path(
                "import/<int:file_import_id>/",
                self.admin_site.admin_view(self.import_result_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_result",
            ),
            *super().get_urls(),
        ]

    def import_result_view(self, request, file_import_id: int):
        """What one confirmed import did: each row, with a link to its record, the drafts and
        what they lack, the warnings."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        file_import = FileImport.objects.filter(
            pk=file_import_id, model=self.opts.label_lower, status=FileImport.Status.IMPORTED
        ).select_related("imported_by").first()
        if file_import is None:
            raise Http404
        outcome = dict(file_import.outcome or {})
        rows = []
        for row in outcome.get("rows", []):
            row = dict(row)
            if row.get("object_id") and row.get("action") in ("new", "update", "skip"):
                row["url"] = reverse(
                    f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                    args=[row["object_id"]],
                )
            rows.append(row)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Imported: %(file)s") % {"file": file_import.file_name},
            "opts": self.opts,
            "file_import": file_import,
            "outcome": outcome,
            "rows": rows,
            "import_url": self._import_url(),
        }
        return TemplateResponse(request, [self.import_result_template_name], context)

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
