from django.contrib import admin

from .models import ColumnMapping


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """Saved column mappings: renamed or deleted here; they are made from an import's preview."""

    list_display = ("name", "target", "saved_by", "updated_at")
    list_filter = ("target",)
    search_fields = ("name",)
    readonly_fields = ("target", "headings", "mapping", "saved_by", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False
