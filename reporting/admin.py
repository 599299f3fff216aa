"""The secretariat's side of reporting: cycles, the reports (read-only; hide / show again with
a reason), reminders (sent, failed, resend), the reminder settings, and compiled reports
(compile, follow progress, download, rebuild, publish)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.html import escape, format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from action_areas.admin import TranslatedNamesAdmin, translation_field_name
from action_areas.models import Campaign
from p2c_portal.admin import ReadOnlyAdminMixin, ReadOnlyInline
from p2c_portal.locale_formats import format_file_size
from p2c_portal.models import OutboundEmail
from pledges.admin import PledgeAdmin
from pledges.models import Pledge

from . import permissions
from .admin_filters import ReportingStatusFilter
from .compiled_report_downloads import compiled_report_file_response
from .forms import HideProgressReportForm
from .models import (
    ProgressReport,
    ProgressReportEvent,
    Reminder,
    ReminderSettings,
    ReportFile,
    ReportingCycle,
    ReportRun,
    TargetProgress,
)
from .services import compiled_reports as compiled_report_services
from .services import progress as progress_services
from .services.reminders import reminder_resend

# The pledge desk filters by reporting status, which this app computes. Reporting sits above
# pledges, so it extends the pledge admin here rather than pledges importing reporting.
admin.site.unregister(Pledge)


@admin.register(Pledge)
class PledgeWithReportingAdmin(PledgeAdmin):
    list_filter = (*PledgeAdmin.list_filter, ReportingStatusFilter)


@admin.register(ReportingCycle)
class ReportingCycleAdmin(TranslatedNamesAdmin):
    list_display = ("name_en", "period_start", "period_end", "opens_on", "due_on", "closes_on",
                    "state", "submitted_reports")
    search_fields = ("name_en", "name_translations")
    date_hierarchy = "due_on"
    def get_fieldsets(self, request, obj=None):
        (title, first), *others = self.fieldsets
        return [(title, {**first, "fields": (*first["fields"], *self.translation_fields())}),
                *others]

    fieldsets = (
        (None, {"fields": ("name_en",)}),
        (_("Period covered"), {
            "fields": ("period_start", "period_end"),
            "description": _("The cycle covers pledges that are published (not completed or "
                             "withdrawn), were published by the end of the period and started "
                             "before it ended."),
        }),
        (_("Dates"), {"fields": ("opens_on", "due_on", "closes_on")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            submitted_count=Count("reports", filter=Q(reports__status="submitted"))
        )

    @admin.display(description=_("submitted reports"), ordering="submitted_count")
    def submitted_reports(self, cycle: ReportingCycle) -> int:
        return cycle.submitted_count

    @admin.display(description=_("state"))
    def state(self, cycle: ReportingCycle) -> str:
        today = timezone.localdate()
        if today < cycle.opens_on:
            return _("Not open yet")
        if cycle.accepts_reports_on(today):
            return _("Open") if today <= cycle.due_on else _("Open (past due date)")
        return _("Closed")

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.reports.exists():
            return False  # reports keep their cycle
        return super().has_delete_permission(request, obj)


class TargetProgressInline(ReadOnlyInline):
    model = TargetProgress
    fields = ("indicator", "unit", "baseline", "target_value", "achieved_value")


class ProgressReportEventInline(ReadOnlyInline):
    model = ProgressReportEvent
    fields = ("created_at", "action", "actor", "message")


class VisibilityFilter(admin.SimpleListFilter):
    title = _("visibility")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("no", _("Public")), ("yes", _("Hidden by the secretariat"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Read only: the entity's words; the secretariat hides a report, it does not rewrite it.
    list_display = ("pledge", "entity", "cycle", "status", "implementation_status",
                    "percent_complete", "submitted_at", "visibility")
    list_filter = ("cycle", "status", "implementation_status", VisibilityFilter)
    list_select_related = ("pledge", "pledge__entity", "cycle", "entity")
    # "entity": who filed it, the pledging entity or a partner reporting its share.
    search_fields = ("pledge__title", "pledge__reference", "pledge__entity__name",
                     "entity__name")
    date_hierarchy = "submitted_at"
    inlines = [TargetProgressInline, ProgressReportEventInline]
    actions = ["hide_selected", "show_selected"]
    fields = ("pledge", "entity", "cycle", "status", "implementation_status", "percent_complete",
              "amount_disbursed", "currency", "usd_disbursed", "narrative", "evidence",
              "submitted_by", "submitted_at", "hidden_at", "hidden_by", "hidden_reason",
              "created_by", "created_at", "updated_by", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("visibility"), boolean=False)
    def visibility(self, report: ProgressReport) -> str:
        if report.hidden_at:
            return _("Hidden")
        return _("Public") if report.status == ProgressReport.Status.SUBMITTED else "—"

    @admin.display(description=_("evidence links"))
    def evidence(self, report: ProgressReport):
        if not report.evidence_links:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join(
            "", '<li><a href="{}" rel="noopener noreferrer nofollow">{}</a></li>',
            ((link, link) for link in report.evidence_links),
        ))

    def has_hide_permission(self, request) -> bool:
        return permissions.can_hide_progress_report(request.user)

    @admin.action(description=_("Hide the selected reports from the public (with a reason)"),
                  permissions=["hide"])
    def hide_selected(self, request, queryset):
        reports = list(queryset.select_related("pledge", "cycle").order_by("pk"))
        confirmed = request.POST.get("confirm") == "yes"
        form = HideProgressReportForm(request.POST if confirmed else None)
        if confirmed and form.is_valid():
            hidden = 0
            for report in reports:
                try:
                    progress_services.progress_report_hide(
                        actor=request.user, report_id=report.pk,
                        reason=form.cleaned_data["reason"],
                    )
                    hidden += 1
                except progress_services.ReportingError as error:
                    self.message_user(request, f"{report}: {error}", messages.WARNING)
            if hidden:
                self.message_user(
                    request,
                    ngettext("%(count)d report hidden; the entity has been emailed.",
                             "%(count)d reports hidden; the entities have been emailed.",
                             hidden) % {"count": hidden},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Hide progress reports"),
            "reports": reports,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "reporting/admin/hide_reports.html", context)

    @admin.action(description=_("Show the selected hidden reports again"), permissions=["hide"])
    def show_selected(self, request, queryset):
        shown = 0
        for report_id in queryset.filter(hidden_at__isnull=False).values_list("pk", flat=True):
            progress_services.progress_report_show(actor=request.user, report_id=report_id)
            shown += 1
        self.message_user(
            request,
            ngettext("%(count)d report shown again.", "%(count)d reports shown again.", shown)
            % {"count": shown},
            messages.SUCCESS if shown else messages.WARNING,
        )


class DeliveryFilter(admin.SimpleListFilter):
    """Whether the reminder's emails reached the mail server (the outbox's status)."""

    title = _("email delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("failed", _("An email failed")), ("uncertain", _("An email may not have arrived")),
                ("waiting", _("Waiting to be delivered")), ("delivered", _("Delivered"))]

    def queryset(self, request, queryset):
        failed = Q(emails__status=OutboundEmail.Status.FAILED)
        uncertain = Q(emails__status=OutboundEmail.Status.UNCERTAIN)
        waiting = Q(emails__status__in=[OutboundEmail.Status.PENDING,
                                        OutboundEmail.Status.SENDING])
        if self.value() == "failed":
            return queryset.filter(
                Q(status=Reminder.Status.FAILED) | Q(pk__in=Reminder.objects.filter(failed))
            )
        if self.value() == "uncertain":
            return queryset.filter(pk__in=Reminder.objects.filter(uncertain))
        if self.value() == "waiting":
            return queryset.filter(pk__in=Reminder.objects.filter(waiting))
        if self.value() == "delivered":
            return queryset.filter(status=Reminder.Status.SENT).exclude(
                pk__in=Reminder.objects.filter(failed | uncertain | waiting)
            )
        return queryset


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("kind", "about", "due_on", "status", "delivery", "attempts", "created_at",
                    "sent_at")
    list_filter = ("status", DeliveryFilter, "kind", "due_on")
    search_fields = ("target_key", "pledge__title", "pledge__reference")
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = ("kind", "about", "due_on", "status", "skip_reason", "attempts", "last_error",
              "delivery", "email_links", "created_at", "queued_at", "claimed_at", "sent_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pledge", "cycle").prefetch_related(
            "emails"
        )

    @admin.display(description=_("about"))
    def about(self, reminder: Reminder) -> str:
        if reminder.pledge and reminder.cycle:
            return f"{reminder.pledge} — {reminder.cycle}"
        if reminder.pledge:
            return str(reminder.pledge)
        return str(_("The secretariat"))

    @admin.display(description=_("email delivery"))
    def delivery(self, reminder: Reminder) -> str:
        statuses = {email.status for email in reminder.emails.all()}
        if not statuses:
            return "—"
        if OutboundEmail.Status.FAILED in statuses:
            return _("An email failed")
        if OutboundEmail.Status.UNCERTAIN in statuses:
            return _("An email may not have arrived")
        if statuses - {OutboundEmail.Status.SENT}:
            return _("Waiting to be delivered")
        return _("Delivered")

    @admin.display(description=_("emails"))
    def email_links(self, reminder: Reminder):
        emails = list(reminder.emails.all())
        if not emails:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join(
            "", '<li><a href="{}">{}</a> — {}</li>',
            ((reverse("admin:p2c_portal_outboundemail_change", args=[email.pk]),
              ", ".join(email.to), email.get_status_display()) for email in emails),
        ))

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("reporting.change_reminder")

    @admin.action(description=_("Send the selected failed reminders again"),
                  permissions=["resend"])
    def resend(self, request, queryset):
        count = sum(reminder_resend(reminder_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d reminder or email queued again.",
                     "%(count)d reminders or emails queued again.", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    """The one row that says which reminders go out, and when."""

    list_display = ("__str__", "updated_at")
    fieldsets = (
        (_("Draft pledges"), {"fields": ("draft_untouched_enabled", "draft_untouched_days")}),
        (_("Requested changes"), {"fields": ("changes_requested_enabled",
                                             "changes_requested_days")}),
        (_("Progress reports"), {"fields": (
            "report_due_soon_enabled", "report_due_soon_days", "report_due_today_enabled",
            "report_overdue_enabled", "report_overdue_days")}),
        (_("Secretariat"), {"fields": ("weekly_digest_enabled", "weekly_digest_weekday")}),
    )

    def changelist_view(self, request, extra_context=None):
        # Asked here as on every page of the desk: other staff get a 403, not a redirect.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = ReminderSettings.load()
        return HttpResponseRedirect(
            reverse("admin:reporting_remindersettings_change", args=[row.pk])
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Compiled reports ------------------------------------------------------------


class CompiledReportRequestForm(forms.ModelForm):
    """What the secretariat asks for; checked by
    reporting.services.compiled_reports.compiled_report_parameters, whose messages appear next to
    the fields."""

    class Meta:
        model = ReportRun
        fields = ("kind", "event", "cutoff", "cycle", "filter_query", "as_of", "languages",
                  "title_en")
        widgets = {"filter_query": forms.Textarea(attrs={"rows": 2})}
        # The admin shows help texts as HTML; this one's example holds "&region=".
        help_texts = {"filter_query": lazy(
            lambda: escape(ReportRun._meta.get_field("filter_query").help_text), str)()}

    campaign = forms.ModelChoiceField(
        label=_("campaign"), queryset=Campaign.objects.public(), required=False,
        to_field_name="slug",
        help_text=_("Custom reports: only the pledges the secretariat confirmed in this "
                    "campaign by the report date (with the filters above, if any)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parameters = None
        if "as_of" not in self.fields:  # a compiled run's page: every field is read-only
            return
        self.fields["as_of"].required = False
        self.fields["as_of"].help_text = _(
            "Empty: the cut-off date (event reports), the end of the period (cycle reports) or "
            "today (custom reports). Country groupings (LDC, LLDC, SIDS) are those of this day."
        )
        self.fields["title_en"].required = False
        for name, field in self.fields.items():
            if name.startswith("title_"):
                field.help_text = _("Empty: a title is made from the parameters.")
        # Named in the page's language (Django's own names: "anglais", "chinois simplifié").
        offered = [(code, capfirst(translation.get_language_info(code)["name_translated"]))
                   for code, _name in settings.LANGUAGES]
        self.fields["languages"] = forms.MultipleChoiceField(
            label=_("languages"), choices=offered, initial=[code for code, _name in offered],
            widget=forms.CheckboxSelectMultiple,
            help_text=_("The report's files are written in each language ticked."),
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.parameters = compiled_report_services.compiled_report_parameters(
                kind=data.get("kind") or "", event=data.get("event"), cutoff=data.get("cutoff"),
                cycle=data.get("cycle"), filter_query=data.get("filter_query") or "",
                as_of=data.get("as_of"), campaign=data.get("campaign"),
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages_)
        return data


class CompiledReportFileInline(ReadOnlyInline):
    model = ReportFile
    fields = ("language", "format", "size_display", "download")

    @admin.display(description=_("size"))
    def size_display(self, report_file: ReportFile) -> str:
        return format_file_size(report_file.size)

    @admin.display(description=_("file"))
    def download(self, report_file: ReportFile):
        url = reverse("admin:reporting_reportrun_file",
                      args=[report_file.run_id, report_file.language, report_file.format])
        return format_html('<a href="{}">{}</a>', url, _("Download"))


@admin.register(ReportRun)
class CompiledReportAdmin(TranslatedNamesAdmin):
    form = CompiledReportRequestForm
    translated_fields = ("title",)
    change_form_template = "admin/reporting/reportrun/change_form.html"
    list_display = ("__str__", "kind", "as_of", "state", "is_published", "created_at")
    list_filter = ("kind", "status", "is_published")
    search_fields = ("title_en", "title_translations")
    date_hierarchy = "created_at"
    inlines = [CompiledReportFileInline]
    shown_fields = ("kind", "title_en", "title_translations", "languages", "event", "cutoff",
                    "cycle", "filter_query",
                    "as_of", "edition", "rebuild_of", "status", "progress", "progress_note",
                    "attempts", "error", "requested_by", "created_at", "started_at",
                    "heartbeat_at", "finished_at", "is_published", "published_at")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("figures")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:  # a compiled run's page: read-only, no fields per language
            form = admin.ModelAdmin.get_form(self, request, obj, change, **kwargs)
        else:
            form = super().get_form(request, obj, change, **kwargs)
        for name in ("event", "cycle"):  # choose one; editing them is done on their own pages
            widget = form.base_fields.get(name) and form.base_fields[name].widget
            if widget is not None and hasattr(widget, "can_delete_related"):
                widget.can_delete_related = widget.can_change_related = False
                widget.can_view_related = False
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            fields = list(CompiledReportRequestForm.Meta.fields)
            fields.insert(fields.index("filter_query") + 1, "campaign")
            return [*fields, *self.translation_fields()]
        return self.shown_fields

    def get_readonly_fields(self, request, obj=None):
        return self.shown_fields if obj is not None else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a run is never edited: it is compiled, rebuilt, published

    def view_on_site(self, run: ReportRun):
        """The public page, only once the report is published (else the button leads to a
        404)."""
        return run.get_absolute_url() if run.is_published else None

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a compiled report is a record; unpublish it instead

    @admin.display(description=_("status"), ordering="status")
    def state(self, run: ReportRun) -> str:
        if run.status == ReportRun.Status.RUNNING:
            return _("Compiling (%(progress)d %%)") % {"progress": run.progress}
        return run.get_status_display()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        run, created = compiled_report_services.compiled_report_request(
            parameters=form.parameters, actor=request.user,
            titles={"en": data.get("title_en") or "",
                    **{code: data.get(translation_field_name("title", code)) or ""
                       for code, _name in settings.LANGUAGES}},
            languages=data.get("languages"),
        )
        if not created:
            messages.info(request, _("This report was asked for before: here it is. Use "
                                     "“Rebuild” for a new edition from today's data."))
        obj.pk = run.pk
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        # Not "being compiled": the task is queued when this request commits, and a quick
        # worker (or eager tasks) has compiled the report before the page below is shown.
        messages.success(request, _("Report requested. This page shows its compilation and, "
                                    "once it is done, its files."))
        return HttpResponseRedirect(reverse("admin:reporting_reportrun_change", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "run": run,
                         "can_compile": request.user.has_perm("reporting.add_reportrun"),
                         "can_publish": request.user.has_perm("reporting.publish_reportrun")}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path("<int:run_id>/file/<str:language>/<str:file_format>/",
                 self.admin_site.admin_view(self.file_view), name="reporting_reportrun_file"),
            path("<int:run_id>/action/<str:action>/",
                 self.admin_site.admin_view(self.action_view), name="reporting_reportrun_action"),
            *super().get_urls(),
        ]

    def file_view(self, request, run_id: int, language: str, file_format: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        report_file = get_object_or_404(ReportFile, run_id=run_id, language=language,
                                        format=file_format)
        return compiled_report_file_response(report_file)

    ACTIONS = {
        "publish": "reporting.publish_reportrun",
        "unpublish": "reporting.publish_reportrun",
        "rebuild": "reporting.add_reportrun",
        "retry": "reporting.add_reportrun",
    }

    def action_view(self, request, run_id: int, action: str):
        permission = self.ACTIONS.get(action)
        if permission is None or not request.user.has_perm(permission):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        run = get_object_or_404(ReportRun, pk=run_id)
        target = run
        try:
            if action in ("publish", "unpublish"):
                changed = compiled_report_services.compiled_report_set_published(
                    run=run, published=action == "publish")
                if changed and action == "publish":
                    self.log_change(request, run, _("Published on the Reports page"))
                    messages.success(request, _("Published: the report is on the public "
                                                "Reports page."))
                elif changed:
                    self.log_change(request, run, _("Unpublished"))
                    messages.success(request, _("Unpublished: the report is no longer public."))
            elif action == "rebuild":
                target = compiled_report_services.compiled_report_rebuild(
                    run=run, actor=request.user)
                self.log_change(request, run, _("Rebuilt as edition %(edition)d")
                                % {"edition": target.edition})
                messages.success(request, _("Edition %(edition)d is being compiled from "
                                            "today's data; edition %(old)d stays as it is.")
                                 % {"edition": target.edition, "old": run.edition})
            elif compiled_report_services.compiled_report_retry(run=run):
                self.log_change(request, run, _("Compiled again after a failure"))
                messages.success(request, _("The report is being compiled again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("admin:reporting_reportrun_change", args=[target.pk]))
