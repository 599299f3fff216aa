"""The pledge review desk: the secretariat's queue, filters, decisions, import and export.

Every decision goes through pledges.workflow.pledge_transition (same emails and audit trail as
everywhere else); the status is never a form field. Admin saves carry the pledge's version and
are refused, with nothing overwritten, when someone saved the pledge in the meantime.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from action_areas.models import CountryGroup, CountryGroupMembership, Region
from members.models import Entity
from members.permissions import can_vet_entities
from spreadsheets.admin_desk import DeskImportExportMixin, ReadOnlyHistoryMixin

from . import workflow
from .models import (
    AdvocacyActivity,
    CoalitionSettings,
    CurrencyRate,
    Event,
    Pledge,
    PledgeStatusChange,
)
from .permissions import can_review_pledges
from .resources import PledgeResource
from .services import EditConflict, usd_equivalent

S = Pledge.Status
STALE_AFTER = datetime.timedelta(days=14)

CONFLICT_MESSAGE = _(
    "Someone else saved this pledge since you opened this page. Nothing was saved, so that their "
    "changes are not overwritten: reload the page to see the current version, then make your "
    "changes again."
)


# --- Queries of the desk --------------------------------------------------------------------------


def stale_change_requests(queryset, now=None):
    """Pledges sent back to their entity for changes more than 14 days ago, not resubmitted."""
    now = now or timezone.now()
    requested_at = (
        PledgeStatusChange.objects.filter(pledge=OuterRef("pk"), to_status=S.CHANGES_REQUESTED)
        .order_by("-created_at", "-pk").values("created_at")[:1]
    )
    return (
        queryset.filter(status=S.CHANGES_REQUESTED)
        .annotate(changes_requested_at=Subquery(requested_at))
        .filter(changes_requested_at__lt=now - STALE_AFTER)
    )


def review_desk_counts(user) -> list[dict]:
    """The counters on the admin home page, each with the list it opens; only what `user` may
    act on."""
    counts = []
    if can_review_pledges(user):
        pledges_url = reverse("admin:pledges_pledge_changelist")
        counts.append({
            "label": _("Pledges awaiting review"),
            "count": Pledge.objects.filter(status=S.SUBMITTED).count(),
            "url": f"{pledges_url}?status__exact={S.SUBMITTED}",
        })
        counts.append({
            "label": _("Changes requested, no answer for more than 14 days"),
            "count": stale_change_requests(Pledge.objects.all()).count(),
            "url": f"{pledges_url}?waiting=stale",
        })
    if can_vet_entities(user):
        counts.append({
            "label": _("Entity applications awaiting vetting"),
            "count": Entity.objects.awaiting_vetting().count(),
            "url": reverse("admin:members_entity_changelist")
            + f"?status__exact={Entity.Status.APPLIED}",
        })
    return counts


# --- Filters --------------------------------------------------------------------------------------


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
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(first_submitted_at__year=int(value))
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = _("waiting")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("stale", _("Changes requested, no answer for more than 14 days"))]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return stale_change_requests(queryset)
        return queryset


# --- Forms ----------------------------------------------------------------------------------------


class VersionField(forms.IntegerField):
    """The pledge's version as the page showed it: carried along, never a change in itself."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data) -> bool:
        return False


class VersionGuardMixin:
    """The pledge's version when the page was shown travels with the form; a changed form whose
    pledge has moved on since is refused (ModelAdmin.save_model checks again under a lock)."""

    def _init_version(self):
        if self.instance.pk is not None:
            self.initial.setdefault("expected_version", self.instance.version)

    def _check_version(self):
        if self.instance.pk is None or not self.has_changed():
            return
        if self.cleaned_data.get("expected_version") != self.instance.version:
            raise forms.ValidationError(CONFLICT_MESSAGE, code="conflict")


