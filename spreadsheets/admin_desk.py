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
- a file of more than P2C_IMPORT_BACKGROUND_ROWS rows is previewed and imported by a Celery task
  (spreadsheets.tasks.import_job_run, an ImportJob row worked through p2c_portal.jobs) instead of
  in the web request: the page redirects to the job's status page, which shows the rows read
  (followed by a static script, strict CSP) until it shows the preview or ends on the imported
  result; the confirmation claims its token in the task's transaction, as in the request.

`ReadOnlyHistoryMixin` makes django-simple-history's pages read only: no "Revert" (a revert would
bypass the workflow and the concurrency guard) and a history list without inline styles (CSP).
"""

import datetime
import logging
import re
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
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
from .files import (
    MAX_FILE_BYTES,
    SpreadsheetError,
    import_background_rows,
    import_max_rows,
    read_sheets,
)
from .forms import SaveMappingForm, StoredImportForm, layout_from_data
from .import_engine import EXPORT_FORMATS, IMPORT_FORMATS, ImportXLSX
from .models import FileImport, ImportJob
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


# A preview lists this many rows with nothing new to check (new or unchanged rows whose values
# read as written, or as already shown on a listed row) before it only counts them: a file of
# 20,000 rows would otherwise make a page of tens of megabytes. Every row the secretariat must look
# at is listed wherever it is in the file: updates, warnings, drafts, and the first row of each
# distinct reading ("Q3 2022" → 1 July 2022; "KEN" → Kenya is shown once, not on every row).
PREVIEW_PLAIN_ROWS_LISTED = 100
IMPORT_RESULT_ROWS_PER_PAGE = 200


def preview_rows(rows: list[dict]) -> tuple[list[dict], int]:
    """The rows a preview lists, in the file's order, and how many plain rows it leaves out."""
    listed, plain, seen = [], 0, set()
    for row in rows:
        readings = {(r["column"], r["written"], r["read"]) for r in row["readings"]}
        if (row["action"] == RowResult.IMPORT_TYPE_UPDATE or row["warnings"] or row["missing"]
                or readings - seen):
            listed.append(row)
        else:
            plain += 1
            if plain <= PREVIEW_PLAIN_ROWS_LISTED:
                listed.append(row)
        seen |= readings
    return listed, max(0, plain - PREVIEW_PLAIN_ROWS_LISTED)


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


@dataclass
class ConfirmedImport:
    """How a confirmation ended: "imported", "already" (the token was consumed before),
    "refused" (`message`: not this preview's confirmation, or the file is gone) or "failed"
    (`report`: rows that do not import now; nothing was imported)."""

    outcome: str
    file_import: FileImport | None = None
    message: str = ""
    report: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)


# Form fields a background job does not keep: they act once, in the request that sent them.
ONE_OFF_FIELDS = {"csrfmiddlewaretoken", "save_mapping", "mapping_name", "import_file"}


def job_form_data(data) -> dict[str, list[str]]:
    """A request's form as a background job keeps it (ImportJob.form_data)."""
    return {name: values for name, values in data.lists() if name not in ONE_OFF_FIELDS}


