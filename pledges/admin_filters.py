"""The review desk's list filters beyond plain fields: where a pledge acts, its LDC/LLDC/SIDS
targeting, its submission year, the change requests left unanswered, and the pledges whose USD
equivalent waits for a rate."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from action_areas.models import CountryGroup, CountryGroupMembership, Region
from p2c_portal.query_params import ascii_int

from .desk_selectors import stale_change_requests, stale_change_requests_label
from .models import Pledge
from .rates import awaiting_rate


class ImplementationRegionFilter(admin.SimpleListFilter):
    """Where the pledge acts: its ITU-D regions and the regions of its countries."""

    title = _("implementation region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return [("global", _("Global")), *((r.code, r.name) for r in Region.objects.all())]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "global":
            return queryset.filter(is_global=True)
        acting_there = Pledge.objects.filter(
            Q(regions__code=value) | Q(countries__region__code=value)
        ).values("pk")
        return queryset.filter(pk__in=acting_there)


class CountryGroupFilter(admin.SimpleListFilter):
    """LDC/LLDC/SIDS targeting, derived from the pledge's countries and today's groupings."""

    title = _("LDC / LLDC / SIDS targeting")
    parameter_name = "targets"

    def lookups(self, request, model_admin):
        return CountryGroup.choices

    def queryset(self, request, queryset):
        if self.value() not in CountryGroup.values:
            return queryset
        countries = (
            CountryGroupMembership.objects.valid_on(timezone.localdate())
            .filter(group=self.value()).values("country_id")
        )
        return queryset.filter(pk__in=Pledge.objects.filter(countries__in=countries).values("pk"))


class SubmissionYearFilter(admin.SimpleListFilter):
    title = _("submission year")
    parameter_name = "submitted"

    def lookups(self, request, model_admin):
        years = Pledge.objects.filter(first_submitted_at__isnull=False).dates(
            "first_submitted_at", "year", order="DESC"
        )
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        year = ascii_int(self.value(), minimum=1, maximum=9999)
        if year is not None:
            return queryset.filter(first_submitted_at__year=year)
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = _("waiting")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("stale", stale_change_requests_label())]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return stale_change_requests(queryset)
        return queryset


class UsdPendingFilter(admin.SimpleListFilter):
    """Financial pledges whose month has no UN operational rate yet (pledges.rates): counted
    apart from every USD total until the secretariat uploads that month's rates."""

    title = _("USD equivalent")
    parameter_name = "usd"

    def lookups(self, request, model_admin):
        return [("pending", _("USD equivalent pending")),
                ("test_rate", _("Converted at a test rate"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(awaiting_rate())
        if self.value() == "test_rate":
            return queryset.filter(usd_rate_is_test_data=True)
        return queryset
