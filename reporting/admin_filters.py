"""List filters other apps' admins use. The pledge admin (pledges/admin.py) adds
`ReportingStatusFilter` to its list_filter; the status is computed by reporting.selectors,
never stored twice."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .selectors import ReportingStatus, pledge_ids_with_reporting_status


class ReportingStatusFilter(admin.SimpleListFilter):
    """Pledges by reporting status: up to date, report due, overdue, inactive (two missed).
    Only published pledges have one; the others match no choice."""

    title = _("reporting status")
    parameter_name = "reporting"

    def lookups(self, request, model_admin):
        return ReportingStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in ReportingStatus.values:
            return queryset
        return queryset.filter(pk__in=pledge_ids_with_reporting_status(self.value()))