class PledgeAdminForm(VersionGuardMixin, forms.ModelForm):
    expected_version = VersionField()
    advocacy_activities = forms.MultipleChoiceField(
        label=_("activities"), choices=AdvocacyActivity.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Pledge
        fields = ()  # the admin's fieldsets decide

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_version()

    def clean(self):
        cleaned = super().clean()
        self._check_version()
        return cleaned


class PledgeListForm(VersionGuardMixin, forms.ModelForm):
    """A row of the list: the event the pledge was announced at, editable in place."""

    expected_version = VersionField()
    event = forms.ModelChoiceField(
        label=_("announced at"), queryset=Event.objects.all(), required=False
    )

    class Meta:
        model = Pledge
        fields = ("event",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_version()

    def clean(self):
        cleaned = super().clean()
        try:
            self._check_version()
        except forms.ValidationError as error:
            # The list shows only the editable cells' errors: put it where it will be seen.
            self.add_error("event", error)
        return cleaned


def embargo_field() -> forms.DateTimeField:
    # A native date-time picker: no script, nothing for the CSP to block.
    return forms.DateTimeField(
        label=_("Public from (UTC)"), required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Optional: the pledge stays hidden from the public until this moment, e.g. "
                    "the opening of a roundtable. Empty: public at once."),
    )


def clean_embargo(value):
    if value and value <= timezone.now():
        raise forms.ValidationError(
            _("Choose a moment in the future, or leave it empty to publish at once.")
        )
    return value


class TransitionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the entity"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
    )
    embargo_until = embargo_field()
    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        if transition.name != "publish":
            del self.fields["embargo_until"]
        if transition.message_required:
            self.fields["message"].required = True
        else:
            self.fields["message"].help_text = _("Optional.")

    def clean_embargo_until(self):
        return clean_embargo(self.cleaned_data.get("embargo_until"))


class BulkPublishForm(forms.Form):
    embargo_until = embargo_field()

    def clean_embargo_until(self):
        return clean_embargo(self.cleaned_data.get("embargo_until"))


# --- Inlines --------------------------------------------------------------------------------------


class StatusChangeInline(admin.TabularInline):
    model = PledgeStatusChange
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "from_status", "to_status", "message")
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


# --- The desk -------------------------------------------------------------------------------------


