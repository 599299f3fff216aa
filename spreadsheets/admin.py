from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import ColumnMapping, ImportJob


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """Saved column mappings: renamed or deleted here; they are made from an import's preview."""

    list_display = ("name", "target", "saved_by", "updated_at")
    list_filter = ("target",)
    search_fields = ("name",)
    readonly_fields = ("target", "headings", "mapping", "saved_by", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Every big file's preview and import worked in the background: the secretariat finds a job
    started by a colleague, or one that failed, without its status page's address. Read-only: a
    job is made by the import page and worked by a task; a failed file is uploaded again."""

    list_display = ("file_name", "kind", "model", "rows_total", "status", "requested_by",
                    "created_at", "finished_at", "status_page")
    list_filter = ("status", "kind", "model")
    search_fields = ("file_name",)
    list_select_related = ("requested_by",)
    date_hierarchy = "created_at"
    fields = ("file_name", "kind", "model", "rows_total", "status", "requested_by",
              "created_at", "finished_at", "error", "status_page")
    readonly_fields = fields

    @admin.display(description=_("status page"))
    def status_page(self, job: ImportJob) -> str:
        app_label, _dot, model_name = job.model.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_import_job", args=[job.pk])
        except NoReverseMatch:  # an import since removed from the admin
            return "—"
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