def job_form_query(form_data: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in form_data.items():
        query.setlist(name, list(values))
    return query


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

    def get_import_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_import_resource_kwargs(request, **kwargs)
        on_row = getattr(request, "import_on_row", None)  # a background job's progress
        return {**kwargs, "on_row": on_row} if on_row is not None else kwargs

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
            path("import/job/<int:job_id>/", self.admin_site.admin_view(
                self.import_job_view), name="{}_{}_import_job".format(*info)),
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
        preview = {}
        if stored is not None:
            preview = self.preview_import(request, stored)
            if preview.get("unreadable"):
                import_form.add_error("import_file", preview.pop("unreadable"))
            elif "plan" not in preview:  # a big file: checked in the background
                return HttpResponseRedirect(self.import_job_url(preview["import_job"]))
        return self.import_page(request, import_form, preview)

    def import_page(self, request, import_form, preview: dict):
        """The import page: the upload form, and the preview of the stored file if any."""
        context = self.get_import_context_data()
        context.update(preview)
        context.update(self.admin_site.each_context(request))
        context["title"] = _("Import")
        context["form"] = import_form
        context["opts"] = self.model._meta
        context["media"] = self.media + import_form.media
        report = preview.get("report") or {}
        context["plain_rows_listed"] = PREVIEW_PLAIN_ROWS_LISTED
        context["preview_rows"], context["rows_not_listed"] = preview_rows(
            report.get("rows", []))
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

    def preview_import(self, request, stored: StoredImportForm, *, data=None) -> dict:
        """The dry run of the stored file as the form's layout says (`data`, the request's
        POST by default): the context of the preview, {"unreadable": message} for a file that
        cannot be read at all, or {"import_job": job} while a big file's preview is worked in
        the background (import_in_background): the job's status page shows it once done."""
        data = request.POST if data is None else data
        try:
            content = self._read_stored(stored)
            sheets = read_sheets(content, xlsx=self._is_xlsx(stored))
        except SpreadsheetError as error:
            return {"unreadable": str(error)}
        except FileNotFoundError:
            return {"unreadable": _("The uploaded file is no longer available (it is kept for a "
                                    "limited time): upload it again.")}
        resource = self._import_resource(request, stored)
        columns = [f.column_name for f in resource.fields.values()]
        layout = layout_from_data(data, sheets, columns)
        _sheets, resource, plan, saved = self.plan_import(request, stored, content,
                                                          layout=layout)
        save_form = None
        if data.get("save_mapping"):
            save_form = SaveMappingForm(data=data)
            if save_form.is_valid() and plan.headings:
                saved = services.column_mapping_save(
                    user=request.user, target=self.import_target(),
                    name=save_form.cleaned_data["mapping_name"], mapping=plan.layout.mapping)
                messages.success(request, _("The mapping “%(name)s” is saved: it will be used for "
                                            "the next file with the same headings.")
                                 % {"name": saved.name})
                save_form = None
        result = job = None
        if plan.errors:
            report = file_report(plan.errors)
        elif self.import_in_background(plan):
            job = services.import_job_preview(
                model=self.opts.label_lower, file_name=stored.cleaned_data["original_file_name"],
                stored_name=stored.cleaned_data["import_file_name"],
                form_data={**job_form_data(data), **{
                    name: [stored.cleaned_data.get(name) or ""] for name in
                    ("import_file_name", "original_file_name", "format", "resource")}},
                layout=plan.layout.to_json(), rows_total=len(plan.dataset), user=request.user)
            if job.status != ImportJob.Status.DONE:
                return {"import_job": job}
            report = job.report
        else:
            result = self.dry_run(request, stored, resource, plan)
            report = import_report(result)
        page = data.get("problems_page", "1")
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
                report["problems"], kind=data.get("problems_kind", ""),
                page=int(page) if page.isdigit() else 1),
            "sheets_and_positions": [(p, p.sheet.position) for p in plan.sheets],
        }
        if job is not None:
            # The background preview's result, and its confirmation when nothing was wrong.
            context["result"] = context["import_job"] = job
            token = job.file_import.token if job.file_import_id else None
        elif result is not None and not (result.has_errors() or result.has_validation_errors()):
            token = self.confirmation_token(request, stored)
        else:
            token = None
        if token is not None:
            context["confirm_form"] = self.get_confirm_form_class(request)(initial={
                **{name: stored.cleaned_data.get(name, "") for name in
                   ("import_file_name", "original_file_name", "format", "resource")},
                "layout": plan.layout.to_json(),
                "token": token,
            })
        context["stored_form"] = StoredImportForm(initial={
            **{name: stored.cleaned_data.get(name, "") for name in
               ("import_file_name", "original_file_name", "format", "resource")},
        })
        return context

    def dry_run(self, request, stored: StoredImportForm, resource, plan):
        """The preview's import, rolled back: every row read and checked, nothing written."""
        return resource.import_data(
            plan.dataset, dry_run=True, raise_errors=False,
            file_name=stored.cleaned_data["original_file_name"], user=request.user,
            **self.get_import_data_kwargs(request=request),
        )

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
        if "plan" not in preview:  # a big file, still being checked in the background
            return HttpResponseRedirect(self.import_job_url(preview["import_job"]))
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
        confirmation of the same preview imports nothing and says so. A preview worked in the
        background is confirmed in the background too (the job's status page follows it)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            messages.error(request, _("This import could not be confirmed: upload the file again."))
            return HttpResponseRedirect(self._import_url())
        preview_job = ImportJob.objects.filter(
            kind=ImportJob.Kind.PREVIEW, model=self.opts.label_lower,
            file_import__token=confirm_form.cleaned_data["token"],
        ).select_related("file_import").first()
        if preview_job is not None:
            job = services.import_job_confirm(
                file_import=preview_job.file_import, form_data=job_form_data(request.POST),
                rows_total=preview_job.rows_total, user=request.user)
            return HttpResponseRedirect(self.import_job_url(job))
        done = self.confirmed_import(request, confirm_form, **kwargs)
        return self.confirmed_import_response(request, done)

    def confirmed_import(self, request, confirm_form, *, before_commit=None,
                         **kwargs) -> ConfirmedImport:
        """Consume the token and import the stored file in one transaction (see
        process_import). `before_commit(file_import)` runs in that transaction once the file is
        imported (a background job marks itself done with it)."""
        formats = self.get_import_formats()
        result = file_import = None
        with transaction.atomic():
            try:
                file_import = services.file_import_claim(
                    token=confirm_form.cleaned_data["token"], model=self.opts.label_lower,
                    user=request.user,
                )
            except services.AlreadyImported as done:
                return ConfirmedImport("already", file_import=done.file_import)
            except services.UnknownPreview:
                return ConfirmedImport("refused", message=_(
                    "This import could not be confirmed: upload the file again."))
            # The file and its format are those the preview recorded with the token: a form
            # naming another file is not this preview's confirmation.
            if (confirm_form.cleaned_data["import_file_name"] != file_import.stored_name
                    or int(confirm_form.cleaned_data["format"]) != file_import.file_format
                    or file_import.file_format >= len(formats)):
                transaction.set_rollback(True)
                return ConfirmedImport("refused", message=_(
                    "This import could not be confirmed: upload the file again."))
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
                return ConfirmedImport("refused", message=str(error))
            result = self.process_dataset(dataset, confirm_form, request,
                                          file_name=file_import.file_name,
                                          file_import=file_import, **kwargs)
            failed = result.has_errors() or result.has_validation_errors()
            if failed:
                transaction.set_rollback(True)  # the rows, and the token: nothing happened
            else:
                services.file_import_record_outcome(file_import=file_import,
                                                    outcome=import_outcome(result))
                if before_commit is not None:
                    before_commit(file_import)
        tmp_storage.remove()
        if failed:
            return ConfirmedImport("failed", report=import_report(result))
        if request.user.is_authenticated:
            self.generate_log_entries(result, request)
        return ConfirmedImport("imported", file_import=file_import, totals=dict(result.totals))

    def confirmed_import_response(self, request, done: ConfirmedImport):
        """The page after a confirmation (in the request, or the background job's)."""
        if done.outcome == "already":
            messages.error(request, self.already_imported_message(done.file_import))
            return HttpResponseRedirect(self.import_result_url(done.file_import))
        if done.outcome == "refused":
            messages.error(request, done.message)
            return HttpResponseRedirect(self._import_url())
        if done.outcome == "failed":
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
                "result": True,
                "report": done.report,
                "media": self.media,
            }
            return TemplateResponse(request, [self.import_template_name], context)
        self.import_finished_message(request, done.totals)
        return HttpResponseRedirect(self.import_result_url(done.file_import))


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
        # A page at a time: an import of 20,000 rows is otherwise a page of megabytes.
        page = Paginator(outcome.get("rows", []), IMPORT_RESULT_ROWS_PER_PAGE).get_page(
            request.GET.get("page"))
        rows = []
        for row in page.object_list:
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
            "page_obj": page,
            "import_url": self._import_url(),
        }
        return TemplateResponse(request, [self.import_result_template_name], context)

    # --- big files, in the background (spreadsheets.tasks.import_job_run)

    def import_in_background(self, plan) -> bool:
        """A file this big is previewed and imported by a task: its dry run or import would
        keep the web request for longer than the proxy waits."""
        return plan.dataset is not None and len(plan.dataset) > import_background_rows()

    def import_job_url(self, job: ImportJob) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_import_job",
            args=[job.pk],
        )

    def import_job_view(self, request, job_id: int):
        """A big file's preview or import: its progress while a worker has it (followed by
        static/js/import_job.js through ?progress=1), then the preview, the problems, or the
        imported result."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = ImportJob.objects.filter(pk=job_id, model=self.opts.label_lower) \
            .select_related("file_import").first()
        if job is None:
            raise Http404
        rows_done = min(services.import_job_progress(job.pk), job.rows_total)
        running = job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
        if request.GET.get("progress"):  # static/js/import_job.js, while the page is open
            return JsonResponse({
                "running": running, "rows_done": rows_done, "rows_total": job.rows_total,
                "rows_done_text": number_format(rows_done, force_grouping=True),
                "rows_total_text": number_format(job.rows_total, force_grouping=True),
            })
        if job.status == ImportJob.Status.DONE and job.kind == ImportJob.Kind.CONFIRM:
            return self.confirmed_import_response(request, background_confirmation(job))
        if job.status == ImportJob.Status.DONE:
            data = job_form_query(job.form_data)
            stored = StoredImportForm(data=data)
            preview = self.preview_import(request, stored, data=data) if stored.is_valid() \
                else {}
            if "plan" not in preview:
                messages.error(request, preview.get("unreadable") or _(
                    "The uploaded file is no longer available (it is kept for a limited "
                    "time): upload it again."))
                return HttpResponseRedirect(self._import_url())
            return self.import_page(request, self.create_import_form(request), preview)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "opts": self.opts,
            "job": job,
            "rows_done": rows_done,
            "percent": int(100 * rows_done / job.rows_total) if job.rows_total else 0,
            "import_url": self._import_url(),
            "refresh_seconds": IMPORT_JOB_REFRESH_SECONDS,
        }
        return TemplateResponse(request, ["admin/desk/import_job.html"], context)

    def preview_in_background(self, request, job: ImportJob, claim) -> None:
        """The task's dry run of a big file: its report, and its confirmation token when the
        file can be imported, kept with the job."""
        stored = StoredImportForm(data=request.POST)
        if not stored.is_valid():
            raise SpreadsheetError(_("This import could not be confirmed: upload the file "
                                     "again."))
        content = self._read_stored(stored)
        sheets = read_sheets(content, xlsx=self._is_xlsx(stored))
        resource = self._import_resource(request, stored)
        layout = layout_from_data(request.POST, sheets,
                                  [f.column_name for f in resource.fields.values()])
        _sheets, resource, plan, _saved = self.plan_import(request, stored, content,
                                                           layout=layout)
        result = None
        if plan.errors:
            report = file_report(plan.errors)
        else:
            result = self.dry_run(request, stored, resource, plan)
            report = import_report(result)
        with transaction.atomic():
            file_import = None
            if result is not None and not (result.has_errors()
                                           or result.has_validation_errors()):
                file_import = services.file_import_preview(
                    model=self.opts.label_lower, file_name=job.file_name,
                    stored_name=job.stored_name, file_format=int(stored.cleaned_data["format"]),
                    user=request.user)
            if not services.IMPORT_JOBS.finish(job.pk, claim, ImportJob.Status.DONE,
                                               report=report, file_import=file_import,
                                               finished_at=timezone.now()):
                raise ImportJobLost  # its token with it: the run that has the job makes one

    def confirm_in_background(self, request, job: ImportJob, claim) -> None:
        """The task's confirmed import: the job is done in the import's own transaction, so
        that a job run twice (its message delivered again, its worker presumed dead) never
        imports twice; the token is claimed in that transaction too (as in the request)."""
        confirm_form = self.get_confirm_form_class(request)(data=request.POST)
        if not confirm_form.is_valid():
            done = ConfirmedImport("refused", message=_(
                "This import could not be confirmed: upload the file again."))
        else:
            def job_done(file_import):
                if not services.IMPORT_JOBS.finish(
                        job.pk, claim, ImportJob.Status.DONE, finished_at=timezone.now(),
                        report={"outcome": "imported"}):
                    raise ImportJobLost  # rolls the import back: another run has this job
            done = self.confirmed_import(request, confirm_form, before_commit=job_done)
        if done.outcome != "imported":
            report = {"outcome": done.outcome, "message": str(done.message),
                      "report": done.report}
            if not services.IMPORT_JOBS.finish(job.pk, claim, ImportJob.Status.DONE,
                                               report=report, finished_at=timezone.now()):
                raise ImportJobLost

    def add_success_message(self, result, request):
        self.import_finished_message(request, result.totals)

    def import_finished_message(self, request, totals: dict) -> None:
        messages.success(
            request,
            _("Import finished: %(new)d new, %(updated)d updated, %(skipped)d unchanged.")
            % {
                "new": totals.get(RowResult.IMPORT_TYPE_NEW, 0),
                "updated": totals.get(RowResult.IMPORT_TYPE_UPDATE, 0),
                "skipped": totals.get(RowResult.IMPORT_TYPE_SKIP, 0),
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


# The status page of a background import asks how far it got this often (static/js/import_job.js).
IMPORT_JOB_REFRESH_SECONDS = 3
# How often, in rows, a background import says how far it got.
IMPORT_JOB_PROGRESS_EVERY = 20


class ImportJobLost(Exception):
    """The job was taken over (its worker presumed dead): this run keeps nothing."""


def background_confirmation(job: ImportJob) -> ConfirmedImport:
    """How a background confirmation ended, for its status page."""
    report = job.report or {}
    outcome = report.get("outcome", "refused")
    if outcome == "imported" or (outcome == "already" and job.file_import_id):
        file_import = job.file_import
        totals = (file_import.outcome or {}) if file_import else {}
        return ConfirmedImport(outcome, file_import=file_import, totals=totals)
    if outcome == "failed":
        return ConfirmedImport("failed", report=report.get("report") or file_report([]))
    return ConfirmedImport("refused", message=report.get("message") or _(
        "This import could not be confirmed: upload the file again."))


def _model_admin(label: str) -> "DeskImportExportMixin":
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower == label and isinstance(model_admin, DeskImportExportMixin):
            return model_admin
    raise LookupError(f"no import admin for {label}")


def _job_request(job: ImportJob) -> HttpRequest:
    """What the task stands in for: the page's form, sent by whoever asked for the job."""
    request = HttpRequest()
    request.method = "POST"
    request.POST = job_form_query(job.form_data)
    request.user = job.requested_by or AnonymousUser()
    total = job.rows_total

    def on_row(number: int) -> None:
        if number % IMPORT_JOB_PROGRESS_EVERY == 0 or number >= total:
            services.import_job_progress_set(job_id=job.pk, rows_done=number)

    request.import_on_row = on_row
    return request


