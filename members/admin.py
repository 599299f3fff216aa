from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from p2c_portal.admin import ReadOnlyAdminMixin, ReadOnlyInline
from p2c_portal.admin_autocomplete import KeyCheckingAutocompleteMixin
from spreadsheets.admin_desk import DeskImportExportMixin, ReadOnlyHistoryMixin

from . import desk_selectors, services, workflow
from .desk_admin import AssignedToFilter, ReviewDeskAdmin
from .models import (
    Entity,
    EntityIdentityChange,
    EntityStatusChange,
    Invitation,
    JoinRequest,
    Membership,
    MembershipChange,
    User,
)
from .permissions import can_review_identity_change, can_vet_entities
from .resources import EntityResource


def transition_page(model_admin, request, *, form, text_field, transition, perform, done_message,
                    change_url, template, context, title_object):
    """The secretariat's page for one workflow transition (vetting an entity, deciding an identity
    change): the form with its message, the transition done through the workflow, and the
    workflow's refusal shown on the field when the message is missing, else back on the record."""
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data[text_field]
        try:
            perform(text)
        except workflow.TransitionError as error:
            if not (transition.message_required and not text.strip()):
                messages.error(request, str(error))
                return redirect(change_url)
            form.add_error(text_field, str(error))
        else:
            messages.success(request, done_message)
            return redirect(change_url)
    return TemplateResponse(request, template, {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **context,  # "object" is the breadcrumb of admin/desk/action_page.html
        "transition": transition,
        "form": form,
        "change_url": change_url,
        "title": _("%(action)s: %(entity)s") % {"action": transition.label,
                                                 "entity": title_object},
    })

@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = (
        "email",
        "full_name",
        "preferred_language",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "preferred_language")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")


# --- Entity vetting desk --------------------------------------------------------------------------


class TransitionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )


class MembershipInlineForm(forms.ModelForm):
    """A row of the team: the person of an existing membership is fixed (someone else joining
    is a new row, and the audit trail says who left and who joined)."""

    class Meta:
        model = Membership
        fields = ("user", "role")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "user" in self.fields:
            self.fields["user"].disabled = True


class MembershipInline(KeyCheckingAutocompleteMixin, admin.TabularInline):
    """Saved by EntityAdmin.save_formset through members.services.entity_team_change."""

    model = Membership
    form = MembershipInlineForm
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


class TeamChangeInline(ReadOnlyInline):
    model = MembershipChange
    fields = ("created_at", "person", "from_role", "to_role", "actor")
    verbose_name_plural = _("team history")


class IdentityChangeInline(ReadOnlyInline):
    """The entity's requested changes of name, group or country; decided from their own page."""

    model = EntityIdentityChange
    fk_name = "entity"
    fields = ("requested_at", "requested_by", "name", "status", "decided_by", "reason")
    show_change_link = True


class StatusChangeInline(ReadOnlyInline):
    model = EntityStatusChange
    fields = ("created_at", "actor", "from_status", "to_status", "message")


