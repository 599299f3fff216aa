"""The secretariat's desk for needs and introductions: needs are reviewed through their
workflow (one page per decision), introductions are followed and made; nothing here writes a
status by hand."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from p2c_portal.admin import ReadOnlyAdminMixin, ReadOnlyInline
from pledges.models import Pledge

from . import permissions, services, workflow
from .models import Introduction, Need, NeedStatusChange


class DecisionForm(forms.Form):
    message = forms.CharField(label=gettext_lazy("Message to the entity"), required=False,
                              max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    met_by_pledge = forms.IntegerField(
        label=gettext_lazy("Met by pledge number"), required=False, min_value=1,
        max_value=2**31 - 1,
        help_text=gettext_lazy("The number of the published pledge that met it (its page's "
                               "address ends with it); its public page then links the pledge."))
    expected_status = forms.CharField(widget=forms.HiddenInput)


class IntroduceForm(forms.Form):
    pledge = forms.IntegerField(label=gettext_lazy("Pledge number"), min_value=1,
                                max_value=2**31 - 1)
    message = forms.CharField(label=gettext_lazy("Message to both sides"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 4}))


class NeedStatusChangeInline(ReadOnlyInline):
    model = NeedStatusChange
    fields = ["created_at", "actor", "from_status", "to_status", "message"]


@admin.register(Need)
class NeedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Needs are written by their entity; the desk reads them here and decides through the
    # workflow's pages.
    list_display = ["title", "entity", "support_kind", "status", "submitted_at", "published_at"]
    list_filter = ["status", "support_kind", "entity__stakeholder_group"]
    search_fields = ["title", "entity__name", "entity__acronym"]
    list_select_related = ["entity"]
    readonly_fields = ["entity", "created_by", "status", "submitted_at", "published_at",
                       "ended_at", "met_by_pledge", "usd_amount", "created_at", "updated_at"]
    fields = ["entity", "title", "description", "support_kind", "action_areas", "pillars",
              "countries", "amount", "currency", "open_until", *readonly_fields[1:]]
    filter_horizontal = ["action_areas", "pillars", "countries"]
    inlines = [NeedStatusChangeInline]
    change_form_template = "admin/matchmaking/need/change_form.html"

    def get_urls(self):
        return [
            path("<int:need_id>/transition/<str:name>/",
                 self.admin_site.admin_view(self.transition_view),
                 name="matchmaking_need_transition"),
            path("<int:need_id>/introduce/", self.admin_site.admin_view(self.introduce_view),
                 name="matchmaking_need_introduce"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        need = Need.objects.filter(pk=object_id).select_related("entity").first()
        transitions = [] if need is None else [
            t for t in workflow.allowed_transitions(need, request.user)
            if t.who in ("secretariat", "either")]
        extra_context = {**(extra_context or {}), "transitions": transitions,
                         "may_introduce": need is not None and need.is_open()
                         and permissions.can_review_needs(request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request, need, title, form, change_url, template):
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request), "opts": self.opts, "need": need,
            "object": need, "form": form, "change_url": change_url, "title": title,
        })

    def transition_view(self, request, need_id: int, name: str):
        transition = workflow.TRANSITIONS.get(name)
        if transition is None or transition.who == "member":
            raise PermissionDenied
        if not permissions.can_review_needs(request.user):
            raise PermissionDenied
        need = get_object_or_404(Need.objects.select_related("entity"), pk=need_id)
        change_url = reverse("admin:matchmaking_need_change", args=[need.pk])
        if request.method != "POST" and need.status not in transition.sources:
            messages.error(request, _("%(action)s is not possible: this need is “%(status)s”.")
                           % {"action": transition.label, "status": need.get_status_display()})
            return redirect(change_url)
        form = DecisionForm(request.POST if request.method == "POST" else None,
                            initial={"expected_status": need.status})
        if name != "mark_met":
            del form.fields["met_by_pledge"]
        if request.method == "POST" and form.is_valid():
            pledge = None
            pledge_id = form.cleaned_data.get("met_by_pledge")
            if pledge_id:
                pledge = Pledge.objects.select_related("entity").filter(pk=pledge_id).first()
                if pledge is None or not pledge.is_public():
                    form.add_error("met_by_pledge", _("Choose a published pledge."))
            if not form.errors:
                try:
                    workflow.need_transition(
                        need_id=need.pk, name=name, actor=request.user,
                        message=form.cleaned_data["message"], met_by_pledge=pledge,
                        expected_status=form.cleaned_data["expected_status"])
                except workflow.TransitionError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("%(need)s: “%(action)s” done.")
                                     % {"need": need, "action": transition.label})
                    return redirect(change_url)
        title = _("%(action)s: %(need)s") % {"action": transition.label, "need": need}
        response = self._page(request, need, title, form, change_url,
                              "admin/matchmaking/need/action.html")
        response.context_data["action_label"] = transition.label
        return response

    def introduce_view(self, request, need_id: int):
        if not permissions.can_review_needs(request.user):
            raise PermissionDenied
        need = get_object_or_404(Need.objects.select_related("entity"), pk=need_id)
        change_url = reverse("admin:matchmaking_need_change", args=[need.pk])
        form = IntroduceForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            pledge = Pledge.objects.filter(pk=form.cleaned_data["pledge"]).first()
            if pledge is None or not pledge.is_public():
                form.add_error("pledge", _("Choose a published pledge."))
            else:
                try:
                    services.introduction_make(user=request.user, need_id=need.pk,
                                               pledge_id=pledge.pk,
                                               message=form.cleaned_data["message"])
                except services.NeedError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("Introduction sent to both sides."))
                    return redirect(change_url)
        title = _("Introduce a member: %(need)s") % {"need": need}
        response = self._page(request, need, title, form, change_url,
                              "admin/matchmaking/need/action.html")
        response.context_data["action_label"] = _("Introduce")
        return response


@admin.register(Introduction)
class IntroductionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["need", "from_entity", "to_entity", "by_secretariat", "status", "created_at",
                    "answered_at"]
    list_filter = ["status", "by_secretariat"]
    search_fields = ["need__title", "from_entity__name", "to_entity__name"]
    list_select_related = ["need", "from_entity", "to_entity"]
    readonly_fields = ["need", "pledge", "from_entity", "to_entity", "proposed_by",
                       "by_secretariat", "message", "status", "answered_by", "answered_at",
                       "created_at"]
    fields = readonly_fields