def import_job_run(*, job_id: int) -> bool:
    """Work one PENDING import job once (spreadsheets.tasks.import_job_run). Returns whether
    this call did it. An error fails the job for good, with what failed, and leaves nothing
    imported (the import's transaction is rolled back): running it again would fail again."""
    return services.IMPORT_JOBS.work(job_id, lambda claim: _import_job_work(job_id, claim))


def _import_job_work(job_id: int, claim) -> bool:
    job = ImportJob.objects.select_related("requested_by", "file_import").get(pk=job_id)
    try:
        model_admin = _model_admin(job.model)
        request = _job_request(job)
        if job.kind == ImportJob.Kind.CONFIRM:
            model_admin.confirm_in_background(request, job, claim)
        else:
            model_admin.preview_in_background(request, job, claim)
    except ImportJobLost:
        logger.warning("import_job.lost_claim", extra={"job_id": job_id})
        return False
    except Exception as error:
        if isinstance(error, SoftTimeLimitExceeded):
            reason = _("The file took longer than the time allowed (%(minutes)d minutes) and "
                       "was stopped. Split it into smaller files.") % {
                "minutes": services.IMPORT_JOB_TIME_LIMIT_SECONDS // 60}
        elif isinstance(error, SpreadsheetError):
            reason = str(error)
        elif isinstance(error, FileNotFoundError):
            reason = _("The uploaded file is no longer available (it is kept for a limited "
                       "time): upload it again.")
        else:
            reason = _("Unexpected error: %(error)s") % {
                "error": f"{type(error).__name__}: {error}"}
        services.IMPORT_JOBS.finish(job_id, claim, ImportJob.Status.FAILED,
                                    finished_at=timezone.now(), error=str(reason)[:5000])
        logger.exception("import_job.failed", extra={"job_id": job_id})
        return False
    services.import_job_progress_set(job_id=job_id, rows_done=job.rows_total)
    logger.info("import_job.done", extra={"job_id": job_id, "kind": job.kind})
    return True


class ReadOnlyHistoryMixin:
    """django-simple-history's pages, read only and without inline styles."""

    object_history_list_template = "admin/desk/object_history_list.html"

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