@admin.register(Entity)
class EntityAdmin(KeyCheckingAutocompleteMixin, ReviewDeskAdmin, DeskImportExportMixin,
                  ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    # Import and export (spreadsheets.admin_desk): members.import_entity / members.export_entity.
    resource_classes = [EntityResource]
    import_help_template = "admin/members/entity/import_help.html"
    list_display = (
        "name",
        "acronym",
        "stakeholder_group",
        "headquarters_country",
        "status",
        "applied_at",
        "assignee",
    )
    list_filter = (
        AssignedToFilter,  # first: "assigned to me" is a reviewer's own queue
        "status",
        "stakeholder_group",
        "headquarters_country__region",
        "headquarters_country",
    )
    search_fields = ("name", "acronym", "website", "contact_email")
    list_select_related = ("headquarters_country", "assigned_to")
    date_hierarchy = "applied_at"
    readonly_fields = (
        "status",
        "applied_by",
        "applied_at",
        "decided_at",
        "updated_at",
        "decision_buttons",
    )
    autocomplete_fields = ("headquarters_country",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MembershipInline, IdentityChangeInline, StatusChangeInline, TeamChangeInline]
    actions = ["approve_selected", "assign_selected_to_me", "assign_selected", "unassign_selected"]
    # The desk's assignment and internal notes (members.desk_admin), as on the pledge desk.
    review_permission = services.VET_PERMISSION
    note_view_permission = "members.view_entitynote"
    note_add_permission = "members.add_entitynote"
    refusals = (services.MembersError,)
    fieldsets = (
        (
            _("Decision"),
            {"fields": ("status", "decision_buttons", "applied_by", "applied_at", "decided_at")},
        ),
        (
            _("Public profile"),
            {
                "fields": (
                    "name",
                    "acronym",
                    "stakeholder_group",
                    "sub_type",
                    "headquarters_country",
                    "website",
                    "description",
                    "contact_email",
                )
            },
        ),
        (
            _("Joining criteria"),
            {
                "fields": (
                    "commitment_evidence",
                    "commitment_links",
                    "pledge_readiness",
                    "leader_name",
                    "leader_title",
                    "leader_attends_roundtable",
                    "consent_public_reporting",
                )
            },
        ),
    )

    # The queue first: open applications, oldest first; then those waiting for the applicant;
    # then everything else.
    ordering = (
        Case(
            When(status=Entity.Status.APPLIED, then=Value(0)),
            When(status=Entity.Status.MORE_INFO_REQUESTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ).asc(),
        "applied_at",
        "pk",
    )

    def assign(self, *, actor, record_ids, assignee_id) -> int:
        return services.entity_assign(actor=actor, entity_ids=record_ids,
                                      assignee_id=assignee_id)

    def note_add(self, *, author, record_id: int, text: str) -> None:
        services.entity_note_add(author=author, entity_id=record_id, text=text)

    def internal_notes(self, record_id: int):
        return desk_selectors.entity_internal_notes(record_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        entity = self.get_object(request, object_id)
        if entity is not None and self.has_view_or_change_permission(request, entity):
            # The application form's similarity check, for the secretariat: over every status.
            extra_context["duplicates"] = desk_selectors.entity_possible_duplicates(entity)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("Decisions"))
    def decision_buttons(self, entity: Entity):
        if entity.pk is None:
            return "—"
        request = getattr(self, "_request", None)
        user = request.user if request else None
        allowed = workflow.allowed_transitions(entity, user)
        if not allowed:
            return "—"
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse("admin:members_entity_transition", args=[entity.pk, t.name]), t.label)
                for t in allowed
            ),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        self._request = request
        return super().get_form(request, obj, change, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A refused team change (the last administrator): the whole save was rolled back.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.MembersError as error:
            messages.error(request, str(error))
            return redirect(request.get_full_path())

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # what changed, written below by the service
        if formset.new_objects or formset.changed_objects or formset.deleted_objects:
            services.entity_team_change(
                actor=request.user,
                entity_id=form.instance.pk,
                add={m.user_id: m.role for m in formset.new_objects},
                roles={m.pk: m.role for m, _fields in formset.changed_objects},
                remove={m.pk for m in formset.deleted_objects},
            )
        return None

    def get_urls(self):
        return [
            path(
                "<int:entity_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="members_entity_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, entity_id: int, name: str):
        entity = get_object_or_404(Entity, pk=entity_id)
        transition = workflow.TRANSITIONS.get(name)
        if transition is None or transition.who != "secretariat":
            raise PermissionDenied
        if not can_vet_entities(request.user):
            raise PermissionDenied
        return transition_page(
            self, request, form=TransitionForm(request.POST or None), text_field="message",
            transition=transition,
            perform=lambda text: workflow.entity_transition(
                entity_id=entity.pk, name=name, actor=request.user, message=text),
            done_message=_("%(entity)s: %(action)s done; the applicant has been emailed.")
            % {"entity": entity, "action": transition.label},
            change_url=reverse("admin:members_entity_change", args=[entity.pk]),
            template="admin/members/entity/transition.html",
            context={"entity": entity, "object": entity},
            title_object=entity,
        )

    @admin.action(description=_("Approve the selected applications"))
    def approve_selected(self, request, queryset):
        if not can_vet_entities(request.user):
            raise PermissionDenied
        approved, refused = 0, []
        for entity_id, name in queryset.values_list("pk", "name"):
            try:
                workflow.entity_transition(entity_id=entity_id, name="approve", actor=request.user)
                approved += 1
            except workflow.TransitionError as error:
                refused.append(_("%(entity)s: %(error)s") % {"entity": name, "error": error})
        if approved:
            self.message_user(
                request,
                _("%(count)d applications approved.") % {"count": approved},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.WARNING)


@admin.register(Membership)
class MembershipAdmin(KeyCheckingAutocompleteMixin, admin.ModelAdmin):
    """Every save and deletion goes through members.services (the rule that an entity keeps an
    administrator, the audit trail); a refusal is a message, and nothing is saved."""

    list_display = ("user", "entity", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "entity__name")
    list_select_related = ("user", "entity")
    autocomplete_fields = ("user", "entity")

    def get_readonly_fields(self, request, obj=None):
        # A membership changes role; another person or entity is another membership.
        return ("user", "entity", "created_at") if obj is not None else ("created_at",)

    def save_model(self, request, obj, form, change):
        if change:
            services.membership_change_role(
                actor=request.user, membership_id=obj.pk, role=obj.role
            )
            return
        membership = services.membership_add(
            actor=request.user, entity_id=obj.entity_id, user_id=obj.user_id, role=obj.role
        )
        obj.pk, obj.created_at = membership.pk, membership.created_at

    def delete_model(self, request, obj):
        services.membership_remove(actor=request.user, membership_id=obj.pk)

    def delete_queryset(self, request, queryset):
        by_entity: dict[int, set[int]] = {}
        for pk, entity_id in queryset.values_list("pk", "entity_id"):
            by_entity.setdefault(entity_id, set()).add(pk)
        with transaction.atomic():  # all of them, or none
            for entity_id, memberships in by_entity.items():
                services.entity_team_change(
                    actor=request.user, entity_id=entity_id, remove=memberships
                )

    def _refused(self, request, error, url):
        messages.error(request, str(error))
        return redirect(url)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.MembersError as error:
            return self._refused(request, error, request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except services.MembersError as error:
            return self._refused(
                request, error, reverse("admin:members_membership_change", args=[object_id])
            )

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except services.MembersError as error:
            return self._refused(request, error, request.get_full_path())


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written here: the members' pages write these through members.services
    (emails, tokens, the team's audit trail), and their status is never a form field."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "email",
        "entity",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    search_fields = ("email", "entity__name")
    list_select_related = ("entity",)
    readonly_fields = ("token_hash",)


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ("user", "entity", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("user__email", "entity__name")
    list_select_related = ("user", "entity")


class IdentityDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (emailed to the entity's administrators)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )


@admin.register(EntityIdentityChange)
class EntityIdentityChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The queue of approved entities' changes of name, stakeholder group or country. Rows are
    written by members.services and members.workflow only; here the secretariat decides."""

    list_display = ("entity", "previous_name", "name", "status", "requested_by", "requested_at")
    list_filter = ("status",)
    search_fields = ("entity__name", "name", "previous_name")
    list_select_related = ("entity", "requested_by")
    fields = (
        "entity", "status", "decision_buttons",
        "previous_name", "name",
        "previous_stakeholder_group", "stakeholder_group",
        "previous_headquarters_country", "headquarters_country",
        "requested_by", "requested_at", "decided_by", "decided_at", "reason",
    )
    readonly_fields = fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._request = request  # decision_buttons asks who is looking
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("Decisions"))
    def decision_buttons(self, change: EntityIdentityChange):
        request = getattr(self, "_request", None)
        if (change.status != EntityIdentityChange.Status.PENDING or request is None
                or not can_review_identity_change(request.user, change.entity)):
            return "—"
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse("admin:members_entityidentitychange_decide",
                         args=[change.pk, transition.name]), transition.label)
                for transition in workflow.IDENTITY_TRANSITIONS.values()
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:change_id>/decide/<str:name>/",
                self.admin_site.admin_view(self.decide_view),
                name="members_entityidentitychange_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, change_id: int, name: str):
        change = get_object_or_404(EntityIdentityChange.objects.select_related("entity"),
                                   pk=change_id)
        transition = workflow.IDENTITY_TRANSITIONS.get(name)
        if transition is None or not can_review_identity_change(request.user, change.entity):
            raise PermissionDenied
        return transition_page(
            self, request, form=IdentityDecisionForm(request.POST or None), text_field="reason",
            transition=transition,
            perform=lambda text: workflow.identity_change_transition(
                change_id=change.pk, name=name, actor=request.user, reason=text),
            done_message=_("%(entity)s: %(action)s done; its administrators have been emailed.")
            % {"entity": change.entity, "action": transition.label},
            change_url=reverse("admin:members_entityidentitychange_change", args=[change.pk]),
            template="admin/members/entityidentitychange/decide.html",
            context={"change": change, "object": change},
            title_object=change.entity,
        )