@admin.register(Pledge)
class PledgeAdmin(DeskImportExportMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    form = PledgeAdminForm
    change_form_template = "admin/pledges/pledge/change_form.html"
    change_list_template = "admin/pledges/pledge/change_list.html"
    resource_classes = [PledgeResource]
    import_help_template = "admin/pledges/pledge/import_help.html"

    list_display = (
        "reference", "title", "entity", "pledge_type", "status", "waiting_since", "event",
    )
    list_display_links = ("reference", "title")
    list_editable = ("event",)
    list_filter = (
        "status",
        "pledge_type",
        "action_areas",
        "pillars",
        "entity__stakeholder_group",
        ImplementationRegionFilter,
        CountryGroupFilter,
        "event",
        SubmissionYearFilter,
        WaitingFilter,
    )
    search_fields = ("reference", "title", "entity__name", "entity__acronym")
    search_help_text = _("Reference, title, or the entity's name or acronym.")
    list_select_related = ("entity", "event")
    list_per_page = 50
    actions = ["publish_selected"]
    filter_horizontal = ("countries", "co_pledgers")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # The targets are shown in "the pledge as submitted" (they are the entity's commitment: the
    # secretariat asks for changes rather than editing them); the status history below it.
    inlines = [StatusChangeInline]
    readonly_fields = (
        "reference", "entity", "status", "created_by", "created_at", "first_submitted_at",
        "submitted_at", "published_at", "embargo_until", "usd_amount", "updated_at",
    )
    fieldsets = (
        (_("Record"), {
            "classes": ("collapse",),
            "fields": (
                "expected_version", ("reference", "status"), "entity",
                ("created_by", "created_at"), ("first_submitted_at", "submitted_at"),
                ("published_at", "embargo_until"), "updated_at",
            ),
        }),
        (_("Basics"), {
            "classes": ("collapse",),
            "fields": ("title", "summary", "description", "pledge_type", "event",
                       ("start_date", "end_date")),
        }),
        (_("Action areas"), {"classes": ("collapse",), "fields": ("action_areas", "pillars")}),
        (_("Geography and beneficiaries"), {
            "classes": ("collapse",),
            "fields": ("is_global", "regions", "countries", "beneficiary_groups", "sdgs"),
        }),
        (_("Partners and contact"), {
            "classes": ("collapse",),
            "fields": ("co_pledgers", "other_partners", "contact_name", "contact_email"),
        }),
        (_("Financial pledge"), {
            "classes": ("collapse",),
            "fields": (("amount", "currency"), "usd_amount", "modality",
                       ("disbursement_start", "disbursement_end")),
        }),
        (_("Policy pledge"), {
            "classes": ("collapse",),
            "fields": ("policy_instrument", "policy_stage", "jurisdiction"),
        }),
        (_("Advocacy pledge"), {
            "classes": ("collapse",), "fields": ("advocacy_activities", "audience"),
        }),
        (_("Programme pledge"), {
            "classes": ("collapse",), "fields": ("programme_kind", "people_to_reach"),
        }),
    )

    # The queue first: submitted pledges, oldest submission first; then those back with their
    # entity; then everything else.
    ordering = (
        Case(
            When(status=S.SUBMITTED, then=Value(0)),
            When(status=S.CHANGES_REQUESTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ).asc(),
        "submitted_at",
        "pk",
    )

    @admin.display(description=_("waiting since"), ordering="submitted_at")
    def waiting_since(self, pledge: Pledge):
        if pledge.status != S.SUBMITTED or pledge.submitted_at is None:
            return "—"
        return timezone.localdate(pledge.submitted_at).isoformat()

    def has_add_permission(self, request) -> bool:
        return False  # pledges are written by members, or imported

    def view_on_site(self, pledge: Pledge):
        """The public page, only once the pledge is public (else the button would lead to a
        404: submitted, changes requested, embargoed...)."""
        return pledge.get_absolute_url() if pledge.is_public() else None

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_review_pledges(request.user):
            actions.pop("publish_selected", None)
        return actions

    # --- the list, and its in-place edits

    def get_changelist_form(self, request, **kwargs):
        kwargs["form"] = PledgeListForm
        return super().get_changelist_form(request, **kwargs)

    def get_changelist_formset(self, request, **kwargs):
        formset_class = super().get_changelist_formset(request, **kwargs)
        choices = None

        class OneQueryForEventChoices(formset_class):
            def _construct_form(self, i, **form_kwargs):
                nonlocal choices
                form = super()._construct_form(i, **form_kwargs)
                if choices is None:
                    choices = list(form.fields["event"].choices)
                field = form.fields["event"]
                field.choices = choices
                # The list shows no label next to each cell: name it for screen readers.
                field.widget.attrs["aria-label"] = _("Announced at: %(pledge)s") % {
                    "pledge": form.instance.reference or form.instance.title
                }
                return form

        return OneQueryForEventChoices

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except EditConflict as error:
            messages.error(request, str(error))
            return redirect(request.get_full_path())

    # --- the change page

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as error:
            messages.error(request, str(error))
            return redirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        pledge = None
        if str(object_id).isdigit():
            pledge = (
                Pledge.objects.select_related("entity", "event", "created_by")
                .prefetch_related(
                    "action_areas", "pillars__action_area", "regions",
                    "countries__group_memberships", "beneficiary_groups", "sdgs", "co_pledgers",
                    "targets",
                )
                .filter(pk=int(object_id)).first()
            )
        if pledge is not None and self.has_view_or_change_permission(request, pledge):
            extra_context["review"] = self.review_context(request, pledge)
        return super().change_view(request, object_id, form_url, extra_context)

    def review_context(self, request, pledge: Pledge) -> dict:
        today = timezone.localdate()
        groups = sorted({g for c in pledge.countries.all() for g in c.groups_on(today)})
        decisions = [
            {
                "name": t.name,
                "label": t.label,
                "url": reverse("admin:pledges_pledge_transition", args=[pledge.pk, t.name]),
            }
            for t in workflow.allowed_transitions(pledge, request.user)
            if t.who == "secretariat"
        ]
        return {
            "pledge": pledge,
            "decisions": decisions,
            "country_groups": [CountryGroup(g).label for g in groups],
            "changed_since_submission": self.changed_since_submission(pledge),
            "history_url": reverse("admin:pledges_pledge_history", args=[pledge.pk]),
            "entity_url": reverse("admin:members_entity_change", args=[pledge.entity_id]),
            "is_public": pledge.is_public(),
        }

    def changed_since_submission(self, pledge: Pledge) -> list[str]:
        """The fields changed since the entity last submitted the pledge (the secretariat's
        corrections), from the field history."""
        if pledge.submitted_at is None:
            return []
        submitted = (
            pledge.history.filter(submitted_at=pledge.submitted_at).order_by("history_date")
            .first()
        )
        latest = pledge.history.order_by("-history_date", "-history_id").first()
        if submitted is None or latest is None or submitted.pk == latest.pk:
            return []
        lifecycle = [
            "status", "published_at", "embargo_until", "updated_at", "submitted_at",
            "first_submitted_at", "reference", "usd_amount", "usd_rate", "usd_rate_date",
        ]
        delta = latest.diff_against(submitted, excluded_fields=lifecycle)
        return [str(Pledge._meta.get_field(change.field).verbose_name) for change in delta.changes]

    def save_model(self, request, obj, form, change):
        if change:
            if not form.has_changed():
                return
            current = (
                Pledge.objects.select_for_update().filter(pk=obj.pk)
                .values_list("version", flat=True).first()
            )
            if current is None or current != form.cleaned_data.get("expected_version"):
                raise EditConflict(CONFLICT_MESSAGE)
            obj.version = current + 1
            if {"amount", "currency"} & set(form.changed_data):
                obj.usd_amount, obj.usd_rate, obj.usd_rate_date = usd_equivalent(
                    obj.amount, obj.currency
                )
        super().save_model(request, obj, form, change)

    # --- decisions

    def get_urls(self):
        return [
            path(
                "<int:pledge_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="pledges_pledge_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, pledge_id: int, name: str):
        transition = workflow.TRANSITIONS.get(name)
        if transition is None or transition.who != "secretariat":
            raise PermissionDenied
        if not can_review_pledges(request.user):
            raise PermissionDenied
        pledge = get_object_or_404(Pledge.objects.select_related("entity"), pk=pledge_id)
        change_url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
        if request.method != "POST" and pledge.status not in transition.sources:
            messages.error(
                request,
                _("%(action)s is not possible: this pledge is “%(status)s”.")
                % {"action": transition.label, "status": pledge.get_status_display()},
            )
            return redirect(change_url)
        form = TransitionForm(
            request.POST if request.method == "POST" else None,
            transition=transition,
            initial={"expected_status": pledge.status},
        )
        if request.method == "POST" and form.is_valid():
            try:
                workflow.pledge_transition(
                    pledge_id=pledge.pk,
                    name=name,
                    actor=request.user,
                    message=form.cleaned_data["message"],
                    embargo_until=form.cleaned_data.get("embargo_until"),
                    expected_status=form.cleaned_data["expected_status"],
                )
            except workflow.TransitionError as error:
                messages.error(request, str(error))
                return redirect(change_url)
            messages.success(
                request,
                _("%(pledge)s: “%(action)s” done; the entity has been emailed.")
                % {"pledge": pledge, "action": transition.label},
            )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "pledge": pledge,
            "object": pledge,  # the breadcrumb of admin/desk/action_page.html
            "transition": transition,
            "form": form,
            "change_url": change_url,
            "title": _("%(action)s: %(pledge)s") % {"action": transition.label,
                                                    "pledge": pledge},
        }
        return TemplateResponse(request, "admin/pledges/pledge/transition.html", context)

    @admin.action(description=_("Publish the selected submitted pledges"))
    def publish_selected(self, request, queryset):
        if not can_review_pledges(request.user):
            raise PermissionDenied
        pledges = list(queryset.select_related("entity").order_by("submitted_at", "pk"))
        confirmed = request.POST.get("confirm") == "yes"
        form = BulkPublishForm(request.POST if confirmed else None)
        if confirmed and form.is_valid():
            published, refused = 0, []
            for pledge in pledges:
                try:
                    workflow.pledge_transition(
                        pledge_id=pledge.pk, name="publish", actor=request.user,
                        embargo_until=form.cleaned_data["embargo_until"],
                        expected_status=S.SUBMITTED,
                    )
                    published += 1
                except workflow.TransitionError as error:
                    refused.append(
                        _("%(pledge)s: not published. %(error)s")
                        % {"pledge": pledge, "error": error}
                    )
            if published:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d pledge published; its entity has been emailed.",
                        "%(count)d pledges published; their entities have been emailed.",
                        published,
                    ) % {"count": published},
                    messages.SUCCESS,
                )
            for line in refused:
                self.message_user(request, line, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Publish pledges"),
            "to_publish": [p for p in pledges if p.status == S.SUBMITTED],
            "skipped": [p for p in pledges if p.status != S.SUBMITTED],
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/pledges/pledge/bulk_publish.html", context)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("name_en", "location", "start_date", "end_date", "is_open_for_pledges")
    search_fields = ("slug", "name_en", "name_fr")


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
