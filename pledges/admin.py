"""The pledge review desk: the secretariat's queue, filters, decisions, import and export.

Every decision goes through pledges.workflow.pledge_transition (same emails and audit trail as
everywhere else); the status is never a form field. Corrections go through
pledges.services.pledge_correct: they carry the pledge's version and are refused, with nothing
overwritten, when someone saved the pledge in the meantime. Queries are in desk_selectors, list
filters in admin_filters, forms in admin_forms.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from action_areas.admin import TranslatedNamesAdmin
from action_areas.models import CountryGroup
from members.desk_admin import AssignedToFilter, ReviewDeskAdmin
from members.services import MembersError
from p2c_portal.admin import ReadOnlyAdminMixin, ReadOnlyInline
from p2c_portal.query_params import database_id
from spreadsheets.admin_desk import DeskImportExportMixin, ReadOnlyHistoryMixin

from . import (
    amendment_workflow,
    campaign_tags,
    desk_selectors,
    partnerships,
    rate_files,
    rates,
    services,
    workflow,
)
from .admin_decisions import DecideWithMessageMixin
from .admin_filters import (
    CountryGroupFilter,
    ImplementationRegionFilter,
    SubmissionYearFilter,
    UsdPendingFilter,
    WaitingFilter,
)
from .admin_forms import (
    BulkPublishForm,
    MapTargetsForm,
    PledgeAdminForm,
    PledgeListForm,
    TransitionForm,
    translation_field_names,
)
from .currencies import currency_name
from .models import (
    CampaignTag,
    CampaignTagChange,
    CoalitionSettings,
    CurrencyRate,
    CurrencyRateUpload,
    Event,
    Partnership,
    PartnershipAmendment,
    PartnershipChange,
    Pledge,
    PledgeAmendment,
    PledgeStatusChange,
    Target,
)
from .permissions import (
    can_answer_join_requests,
    can_map_targets,
    can_review_campaign_tags,
    can_review_pledges,
    can_upload_rates,
)
from .pledge_changes import proposed_changes
from .resources import PledgeResource

S = Pledge.Status
TRANSLATIONS_FIELDSET = _("Translations")


# --- Inlines --------------------------------------------------------------------------------------


class StatusChangeInline(ReadOnlyInline):
    model = PledgeStatusChange
    fields = ("created_at", "actor", "from_status", "to_status", "message")
    verbose_name_plural = _("status history")


class PartnershipInline(ReadOnlyInline):
    """Partners join by consent (pledges.partnerships): the admin shows them and never sets
    them, so that nobody is named a co-pledger without accepting."""

    model = Partnership
    fields = ("entity", "role", "status", "invited_by", "invited_at", "accepted_at", "ended_at",
              "end_reason")
    verbose_name_plural = _("partners (invited and accepted by their entity)")


# --- The desk -------------------------------------------------------------------------------------


@admin.register(Pledge)
class PledgeAdmin(ReviewDeskAdmin, DeskImportExportMixin, ReadOnlyHistoryMixin,
                  SimpleHistoryAdmin):
    form = PledgeAdminForm
    change_form_template = "admin/pledges/pledge/change_form.html"
    change_list_template = "admin/pledges/pledge/change_list.html"
    resource_classes = [PledgeResource]
    import_help_template = "admin/pledges/pledge/import_help.html"

    list_display = (
        "reference", "title", "entity", "pledge_type", "status", "waiting_since", "assignee",
        "event", "usd_marker",
    )
    list_display_links = ("reference", "title")
    list_editable = ("event",)
    list_filter = (
        AssignedToFilter,  # first: "assigned to me" is a reviewer's own queue
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
        UsdPendingFilter,
    )
    search_fields = ("reference", "title", "entity__name", "entity__acronym")
    search_help_text = _("Reference, title, or the entity's name or acronym.")
    list_select_related = ("entity", "event", "assigned_to")
    list_per_page = 50
    actions = ["publish_selected", "assign_selected_to_me", "assign_selected",
               "unassign_selected"]
    filter_horizontal = ("countries",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # The targets are shown in "the pledge as submitted" (they are the entity's commitment: the
    # secretariat asks for changes rather than editing them); the status history below it.
    inlines = [PartnershipInline, StatusChangeInline]
    readonly_fields = (
        "co_pledgers",
        "reference", "entity", "status", "created_by", "created_at", "first_submitted_at",
        "submitted_at", "published_at", "embargo_until", "usd_amount", "usd_rate",
        "usd_rate_date", "usd_rate_is_test_data", "amount_month", "updated_at",
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
            "fields": ("title", "summary", "description", "language",
                       "pledge_type", "event", ("start_date", "end_date")),
        }),
        (TRANSLATIONS_FIELDSET, {
            "classes": ("collapse",),
            "description": _("The title and summary that visitors reading the site in that "
                             "language see instead of the original (the entity's members "
                             "write them on their Translations page). Clear a title to remove "
                             "its translation."),
            # One field a line: Django opens a collapsed section that holds an error only when
            # the field is not in a row of several.
            "fields": [name for language, _name in settings.LANGUAGES
                       for name in translation_field_names(language)],
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
            "fields": (("amount", "currency"), ("usd_amount", "amount_month"),
                       ("usd_rate", "usd_rate_date", "usd_rate_is_test_data"), "modality",
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

    # The desk's assignment and internal notes (members.desk_admin), as on the vetting desk.
    review_permission = services.REVIEW_PERMISSION
    note_view_permission = "pledges.view_pledgenote"
    note_add_permission = "pledges.add_pledgenote"
    refusals = (services.PledgeError, MembersError)

    def assign(self, *, actor, record_ids, assignee_id) -> int:
        return services.pledge_assign(actor=actor, pledge_ids=record_ids,
                                      assignee_id=assignee_id)

    def note_add(self, *, author, record_id: int, text: str) -> None:
        services.pledge_note_add(author=author, pledge_id=record_id, text=text)

    def internal_notes(self, record_id: int):
        return desk_selectors.pledge_internal_notes(record_id)

    @admin.display(description=_("waiting since"), ordering="submitted_at")
    def waiting_since(self, pledge: Pledge):
        if pledge.status != S.SUBMITTED or pledge.submitted_at is None:
            return "—"
        return timezone.localdate(pledge.submitted_at).isoformat()

    @admin.display(description=_("USD equivalent"))
    def usd_marker(self, pledge: Pledge):
        """Flags what no USD total counts yet: a financial pledge whose month has no rate."""
        if pledge.pledge_type != "financial" or pledge.amount_month is None:
            return ""
        if pledge.usd_amount is None:
            return format_html('<strong class="usd-pending">{}</strong>',
                               _("USD equivalent pending"))
        return _("test rate") if pledge.usd_rate_is_test_data else ""

    def has_add_permission(self, request) -> bool:
        return False  # pledges are written by members, or imported

    def get_fieldsets(self, request, obj=None):
        """Whoever may only view the pledge sees its translations as stored: the per-language
        fields exist on the change form only."""
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": ["translations"]}) if name is TRANSLATIONS_FIELDSET
            else (name, options)
            for name, options in fieldsets
        ]

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
        except (services.EditConflict, services.PledgeError) as error:
            messages.error(request, str(error))
            return redirect(request.get_full_path())

    # --- the change page

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (services.EditConflict, services.PledgeError) as error:
            messages.error(request, str(error))
            return redirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        pledge_id = database_id(str(object_id))
        pledge = desk_selectors.pledge_get_for_review(pledge_id) if pledge_id else None
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
            "changed_since_submission": desk_selectors.pledge_changes_since_submission(pledge),
            "change_dialogue": desk_selectors.pledge_change_dialogue(pledge),
            "history_url": reverse("admin:pledges_pledge_history", args=[pledge.pk]),
            "entity_url": reverse("admin:members_entity_change", args=[pledge.entity_id]),
            "is_public": pledge.is_public(),
        }

    def save_model(self, request, obj, form, change):
        """Through pledges.services.pledge_correct, as every write of a pledge's content: the
        version guard under a lock, the USD equivalent, a new version."""
        if not form.has_changed():
            return
        services.pledge_correct(
            user=request.user, pledge_id=obj.pk, values=form.corrections(),
            translations=form.translation_changes(),
            expected_version=form.cleaned_data.get("expected_version"),
        )

    def save_related(self, request, form, formsets, change):
        # The many-to-many values were written with the rest by save_model; no form.save_m2m().
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

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
        not_vetted = workflow.entity_not_vetted(pledge.entity) if name == "publish" else ""
        if request.method != "POST" and not_vetted:
            messages.error(request, not_vetted)  # the service refuses it too
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
            "to_publish": [p for p in pledges if p.status == S.SUBMITTED
                           and not workflow.entity_not_vetted(p.entity)],
            # Refused by the workflow until their entity is approved: said before the click.
            "not_vetted": [p for p in pledges if p.status == S.SUBMITTED
                           and workflow.entity_not_vetted(p.entity)],
            "skipped": [p for p in pledges if p.status != S.SUBMITTED],
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/pledges/pledge/bulk_publish.html", context)


@admin.register(Event)
class EventAdmin(TranslatedNamesAdmin):
    list_display = ("name_en", "name_in_active_language", "location", "start_date", "end_date",
                    "is_open_for_pledges")
    search_fields = ("slug", "name_en", "name_translations")


RATES_HELP = _(
    "Where the rates come from: the UN operational rates of exchange, published each month by "
    "the UN Treasury at treasury.un.org/operationalrates (one rate per currency, in units per US "
    "dollar, effective from the first of the month). Each month, download the month's file there "
    "(XML or Excel) and upload it here with “Upload rates”; a plain CSV with the heading "
    "currency,month,rate_per_usd (e.g. EUR,2022-06,0.9523) is accepted too. Every row is checked "
    "first: if one is wrong, nothing is saved and each bad row is named. Uploading the same file "
    "again changes nothing. The pledges waiting for a rate (or converted at a rate the file "
    "corrects) are then converted again in the background. Rates marked “Test data” were shipped "
    "with the portal for the demonstration and the tests: they are approximations, not official "
    "figures; an upload of the official rate replaces them."
)


class CurrencyRateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Rates file"),
        help_text=_("The UN Treasury's XML or Excel download, or a CSV with the heading "
                    "currency,month,rate_per_usd."),
    )


@admin.register(CurrencyRate)
class CurrencyRateAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """The monthly UN operational rates; written only by uploads (pledges.rates), never by hand,
    so that every rate says which file it came from."""

    list_display = ("currency", "currency_in_active_language", "month_display", "rate_per_usd",
                    "source_display", "upload")
    list_filter = ("source", "month", "currency")
    list_select_related = ("upload",)
    search_fields = ("currency",)
    readonly_fields = ("currency", "month", "rate_per_usd", "source", "upload", "updated_at")
    change_list_template = "admin/pledges/currencyrate/change_list.html"

    @admin.display(description=_("currency"))
    def currency_in_active_language(self, rate):
        return currency_name(rate.currency)

    @admin.display(description=_("month"), ordering="month")
    def month_display(self, rate):
        return rate.month.strftime("%Y-%m")

    @admin.display(description=_("source"), ordering="source")
    def source_display(self, rate):
        label = rate.get_source_display()
        return format_html("<strong>{}</strong>", label) if rate.is_test_data else label

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view),
                 name="pledges_currencyrate_upload"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "rates_help": RATES_HELP,
                         "may_upload": can_upload_rates(request.user)}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request):
        if not can_upload_rates(request.user):
            raise PermissionDenied
        form = CurrencyRateUploadForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = rates.currency_rates_upload(
                    user=request.user, file_name=upload.name,
                    content=upload.read(rate_files.MAX_FILE_BYTES + 1),
                )
            except rate_files.RateFileError as error:
                errors = error.errors
            else:
                for note in result.notes:
                    messages.info(request, note)
                if result.upload is None:
                    messages.info(request, _(
                        "Nothing changed: the %(rows)d rates of this file are already recorded."
                    ) % {"rows": result.rows})
                else:
                    messages.success(request, _(
                        "%(changed)d of the %(rows)d rates of the file were new or changed and "
                        "are saved. The pledges they concern are being converted again."
                    ) % {"changed": result.changed, "rows": result.rows})
                return redirect("admin:pledges_currencyrate_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Upload rates"),
            "form": form,
            "errors": errors,
            "rates_help": RATES_HELP,
        }
        return TemplateResponse(request, "admin/pledges/currencyrate/upload.html", context)


@admin.register(CurrencyRateUpload)
class CurrencyRateUploadAdmin(admin.ModelAdmin):
    """The history of the uploads: who, when, which file, what it changed, and the conversion
    of the pledges it concerned (a job: a failed one can be run again)."""

    list_display = ("uploaded_at", "file_name", "uploaded_by", "source", "changed_count",
                    "status", "pledges_converted")
    list_filter = ("status", "source")
    list_select_related = ("uploaded_by",)
    readonly_fields = ("uploaded_at", "uploaded_by", "file_name", "file_sha256", "file_format",
                       "source", "rows", "changes", "notes", "status", "pledges_converted",
                       "attempts", "last_error", "queued_at")
    fields = readonly_fields
    actions = ["convert_again"]

    @admin.display(description=_("rates added or changed"))
    def changed_count(self, upload):
        return len(upload.changes)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Convert the pledges of the selected failed uploads again"),
                  permissions=["change"])
    def convert_again(self, request, queryset):
        count = sum(rates.RATE_UPLOAD_JOBS.reset(upload.pk) for upload in queryset)
        self.message_user(request, ngettext(
            "%(count)d conversion queued again.", "%(count)d conversions queued again.", count
        ) % {"count": count})


@admin.register(CoalitionSettings)
class CoalitionSettingsAdmin(admin.ModelAdmin):
    """The one row of coalition-wide settings (the USD goal shown on the home page)."""

    list_display = ("__str__", "usd_goal", "updated_at")

    def has_add_permission(self, request) -> bool:
        return not CoalitionSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CatalogueMappingFilter(admin.SimpleListFilter):
    title = _("indicator from the catalogue")
    parameter_name = "mapped"

    def lookups(self, request, model_admin):
        return [("no", _("Not mapped (free text only)")), ("yes", _("Mapped"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(catalogue_indicator__isnull=True)
        if self.value() == "yes":
            return queryset.filter(catalogue_indicator__isnull=False)
        return queryset


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """Targets across pledges, to map the free-text ones to the indicator catalogue in bulk.
    Read only otherwise: a target is changed by its pledge's authors (or the desk's correction)."""

    list_display = ("indicator", "unit", "target_value", "target_date", "catalogue_indicator",
                    "pledge")
    list_filter = (CatalogueMappingFilter, "catalogue_indicator")
    list_select_related = ("pledge", "catalogue_indicator")
    search_fields = ("indicator", "unit", "pledge__reference", "pledge__title")
    actions = ["map_to_indicator"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # The list and its action only: a single target is not edited here.
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("Map the selected targets to a catalogue indicator…"),
                  permissions=["change"])
    def map_to_indicator(self, request, queryset):
        """Choose the indicator, see every change it would make (nothing is saved), then
        confirm: only the confirmation writes."""
        if not can_map_targets(request.user):
            raise PermissionDenied
        targets = list(queryset.select_related("pledge", "catalogue_indicator")
                       .order_by("pledge__reference", "position", "pk"))
        step = request.POST.get("step", "")
        form = MapTargetsForm(request.POST if step in ("preview", "confirm") else None)
        if step == "confirm" and form.is_valid():
            try:
                changed = services.targets_map_to_indicator(
                    user=request.user, target_ids=[target.pk for target in targets],
                    indicator_id=form.cleaned_data["indicator"].pk)
            except services.PledgeError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            self.message_user(request, ngettext(
                "%(count)d target now counts toward “%(indicator)s”.",
                "%(count)d targets now count toward “%(indicator)s”.", changed,
            ) % {"count": changed, "indicator": form.cleaned_data["indicator"].name})
            return None
        previewing = step in ("preview", "confirm") and form.is_valid()
        return TemplateResponse(request, "admin/pledges/target/map_to_indicator.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Map targets to a catalogue indicator"),
            "targets": targets,
            "form": form,
            "indicator": form.cleaned_data["indicator"] if previewing else None,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


class PartnershipChangeInline(ReadOnlyInline):
    model = PartnershipChange
    fields = ("created_at", "actor", "from_status", "to_status", "message")
    verbose_name_plural = _("history")


class PartnershipAmendmentInline(ReadOnlyInline):
    """The partner's proposed changes of its contribution; each opens on its own page, where
    the secretariat may answer on the pledge's entity's behalf."""

    model = PartnershipAmendment
    fields = ("proposed_at", "status", "contribution", "amount", "currency", "reason",
              "decided_by", "decided_at", "message")
    show_change_link = True
    verbose_name_plural = _("changes to partners' contributions")


@admin.register(Partnership)
class PartnershipAdmin(ReadOnlyAdminMixin, DecideWithMessageMixin, admin.ModelAdmin):
    """Every invitation, request to join and partnership, for the secretariat to follow. Only
    the entities themselves invite, accept, decline or end (pledges.partnerships); a request to
    join is the exception: the secretariat may accept or decline it on behalf of the pledge's
    entity, with a message, audited like any transition."""

    change_form_template = "admin/pledges/partnership/change_form.html"
    list_display = ("pledge", "entity", "role", "status", "invited_at", "accepted_at", "ended_at")
    list_filter = ("status", "role")
    search_fields = ("pledge__reference", "pledge__title", "entity__name", "entity__acronym")
    list_select_related = ("pledge", "entity")
    fields = ("pledge", "entity", "role", "status", "invited_by", "requested_by", "invited_at",
              "contribution", "amount", "currency", "usd_amount", "reminded_at", "accepted_at",
              "ended_at", "end_reason")
    readonly_fields = fields
    inlines = [PartnershipAmendmentInline, PartnershipChangeInline]

    # Accept or decline a request to join on behalf of the pledge's entity, with a message to
    # the asking entity (and the pledge's administrators).
    decision_transitions = partnerships.TRANSITIONS
    decision_who = "owner"
    decision_url_kwarg = "partnership_id"
    decision_refused = partnerships.PartnershipError
    decision_not_possible = _("%(action)s is not possible: this partnership is “%(status)s”.")
    decision_related = ("pledge__entity", "entity")

    def decision_context(self, request, obj) -> dict:
        return {"join_request_decisions": self.decision_links(request, obj)}

    def decision_allowed(self, user) -> bool:
        return can_answer_join_requests(user)

    def decision_take(self, *, obj, name, actor, message, expected_status) -> None:
        partnerships.partnership_transition(partnership_id=obj.pk, name=name, actor=actor,
                                            reason=message, expected_status=expected_status)

    def decision_done(self, obj, transition) -> str:
        return (_("%(partnership)s: “%(action)s” done; both entities have been emailed.")
                % {"partnership": obj, "action": transition.label})

    def decision_note(self, transition) -> str:
        return _("The pledge's administrators normally answer. You may answer on their behalf: "
                 "your message is emailed to both entities and kept in the partnership's "
                 "history.")


@admin.register(PartnershipAmendment)
class PartnershipAmendmentAdmin(ReadOnlyAdminMixin, DecideWithMessageMixin,
                                admin.ModelAdmin):
    """Accepted partners' proposed changes to their own contribution, with the values before
    once answered (pledges.partnerships). The pledge's administrators normally answer; the
    secretariat may approve or decline on their behalf, with a message kept on the proposal and
    emailed to both entities."""

    change_form_template = "admin/pledges/partnershipamendment/change_form.html"
    list_display = ("partnership", "status", "amount", "currency", "proposed_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("partnership__pledge__reference", "partnership__pledge__title",
                     "partnership__entity__name", "partnership__entity__acronym")
    list_select_related = ("partnership__pledge", "partnership__entity")
    fields = ("partnership", "status", "contribution", "amount", "currency", "usd_amount",
              "reason", "proposed_by", "proposed_at", "previous_contribution", "previous_amount",
              "previous_currency", "decided_by", "decided_at", "message")
    readonly_fields = fields

    decision_transitions = partnerships.AMENDMENT_TRANSITIONS
    decision_who = "owner"
    decision_url_kwarg = "amendment_id"
    decision_refused = partnerships.PartnershipError
    decision_not_possible = _("%(action)s is not possible: this proposal is “%(status)s”.")
    decision_related = ("partnership__pledge__entity", "partnership__entity")

    def decision_context(self, request, obj) -> dict:
        return {"proposal_review": {"proposal": obj, "partnership": obj.partnership,
                                    "decisions": self.decision_links(request, obj)}}

    def decision_allowed(self, user) -> bool:
        return can_answer_join_requests(user)

    def decision_take(self, *, obj, name, actor, message, expected_status) -> None:
        partnerships.partnership_amendment_transition(amendment_id=obj.pk, name=name,
                                                      actor=actor, message=message)

    def decision_done(self, obj, transition) -> str:
        return (_("%(partnership)s: “%(action)s” done; both entities have been emailed.")
                % {"partnership": obj.partnership, "action": transition.label})

    def decision_note(self, transition) -> str:
        return _("The pledge's administrators normally answer. You may answer on their behalf: "
                 "your message is emailed to both entities and kept with the proposal.")

    def decision_pledge(self, obj):
        return obj.partnership.pledge


class CampaignTagChangeInline(ReadOnlyInline):
    model = CampaignTagChange
    fields = ("created_at", "actor", "from_status", "to_status")
    verbose_name_plural = _("history")


@admin.register(CampaignTag)
class CampaignTagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Pledges their entities proposed for a campaign: the secretariat confirms or declines
    each (pledges.campaign_tags); only confirmed tags count on the campaign's page."""

    list_display = ("pledge", "campaign", "status", "proposed_by", "proposed_at", "decided_at")
    list_filter = ("status", "campaign")
    search_fields = ("pledge__reference", "pledge__title", "campaign__slug", "campaign__name_en")
    list_select_related = ("pledge", "campaign", "proposed_by")
    fields = ("pledge", "campaign", "status", "proposed_by", "proposed_at", "decided_at")
    readonly_fields = fields
    inlines = [CampaignTagChangeInline]
    actions = ["confirm_selected", "decline_selected"]

    def has_review_permission(self, request) -> bool:
        return can_review_campaign_tags(request.user)

    def _decide(self, request, queryset, name: str, done: str) -> None:
        count, refused = 0, []
        for tag in queryset.select_related("pledge", "campaign").order_by("pk"):
            try:
                campaign_tags.campaign_tag_transition(actor=request.user, tag_id=tag.pk,
                                                      name=name)
                count += 1
            except campaign_tags.CampaignTagError as error:
                refused.append(f"{tag}: {error}")
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("Confirm the selected proposed tags"), permissions=["review"])
    def confirm_selected(self, request, queryset):
        self._decide(request, queryset, "confirm", _("Tags confirmed: %(count)d."))

    @admin.action(description=_("Decline the selected proposed tags"), permissions=["review"])
    def decline_selected(self, request, queryset):
        self._decide(request, queryset, "decline", _("Tags declined: %(count)d."))


