from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CoalitionSettings, CurrencyRate, Event, Pledge, PledgeStatusChange, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = PledgeStatusChange
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "from_status", "to_status", "message")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Pledge)
class PledgeAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "entity", "pledge_type", "status", "submitted_at")
    list_filter = ("status", "pledge_type")
    search_fields = ("reference", "title", "entity__name")
    list_select_related = ("entity",)
    readonly_fields = ("reference", "status", "submitted_at", "published_at", "usd_amount")
    inlines = [TargetInline, StatusChangeInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("name_en", "location", "start_date", "end_date", "is_open_for_pledges")


@admin.register(CurrencyRate)
class CurrencyRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "usd_per_unit", "rate_date", "source")
    list_filter = ("currency",)


@admin.register(CoalitionSettings)
class CoalitionSettingsAdmin(admin.ModelAdmin):
    """The one row of coalition-wide settings (the USD goal shown on the home page)."""

    list_display = ("__str__", "usd_goal", "updated_at")

    def has_add_permission(self, request) -> bool:
        return not CoalitionSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
