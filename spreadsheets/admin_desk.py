"""Admin mixins the secretariat's desk shares across apps.

`DeskImportExportMixin` is django-import-export's ImportExportMixin made strict:
- separate permissions: `<app>.import_<model>` and `<app>.export_<model>` (no buttons, 403
  without them), checked on every import and export URL;
- CSV and XLSX in (spreadsheets.files reads them, with clear messages for bad files);
  CSV, XLSX and JSON out, every text cell formula-safe in CSV and XLSX;
- the preview finds the table in the file (spreadsheets.tables: headings row past titles and
  group headings, every sheet offered, hidden sheets and rows skipped unless included, unknown
  headings mapped to the import's columns, mappings saved per set of headings) and can be run
  again on the stored file with other choices, without a new upload;
- the dry run lists every problem of every row with its sheet, line, column and kind, a page at
  a time, each good row's warnings and, for a row imported as a draft, what it lacks, and gives
  the file back with each problem cell marked (spreadsheets.problems); the confirmed import reads
  the file as its preview did, and runs in one transaction that is rolled back if any row fails,
  then says so (nothing is ever half imported);
- a preview is confirmed once: it is recorded with a one-time token (spreadsheets.models.
  FileImport) that the confirmation consumes inside the import's transaction, so that a double
  click or a second tab imports nothing more and is told so, with a link to the result page of
  what was imported;
- the upload is refused above MAX_FILE_BYTES before its content is read (Django streams an
  upload of more than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file); between preview and
  confirmation it waits on disk in the import storage (IMPORT_STORAGE_DIR, a volume every web
  container shares), never in Redis, and is deleted once imported; files of abandoned previews
  are deleted after a day (`import_files_remove_abandoned`, run hourly by beat and at each upload).

`ReadOnlyHistoryMixin` makes django-simple-history's pages read only: no "Revert" (a revert would
bypass the workflow and the concurrency guard) and a history list without inline styles (CSP).
"""

import datetime
import logging
import re

from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.files.storage import storages
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm, ImportForm
from import_export.results import RowResult
from import_export.tmp_storages import MediaStorage

from . import selectors, services
from .files import MAX_FILE_BYTES, SpreadsheetError, import_max_rows, read_sheets
from .forms import SaveMappingForm, StoredImportForm, layout_from_data
from .import_engine import EXPORT_FORMATS, IMPORT_FORMATS, ImportXLSX
from .models import FileImport
from .problems import marked_workbook, problem_groups, problem_kind, problem_page
from .tables import plan_table

logger = logging.getLogger(__name__)


def _coded_messages(error):
    """(column, code, message) of a row's ValidationError, keeping each message's code."""
    if hasattr(error, "error_dict"):
        for column, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    yield column, getattr(item, "code", None), message
    else:
        for item in getattr(error, "error_list", [error]):
            for message in item.messages:
                yield NON_FIELD_ERRORS, getattr(item, "code", None), message


