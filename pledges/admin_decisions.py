"""The review desk's "decide with a message" page, shared by every lifecycle the secretariat
takes decisions in from an object's admin page: a pledge's amendment (pledges.amendment_workflow),
a request to join a pledge and a partner's proposed change of contribution
(pledges.partnerships, on behalf of the pledge's entity).

A ModelAdmin mixes it in and says which transitions are the secretariat's (`decision_who`), who
may take them and which service takes them; the mixin adds `<id>/decide/<name>/` (GET: the form
with the message; POST: the decision), the buttons of the change page (`decision_links`, shown
by templates/admin/desk/decision_links.html, put in the change page's context by
`decision_context`) and one way of refusing, confirming and re-asking.
The service does the work, the audit and the emails; the page only asks and reports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from p2c_portal.query_params import database_id

from .admin_forms import TransitionForm


class DecideWithMessageMixin:
    """For a ModelAdmin whose objects have a `status` and a transition table of `Transition`s
    (name, label, sources, who, message_required)."""

    decision_transitions: dict  # name → transition, the lifecycle's whole table
    decision_who = "secretariat"  # the transitions of the table the desk takes
    decision_url_kwarg = "object_id"
    decision_refused: type[Exception] | tuple[type[Exception], ...] = ()  # the service's refusal
    decision_not_possible: str  # "%(action)s is not possible: this … is “%(status)s”."
    decision_related: tuple[str, ...] = ()  # select_related of the decided object

    # --- What each admin says -------------------------------------------------------------------

    def decision_allowed(self, user) -> bool:
        raise NotImplementedError

    def decision_take(self, *, obj, name: str, actor, message: str,
                      expected_status: str) -> None:
        """Call the service (which refuses with `decision_refused`)."""
        raise NotImplementedError

    def decision_done(self, obj, transition) -> str:
        raise NotImplementedError

    def decision_note(self, transition) -> str:
        """Who reads the message, said above the form."""
        if transition.message_required:
            return _("A message is required: it is emailed to the entity's administrators and to "
                     "the person who submitted the pledge, and kept in the audit trail.")
        return _("An optional message is emailed to the entity's administrators and to the "
                 "person who submitted the pledge, and kept in the audit trail.")

    def decision_pledge(self, obj):
        return obj.pledge

    def decision_context(self, request, obj) -> dict:
        """What the change page's template shows of `obj`'s decisions (named as it reads them)."""
        raise NotImplementedError

    # --- The shared machinery -------------------------------------------------------------------

    @property
    def decision_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_decide"

    def get_urls(self):
        return [
            path(f"<int:{self.decision_url_kwarg}>/decide/<str:name>/",
                 self.admin_site.admin_view(self.decide_view), name=self.decision_url_name),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj_id = database_id(str(object_id))
        obj = (self.model.objects.select_related(*self.decision_related).filter(pk=obj_id)
               .first() if obj_id else None)
        # Only for who may see the page: the change view refuses the others after this.
        if obj is not None and self.has_view_permission(request, obj):
            extra_context.update(self.decision_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context)

    def decision_links(self, request, obj) -> list[dict]:
        """The decisions the desk may take on `obj` now: a button each on its change page."""
        if not self.decision_allowed(request.user):
            return []
        return [
            {"label": transition.label,
             "url": reverse(f"admin:{self.decision_url_name}",
                            kwargs={self.decision_url_kwarg: obj.pk, "name": transition.name})}
            for transition in self.decision_transitions.values()
            if transition.who == self.decision_who and obj.status in transition.sources
        ]

    def decide_view(self, request, name: str, **kwargs):
        transition = self.decision_transitions.get(name)
        if transition is None or transition.who != self.decision_who:
            raise PermissionDenied
        if not self.decision_allowed(request.user):
            raise PermissionDenied
        obj = get_object_or_404(self.model.objects.select_related(*self.decision_related),
                                pk=kwargs[self.decision_url_kwarg])
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                             args=[obj.pk])
        if obj.status not in transition.sources:
            messages.error(request, self.decision_not_possible % {
                "action": transition.label, "status": obj.get_status_display()})
            return redirect(change_url)
        form = TransitionForm(request.POST if request.method == "POST" else None,
                              transition=transition, initial={"expected_status": obj.status})
        if request.method == "POST" and form.is_valid():
            try:
                self.decision_take(obj=obj, name=name, actor=request.user,
                                   message=form.cleaned_data["message"],
                                   expected_status=form.cleaned_data["expected_status"])
            except self.decision_refused as error:
                messages.error(request, str(error))
                return redirect(change_url)
            messages.success(request, self.decision_done(obj, transition))
            return redirect(change_url)
        pledge = self.decision_pledge(obj)
        return TemplateResponse(request, "admin/desk/decide_with_message.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "pledge": pledge,
            "object": obj,  # the breadcrumb of admin/desk/action_page.html
            "transition": transition,
            "note": self.decision_note(transition),
            "form": form,
            "change_url": change_url,
            "title": _("%(action)s: %(pledge)s") % {"action": transition.label, "pledge": obj},
        }, status=400 if form.errors else 200)
