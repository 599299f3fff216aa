"""The secretariat's desk, shared by every queue it works (entity applications here, pledges in
pledges.admin, and the amendments of issue #17): assigning records to a reviewer, the "Assigned
to" filter and column, and internal notes, on the change page, in bulk, and in the history.

A ModelAdmin mixes ReviewDeskAdmin in and says what differs: the permission that decides on its
records, the service that assigns them, its notes' service, selector and permissions. Every write
goes through those services; this module only shows and routes.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from p2c_portal.locale_formats import format_datetime

from .desk_selectors import reviewers
from .models import InternalNote
from .permissions import can_assign_reviews, can_read_internal_notes, can_write_internal_notes


class AssignedToFilter(admin.SimpleListFilter):
    """Assigned to: anyone (the default) / me / nobody. "Me" is the first choice, and the admin
    home's counters open it directly."""

    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("me")), ("nobody", _("nobody (unassigned)"))]

    def choices(self, changelist):
        choices = super().choices(changelist)
        everyone = next(choices)  # Django's "All"
        yield {**everyone, "display": _("anyone")}
        yield from choices

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class ReadableHistoryValues(HistoricalRecordContextHelper):
    """A history row's changes as the desk reads them: a choice by its label in the page's
    language, a person or record by its name, a moment in the page's format, "—" for nothing;
    never `None`, an id or a stored code ("assigned to: — → Sara Secretariat")."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "—"
        if isinstance(value, list | dict):
            return super().prepare_delta_change_value(change, value)
        if isinstance(value, datetime.datetime):
            return format_datetime(value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.many_to_one:  # the admin's diff gives the related rows themselves
            if isinstance(value, DeletedObject) and value.pk is None:
                return "—"  # how simple-history gives an empty foreign key
            return str(value)
        return value


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"), queryset=None, required=False,
        empty_label=_("Nobody (unassigned)"),
    )

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers(permission)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("New internal note"),
        max_length=InternalNote._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Seen by the secretariat only: never by the entity, the public, in exports "
                    "or in emails."),
    )


class ReviewDeskAdmin:
    """Mixin of a ModelAdmin whose model is a members.models.ReviewAssignment."""

    # Filled in by each admin.
    review_permission: str = ""  # who decides on these records, e.g. "pledges.review_pledge"
    note_view_permission: str = ""  # e.g. "pledges.view_pledgenote"
    note_add_permission: str = ""  # e.g. "pledges.add_pledgenote"
    refusals: tuple[type[Exception], ...] = ()  # the services' errors whose message is shown

    def assign(self, *, actor, record_ids, assignee_id) -> int:
        raise NotImplementedError

    def note_add(self, *, author, record_id: int, text: str) -> None:
        raise NotImplementedError

    def internal_notes(self, record_id: int):
        raise NotImplementedError

    # --- the list: column, filter (added by the admin to its list_filter), bulk actions

    @admin.display(description=_("assigned to"), ordering="assigned_to__email")
    def assignee(self, record):
        return record.assigned_to or "—"

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_assign_reviews(request.user, permission=self.review_permission):
            for name in ("assign_selected_to_me", "assign_selected", "unassign_selected"):
                actions.pop(name, None)
        return actions

    def _assign_with_message(self, request, record_ids, assignee_id) -> None:
        try:
            changed = self.assign(actor=request.user, record_ids=record_ids,
                                  assignee_id=assignee_id)
        except self.refusals as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d record reassigned.", "%(count)d records reassigned.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Assign the selected to me"))
    def assign_selected_to_me(self, request, queryset):
        self._assign_with_message(request, queryset.values_list("pk", flat=True), request.user.pk)

    @admin.action(description=_("Unassign the selected"))
    def unassign_selected(self, request, queryset):
        self._assign_with_message(request, queryset.values_list("pk", flat=True), None)

    @admin.action(description=_("Assign the selected to a reviewer…"))
    def assign_selected(self, request, queryset):
        if not can_assign_reviews(request.user, permission=self.review_permission):
            raise PermissionDenied
        records = list(queryset.select_related("assigned_to").order_by("pk"))
        confirmed = request.POST.get("confirm") == "yes"
        form = AssignForm(request.POST if confirmed else None, permission=self.review_permission)
        if confirmed and form.is_valid():
            reviewer = form.cleaned_data["reviewer"]
            self._assign_with_message(request, [r.pk for r in records],
                                      reviewer.pk if reviewer else None)
            return None
        return TemplateResponse(request, "admin/desk/assign_selected.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Assign to a reviewer"),
            "records": records,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    # --- the change page: assignment and notes, each a small form of its own

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:record_id>/assign/", self.admin_site.admin_view(self.assign_view),
                 name=f"{info}_assign"),
            path("<int:record_id>/notes/add/", self.admin_site.admin_view(self.note_add_view),
                 name=f"{info}_note_add"),
            *super().get_urls(),
        ]

    def _change_url(self, record_id: int) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                       args=[record_id])

    def assign_view(self, request, record_id: int):
        if request.method != "POST":
            return redirect(self._change_url(record_id))
        get_object_or_404(self.model, pk=record_id)
        if request.POST.get("to") == "me":
            assignee_id = request.user.pk
        else:
            form = AssignForm(request.POST, permission=self.review_permission)
            if not form.is_valid():
                messages.error(request, _("Only a reviewer of the secretariat can be assigned."))
                return redirect(self._change_url(record_id))
            reviewer = form.cleaned_data["reviewer"]
            assignee_id = reviewer.pk if reviewer else None
        try:
            self.assign(actor=request.user, record_ids=[record_id], assignee_id=assignee_id)
        except self.refusals as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Assignment saved."))
        return redirect(self._change_url(record_id))

    def note_add_view(self, request, record_id: int):
        if request.method != "POST":
            return redirect(self._change_url(record_id))
        get_object_or_404(self.model, pk=record_id)
        form = NoteForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("text", [])))
            return redirect(self._change_url(record_id))
        try:
            self.note_add(author=request.user, record_id=record_id,
                          text=form.cleaned_data["text"])
        except self.refusals as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Internal note added."))
        return redirect(self._change_url(record_id) + "#internal-notes")

    def desk_context(self, request, record) -> dict:
        """The change page's assignment and notes (admin/desk/assignment_and_notes.html)."""
        user = request.user
        may_assign = can_assign_reviews(user, permission=self.review_permission)
        may_read_notes = can_read_internal_notes(user, permission=self.note_view_permission)
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return {
            "record": record,
            "may_assign": may_assign,
            "assign_form": AssignForm(
                initial={"reviewer": record.assigned_to_id}, permission=self.review_permission,
            ) if may_assign else None,
            "assign_url": reverse(f"admin:{info}_assign", args=[record.pk]),
            "assigned_to_me": record.assigned_to_id == user.pk,
            "may_read_notes": may_read_notes,
            "notes": list(self.internal_notes(record.pk)) if may_read_notes else [],
            "note_form": NoteForm() if can_write_internal_notes(
                user, permission=self.note_add_permission) else None,
            "note_add_url": reverse(f"admin:{info}_note_add", args=[record.pk]),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        record = self.get_object(request, object_id)
        if record is not None and self.has_view_or_change_permission(request, record):
            extra_context["desk"] = self.desk_context(request, record)
        return super().change_view(request, object_id, form_url, extra_context)

    # --- the history page: readable changes, and the notes next to them

    object_history_template = "admin/desk/object_history_with_notes.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryValues(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        extra_context = dict(extra_context or {})
        record = self.get_object(request, object_id)
        if record is not None and can_read_internal_notes(
            request.user, permission=self.note_view_permission
        ):
            extra_context["internal_notes"] = list(self.internal_notes(record.pk))
        return super().history_view(request, object_id, extra_context)
