"""Member area: a pledge's partners (invite with the picker, follow each invitation), the
invited entity's answer, and requests to join a published pledge (asked from its public page,
answered by the pledge's administrators, withdrawn by the asking entity), and an accepted
partner's proposed changes to its own contribution (proposed and withdrawn by the partner's
administrators, approved or declined by the pledge's). Thin: forms validate,
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
from ..partnership_forms import (
    ContributionDecisionForm,
    ContributionProposalForm,
    EndForm,
    EntitySearchForm,
    InviteForm,
    JoinRequestForm,
)

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
    roles = permissions.member_roles(request.user)  # one query, not one per row and side
    rows = [
        {"partnership": partnership,
         "can_end": partnerships.transition_allowed(request.user, partnership, "end",
                                                    roles=roles),
         "proposal": partnership.proposals[0] if partnership.proposals else None}
        for partnership in partnership_selectors.partnerships_of_pledge(pledge)
    ]
    # Proposed changes of contribution, answered by the pledge's administrators (the same
    # `may()` for every proposal of the pledge: the question is who answers for the pledge).
    # (The prefetch sets each proposal's `partnership`: no query per proposal.)
    proposals = [row["proposal"] for row in rows if row["proposal"] is not None]
    return render(request, "pledges/member/pledge_partners.html", {
        "pledge": pledge, "rows": rows, "can_invite": can_invite, "search": search,
        "proposals": proposals,
        "can_decide": bool(proposals) and partnerships.amendment_transition_allowed(
            request.user, proposals[0], "approve_amendment"),
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


@login_required
def partnership_contribution(request, pk: int):
    """A partner's contribution to a pledge as shown today, its proposals and their answers;
    the partner's administrators propose a change (one waiting at a time). Members of either
    side see it; anyone else gets a 404. Nothing typed is lost on an error."""
    partnership = partnership_selectors.partnership_get_for_member(request.user, pk)
    proposals = partnership_selectors.contribution_proposals(partnership)
    waiting = next((p for p in proposals if p.status == partnerships.AM.PROPOSED), None)
    may_propose = partnerships.can_propose_amendment(request.user, partnership)
    form = None
    if may_propose and waiting is None:
        form = ContributionProposalForm(request.POST or None, partnership=partnership)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                partnerships.partnership_amendment_propose(
                    actor=request.user, partnership_id=partnership.pk,
                    contribution=data["contribution"], amount=data["amount"],
                    currency=data["currency"], reason=data["reason"])
            except partnerships.PartnershipError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your proposal is sent to the administrators of "
                                            "%(entity)s. The contribution shown on the public "
                                            "page changes once they approve.")
                                 % {"entity": partnership.pledge.entity.name})
                return redirect("pledges:partnership_contribution", pk=partnership.pk)
    elif request.method == "POST":
        messages.info(request, _("A change to this contribution already waits for an answer.")
                      if waiting is not None else
                      _("Only an administrator of an accepted partner can propose a change to "
                        "its contribution."))
        return redirect("pledges:partnership_contribution", pk=partnership.pk)
    return render(request, "pledges/member/partnership_contribution.html", {
        "partnership": partnership, "pledge": partnership.pledge, "form": form,
        "proposals": proposals, "waiting": waiting,
        "may_propose": may_propose,
        "can_withdraw": waiting is not None and partnerships.amendment_transition_allowed(
            request.user, waiting, "withdraw_amendment"),
        "can_decide": waiting is not None and partnerships.amendment_transition_allowed(
            request.user, waiting, "approve_amendment"),
    }, status=400 if form is not None and form.errors else 200)


@login_required
def contribution_proposal(request, pk: int):
    """A partner's proposed change of contribution beside the one shown today: the pledge's
    administrators approve it, or decline it saying why. This page is the confirmation: the
    decision is a POST from it. Members of either side see it; anyone else gets a 404."""
    proposal = partnership_selectors.contribution_proposal_get_for_member(request.user, pk)
    partnership = proposal.partnership
    can_decide = partnerships.amendment_transition_allowed(request.user, proposal,
                                                           "approve_amendment")
    form = ContributionDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            if proposal.status != partnerships.AM.PROPOSED:
                messages.info(request, _("This change was already answered in the meantime."))
                return redirect("pledges:contribution_proposal", pk=proposal.pk)
            raise PermissionDenied
        if form.is_valid():
            try:
                partnerships.partnership_amendment_transition(
                    amendment_id=proposal.pk, name=form.transition_name, actor=request.user,
                    message=form.cleaned_data["message"])
            except partnerships.PartnershipError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The new contribution is shown with the pledge; the "
                                            "partner has been told.")
                                 if form.cleaned_data["decision"] == "approve" else
                                 _("The change is declined; the partner has been told why."))
                return redirect("pledges:pledge_partners", pk=partnership.pledge_id)
    return render(request, "pledges/member/contribution_proposal.html", {
        "proposal": proposal, "partnership": partnership, "pledge": partnership.pledge,
        "form": form, "can_decide": can_decide,
        "can_withdraw": partnerships.amendment_transition_allowed(request.user, proposal,
                                                                  "withdraw_amendment"),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def contribution_proposal_withdraw(request, pk: int):
    """The proposing partner's administrators take back a proposal still waiting."""
    proposal = partnership_selectors.contribution_proposal_get_for_member(request.user, pk)
    try:
        partnerships.partnership_amendment_transition(
            amendment_id=proposal.pk, name="withdraw_amendment", actor=request.user)
    except partnerships.PartnershipError as error:
        messages.info(request, str(error))
    except PermissionDenied:
        messages.error(request, _("Only an administrator of the partner entity can withdraw "
                                  "its proposal."))
    else:
        messages.success(request, _("Your proposal is withdrawn; the contribution stays as "
                                    "it was."))
    return redirect("pledges:partnership_contribution", pk=proposal.partnership_id)