@admin.register(PledgeAmendment)
class PledgeAmendmentAdmin(ReadOnlyAdminMixin, DecideWithMessageMixin, admin.ModelAdmin):
    """Amendments of published pledges, reviewed on the desk beside new pledges: what the entity
    asks to change (field by field), why, and the decisions of pledges.amendment_workflow. Never
    edited here: the entity proposes, the secretariat decides."""

    change_form_template = "admin/pledges/pledgeamendment/change_form.html"
    change_list_template = "admin/pledges/pledgeamendment/change_list.html"
    list_display = ("pledge", "entity", "status", "submitted_at", "reason")
    list_filter = ("status",)
    search_fields = ("pledge__reference", "pledge__title", "entity__name", "reason")
    list_select_related = ("pledge", "entity")
    fields = ("pledge", "entity", "status", "reason", "answer", "message", "proposed_by",
              "created_at", "submitted_at", "decided_by", "decided_at")
    readonly_fields = fields

    decision_transitions = amendment_workflow.TRANSITIONS
    decision_url_kwarg = "amendment_id"
    decision_refused = amendment_workflow.AmendmentError
    decision_not_possible = _("%(action)s is not possible: this amendment is “%(status)s”.")
    decision_related = ("pledge__entity",)

    def has_module_permission(self, request) -> bool:
        return can_review_pledges(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_review_pledges(request.user)

    def decision_context(self, request, obj) -> dict:
        return {"amendment_review": {
            "amendment": obj,
            "changes": proposed_changes(obj.base, obj.proposed),
            "pledge_url": reverse("admin:pledges_pledge_change", args=[obj.pledge_id]),
            "decisions": self.decision_links(request, obj),
        }}

    def decision_allowed(self, user) -> bool:
        return can_review_pledges(user)

    def decision_take(self, *, obj, name, actor, message, expected_status) -> None:
        amendment_workflow.amendment_transition(amendment_id=obj.pk, name=name, actor=actor,
                                                message=message, expected_status=expected_status)

    def decision_done(self, obj, transition) -> str:
        return (_("%(amendment)s: “%(action)s” done; the entity has been emailed.")
                % {"amendment": obj, "action": transition.label})
