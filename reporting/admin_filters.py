"""List filters of the pledge desk: reporting.admin.PledgeWithReportingAdmin adds
`ReportingStatusFilter` to the pledge admin's list_filter; the status is computed by
reporting.selectors.progress, never stored twice."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .selectors.progress import ReportingStatus, pledge_ids_with_reporting_status


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