def import_report(result) -> dict:
    """What the import page shows: every problem with its line, column and kind, and the rows."""
    lines = list(getattr(result, "line_numbers", []) or [])
    origins = list(getattr(result, "origins", []) or [])

    def line(number):
        return lines[number - 1] if 0 < number <= len(lines) else number + 1

    def sheet(number):
        return origins[number - 1][0] if 0 < number <= len(origins) else ""

    problems = []
    for error in result.base_errors:
        problems.append({"line": None, "column": "", "message": str(error.error),
                         "kind": "file", "sheet": ""})
    for invalid in result.invalid_rows:
        for column, code, message in _coded_messages(invalid.error):
            column = "" if column == NON_FIELD_ERRORS else column
            problems.append({
                "line": line(invalid.number),
                "column": column,
                "message": message,
                "kind": problem_kind(code, column),
                "sheet": sheet(invalid.number),
            })
    for error_row in result.error_rows:
        for error in error_row.errors:
            logger.warning("import.row_failed", extra={"row": error_row.number},
                           exc_info=error.error)
            problems.append({
                "line": line(error_row.number),
                "column": "",
                "message": _("Unexpected error: %(error)s") % {"error": error.error},
                "kind": "unexpected",
                "sheet": sheet(error_row.number),
            })
    sheet_order = list(dict.fromkeys(name for name, _line in origins))
    problems.sort(key=lambda p: (sheet_order.index(p["sheet"]) if p["sheet"] in sheet_order
                                 else -1, p["line"] or 0, p["column"]))
    rows = [
        {
            "line": getattr(row, "line", None),
            "sheet": getattr(row, "sheet", ""),
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
        "invalid_count": len({(p["sheet"], p["line"]) for p in problems if p["line"]}),
    }


def file_report(errors: list[str]) -> dict:
    """The report of a file that cannot be read as a table yet (no row was checked)."""
    return {
        "problems": [{"line": None, "column": "", "message": message, "kind": "file",
                      "sheet": ""} for message in errors],
        "rows": [], "new": 0, "updated": 0, "skipped": 0, "invalid_count": 0,
        "drafts": 0, "warned": 0,
    }


def import_outcome(result) -> dict:
    """What a confirmed import keeps (FileImport.outcome): the report without its problems."""
    report = import_report(result)
    return {key: report[key] for key in ("rows", "new", "updated", "skipped", "drafts", "warned")}


class DeskConfirmForm(StoredImportForm):
    """The preview's confirmation: the stored file, the preview's layout and its one-time token
    (spreadsheets.models.FileImport). The file and its format must be those the preview recorded
    with the token."""

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


def import_files_remove_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of previews never confirmed, a day after their upload: the periodic task
    (spreadsheets.tasks) and every new upload call it, so an import desk nobody uses again keeps
    no spreadsheet on disk. Harmless to run twice, or in two containers at once. Returns how many
    files it deleted."""
    storage = storages["import_export"]
    cutoff = (now or timezone.now()) - ABANDONED_IMPORT_AGE
    try:
        _folders, names = storage.listdir(IMPORT_FOLDER)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{IMPORT_FOLDER}/{name}"
        try:
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
                removed += 1
        except FileNotFoundError:
            pass  # another container removed it first
    if removed:
        logger.info("import.abandoned_files_removed", extra={"count": removed})
    return removed


class ImportFileStorage(MediaStorage):
    """The uploaded file between preview and confirmation: a file named by a random id in the
    "import_export" storage (settings.STORAGES, a private directory that is never served)."""

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "MEDIA_FOLDER": IMPORT_FOLDER})

    def save(self, data):
        import_files_remove_abandoned()
        super().save(data)


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

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/problems/", self.admin_site.admin_view(self.import_problems_download),
                 name="{}_{}_import_problems".format(*info)),
            path("import/<int:file_import_id>/", self.admin_site.admin_view(
                self.import_result_view), name="{}_{}_import_result".format(*info)),
            *super().get_urls(),
        ]

    def import_target(self) -> str:
        """What saved column mappings are for: this admin's model."""
        return f"{self.opts.app_label}.{self.opts.model_name}"

    def import_action(self, request, **kwargs):
        """The upload and its preview. A preview can be run again on the stored file with
        another layout (sheets, headings row, columns), another page or kind of problems,
        without uploading the file again."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = self.get_import_context_data()
        import_form = self.create_import_form(request)
        stored = None
        if request.method == "POST" and request.POST.get("import_file_name"):
            stored = self._stored_import(request)
            import_form = self.get_import_form_class(request)(
                self.get_import_formats(), self.get_import_resource_classes(request))
            if stored is None:
                messages.error(request, _("The uploaded file is no longer available (it is kept "
                                          "for a limited time): upload it again."))
        elif request.method == "POST" and import_form.is_valid():
            import_file = import_form.cleaned_data["import_file"]
            input_format = self.get_import_formats()[int(import_form.cleaned_data["format"])]()
            tmp_storage = self.write_to_tmp_storage(import_file, input_format)
            stored = StoredImportForm(data={
                "import_file_name": tmp_storage.name,
                "original_file_name": import_file.name,
                "format": import_form.cleaned_data["format"],
                "resource": import_form.cleaned_data.get("resource", "") or "",
            })
            stored.is_valid()
        if stored is not None:
            preview = self.preview_import(request, stored)
            if preview.get("unreadable"):
                import_form.add_error("import_file", preview["unreadable"])
            else:
                context.update(preview)
        context.update(self.admin_site.each_context(request))
        context["title"] = _("Import")
        context["form"] = import_form
        context["opts"] = self.model._meta
        context["media"] = self.media + import_form.media
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def _stored_import(self, request) -> StoredImportForm | None:
        stored = StoredImportForm(data=request.POST)
        if not stored.is_valid():
            return None
        try:
            self._read_stored(stored)
        except FileNotFoundError:
            return None
        return stored

    def _read_stored(self, stored: StoredImportForm) -> bytes:
        return self.get_tmp_storage_class()(
            name=stored.cleaned_data["import_file_name"], encoding=None, read_mode="rb",
            **self.get_tmp_storage_class_kwargs(),
        ).read()

    def _is_xlsx(self, stored: StoredImportForm) -> bool:
        formats = self.get_import_formats()
        index = int(stored.cleaned_data["format"])
        return index < len(formats) and issubclass(formats[index], ImportXLSX)

    def _import_resource(self, request, stored: StoredImportForm):
        classes = self.get_import_resource_classes(request)
        index = stored.cleaned_data.get("resource") or "0"
        resource_class = classes[int(index)] if index.isdigit() and int(index) < len(classes) \
            else classes[0]
        return resource_class(**self.get_import_resource_kwargs(request))

    def plan_import(self, request, stored: StoredImportForm, data: bytes, *, layout=None,
                    use_saved: bool = True):
        """The table of the stored file (tables.plan_table) and the resource to import it with;
        the first preview of a file uses the mapping saved for its headings, if any."""
        sheets = read_sheets(data, xlsx=self._is_xlsx(stored))
        resource = self._import_resource(request, stored)
        plan = plan_table(sheets, resource, layout)
        saved = None
        if use_saved and layout is None and plan.headings:
            saved = selectors.column_mapping_for(target=self.import_target(),
                                                 heading_keys=plan.heading_keys())
            if saved is not None:
                plan = plan_table(sheets, resource, layout, saved.mapping)
        return sheets, resource, plan, saved

    def preview_import(self, request, stored: StoredImportForm) -> dict:
        """The dry run of the stored file as the form's layout says: the context of the preview
        (or {"unreadable": message} for a file that cannot be read at all)."""
        try:
            data = self._read_stored(stored)
            sheets = read_sheets(data, xlsx=self._is_xlsx(stored))
        except SpreadsheetError as error:
            return {"unreadable": str(error)}
        except FileNotFoundError:
            return {"unreadable": _("The uploaded file is no longer available (it is kept for a "
                                    "limited time): upload it again.")}
        resource = self._import_resource(request, stored)
        columns = [f.column_name for f in resource.fields.values()]
        layout = layout_from_data(request.POST, sheets, columns)
        _sheets, resource, plan, saved = self.plan_import(request, stored, data, layout=layout)
        save_form = None
        if request.POST.get("save_mapping"):
            save_form = SaveMappingForm(data=request.POST)
            if save_form.is_valid() and plan.headings:
                saved = services.column_mapping_save(
                    user=request.user, target=self.import_target(),
                    name=save_form.cleaned_data["mapping_name"], mapping=plan.layout.mapping)
                messages.success(request, _("The mapping “%(name)s” is saved: it will be used for "
                                            "the next file with the same headings.")
                                 % {"name": saved.name})
                save_form = None
        result = None
        if plan.errors:
            report = file_report(plan.errors)
        else:
            result = resource.import_data(
                plan.dataset, dry_run=True, raise_errors=False,
                file_name=stored.cleaned_data["original_file_name"], user=request.user,
                **self.get_import_data_kwargs(request=request),
            )
            report = import_report(result)
        page = request.POST.get("problems_page", "1")
        context = {
            "result": result,
            "report": report,
            "plan": plan,
            "stored_form": stored,
            "saved_mapping": saved,
            "save_mapping_form": save_form or SaveMappingForm(
                initial={"mapping_name": saved.name if saved else
                         stored.cleaned_data["original_file_name"]}),
            "problem_groups": problem_groups(report["problems"]),
            "problem_page": problem_page(
                report["problems"], kind=request.POST.get("problems_kind", ""),
                page=int(page) if page.isdigit() else 1),
            "sheets_and_positions": [(p, p.sheet.position) for p in plan.sheets],
        }
        if result is not None and not (result.has_errors() or result.has_validation_errors()):
            context["confirm_form"] = self.get_confirm_form_class(request)(initial={
                **{name: stored.cleaned_data.get(name, "") for name in
                   ("import_file_name", "original_file_name", "format", "resource")},
                "layout": plan.layout.to_json(),
                "token": self.confirmation_token(request, stored),
            })
        context["stored_form"] = StoredImportForm(initial={
            **{name: stored.cleaned_data.get(name, "") for name in
               ("import_file_name", "original_file_name", "format", "resource")},
        })
        return context

    @method_decorator(require_POST)
    def import_problems_download(self, request):
        """The stored file as a workbook with every problem of its preview marked."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        stored = self._stored_import(request)
        if stored is None:
            messages.error(request, _("The uploaded file is no longer available (it is kept for "
                                      "a limited time): upload it again."))
            return HttpResponseRedirect(reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_import"))
        preview = self.preview_import(request, stored)
        if preview.get("unreadable"):
            messages.error(request, preview["unreadable"])
            return HttpResponseRedirect(reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_import"))
        plan = preview["plan"]
        content = marked_workbook(
            self._read_stored(stored), xlsx=self._is_xlsx(stored),
            problems=preview["report"]["problems"],
            sources=getattr(plan.dataset, "sources", {}) or {},
            file_name=stored.cleaned_data["original_file_name"],
        )
        stem = re.sub(r"[^\w.-]+", "_", stored.cleaned_data["original_file_name"]
                      .rsplit(".", 1)[0])[:80] or "import"
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}-problems.xlsx"'
        return response

    def confirmed_dataset(self, request, confirm_form, data):
        """The dataset of a confirmed preview: the stored file read with the preview's layout."""
        _sheets, _resource, plan, _saved = self.plan_import(
            request, confirm_form, data, layout=confirm_form.get_layout(), use_saved=False)
        if plan.errors:
            raise SpreadsheetError(" ".join(plan.errors))
        return plan.dataset

    # --- the one-time confirmation

    def confirmation_token(self, request, stored: StoredImportForm) -> str:
        """The preview found nothing wrong: record it with a one-time token."""
        file_import = services.file_import_preview(
            model=self.opts.label_lower,
            file_name=stored.cleaned_data["original_file_name"],
            stored_name=stored.cleaned_data["import_file_name"],
            file_format=int(stored.cleaned_data["format"]),
            user=request.user,
        )
        return file_import.token

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
        """The confirmed import: the preview's token is consumed, then the stored file is read
        with the preview's layout and the same checks as the preview run again, all in one
        transaction; if anything fails now (the data changed since the preview) nothing is
        imported, the token is given back, and every problem is listed again. A second
        confirmation of the same preview imports nothing and says so."""
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
            # The file and its format are those the preview recorded with the token: a form
            # naming another file is not this preview's confirmation.
            if (confirm_form.cleaned_data["import_file_name"] != file_import.stored_name
                    or int(confirm_form.cleaned_data["format"]) != file_import.file_format
                    or file_import.file_format >= len(formats)):
                transaction.set_rollback(True)
                messages.error(request, _("This import could not be confirmed: upload the file "
                                          "again."))
                return HttpResponseRedirect(self._import_url())
            tmp_storage = self.get_tmp_storage_class()(
                name=file_import.stored_name,
                encoding=None,
                read_mode="rb",
                **self.get_tmp_storage_class_kwargs(),
            )
            try:
                data = tmp_storage.read()
            except FileNotFoundError:  # removed as abandoned
                data = None  # read_csv/read_xlsx say "no longer available: upload it again"
            try:
                dataset = self.confirmed_dataset(request, confirm_form, data)
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
