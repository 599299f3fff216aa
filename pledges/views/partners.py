"""Member area: a pledge's partners (invite with the picker, follow each invitation), the
invited entity's answer, and requests to join a published pledge (asked from its public page,
answered by the pledge's administrators, withdrawn by the asking entity). Thin: forms validate,
pledges.partnerships writes, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from p2c_portal.rate_limits import rate_limited

from .. import member_selectors, partnership_selectors, partnerships, permissions, selectors
from ..partnership_forms import EndForm, EntitySearchForm, InviteForm, JoinRequestForm

# What a person may do on a partnership's page, and what they are told once it is done.
ANSWERS = {
    "accept": gettext_lazy("Your entity is now a partner of this pledge."),
    "decline": gettext_lazy("Thank you: your answer is recorded."),
    "accept_request": gettext_lazy("The entity is now a partner of your pledge; it has been "
                                   "told."),
    "decline_request": gettext_lazy("The request is declined; the entity has been told."),
    "withdraw_request": gettext_lazy("Your request is withdrawn."),
}


@login_required
def pledge_partners(request, pk: int):
    """The owner's view of its invitations and partners, with the entity picker (GET search)."""
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    can_invite = partnerships.can_invite(request.user, pledge)
    search = EntitySearchForm(request.GET or None)
    results = []
    if can_invite and search.is_valid():
        results = partnership_selectors.entities_to_invite(pledge, search.cleaned_data["q"])
    rows = [
        {"partnership": partnership,
         "can_end": partnerships.transition_allowed(request.user, partnership, "end")}
        for partnership in partnership_selectors.partnerships_of_pledge(pledge)
    ]
    return render(request, "pledges/member/pledge_partners.html", {
        "pledge": pledge, "rows": rows, "can_invite": can_invite, "search": search,
        "results": results, "searched": bool(search.is_bound and search.data.get("q", "").strip()),
    })


@login_required
@require_POST
def pledge_partner_invite(request, pk: int):
    pledge = member_selectors.pledge_get_for_member(request.user, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an approved member entity."))
        return redirect("pledges:pledge_partners", pk=pledge.pk)
    try:
        partnership = partnerships.partnership_invite(
            actor=request.user, pledge_id=pledge.pk, entity_id=form.cleaned_data["entity"])
    except partnerships.PartnershipError as error:
        messages.error(request, str(error))
    except PermissionDenied:
        messages.error(request, _("Only administrators and editors of the pledging entity can "
                                  "invite partners."))
    else:
        messages.success(request, _("%(entity)s is invited. It is shown as a partner once one of "
                                    "its administrators accepts.")
                         % {"entity": partnership.entity.name})
    return redirect("pledges:pledge_partners", pk=pledge.pk)


@login_required
def partnership_respond(request, pk: int):
    """An invitation, answered by the invited entity's administrators; or a request to join,
    answered by the pledge's administrators and withdrawn by the asking entity."""
    partnership = partnership_selectors.partnership_get_for_member(request.user, pk)
    allowed = [name for name in ANSWERS
               if partnerships.transition_allowed(request.user, partnership, name)]
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ANSWERS:
            messages.error(request, _("Choose to accept or to decline."))
            return redirect("pledges:partnership_respond", pk=partnership.pk)
        try:
            partnerships.partnership_transition(
                partnership_id=partnership.pk, name=action, actor=request.user,
                expected_status=partnership.status)
        except partnerships.PartnershipError as error:
            messages.error(request, str(error))
        except PermissionDenied:
            messages.error(request, _("Only an administrator of the invited entity can answer.")
                           if action in ("accept", "decline") else
                           _("You are not allowed to do this."))
        else:
            messages.success(request, str(ANSWERS[action]))
            return redirect("members:dashboard")
        return redirect("pledges:partnership_respond", pk=partnership.pk)
    return render(request, "pledges/member/partnership_respond.html", {
        "partnership": partnership, "pledge": partnership.pledge,
        "can_answer": "accept" in allowed,
        "can_answer_request": "accept_request" in allowed,
        "can_withdraw": "withdraw_request" in allowed,
        "can_end": partnerships.transition_allowed(request.user, partnership, "end"),
        "expires_on": (partnerships.join_request_expiry(partnership.invited_at)
                       if partnership.status == partnerships.P.REQUESTED else None),
    })


@login_required
def partnership_end(request, pk: int):
    """Either side ends an invitation or a partnership, with a reason."""
    partnership = partnership_selectors.partnership_get_for_member(request.user, pk)
    if not partnerships.transition_allowed(request.user, partnership, "end"):
        messages.info(request, _("This partnership cannot be ended by you now."))
        return redirect("pledges:partnership_respond", pk=partnership.pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partnerships.partnership_transition(
                partnership_id=partnership.pk, name="end", actor=request.user,
                reason=form.cleaned_data["reason"], expected_status=partnership.status)
        except partnerships.PartnershipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The partnership has ended; the other side is told why."))
            if permissions.is_pledge_writer(request.user, partnership.pledge):
                return redirect("pledges:pledge_partners", pk=partnership.pledge_id)
            return redirect("members:dashboard")
    return render(request, "pledges/member/partnership_end.html", {
        "partnership": partnership, "pledge": partnership.pledge, "form": form,
    }, status=400 if form.errors else 200)


@login_required
@rate_limited("pledge_join")
def pledge_join(request, pk: int):
    """Asking to join a published pledge, from its public page: the role, what the entity
    brings, and a funder's amount. Nothing typed is lost on an error."""
    pledge = selectors.pledge_get_public(pk)
    entities = partnerships.joining_entities(request.user, pledge)
    if pledge.status != pledge.Status.PUBLISHED or not entities:
        return render(request, "pledges/member/pledge_join.html", {
            "pledge": pledge, "form": None,
            "completed": pledge.status != pledge.Status.PUBLISHED,
        })
    form = JoinRequestForm(request.POST or None, entities=entities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partnership = partnerships.partnership_request(
                actor=request.user, pledge_id=pledge.pk, entity_id=data["entity"],
                role=data["role"], contribution=data["contribution"], amount=data["amount"],
                currency=data["currency"])
        except partnerships.PartnershipError as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            form.add_error("entity", _("Choose your entity."))
        else:
            messages.success(request, _("Your request is sent to the administrators of %(entity)s. "
                                        "Your entity is shown with the pledge once they accept.")
                             % {"entity": pledge.entity.name})
            return redirect("pledges:partnership_respond", pk=partnership.pk)
    return render(request, "pledges/member/pledge_join.html", {
        "pledge": pledge, "form": form,
    }, status=400 if form.errors else 200)
