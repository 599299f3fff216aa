"""The need review lifecycle as data, and the one helper that performs every transition.

    draft ──submit──▶ submitted ──publish──▶ published ──close──▶ closed
      ▲                  │  │                    └──mark_met──▶ met
      └─request_changes──┘  └──reject──▶ rejected

`changes_requested` is edited like `draft` and goes back to `submitted` on submit. The same
review as pledges (pledges.workflow), without embargo.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Entity, Membership
from p2c_portal.mail import email_send_templated, email_to_secretariat
from pledges.models import Pledge

from . import permissions
from .models import Need, NeedStatusChange

S = Need.Status


class TransitionError(Exception):
    """A transition that is not allowed now; the message is safe to show to the person."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    who: str  # "member" (administrator/editor of the entity), "secretariat", or "either"
    message_required: bool = False
    email: bool = True  # tells the entity's administrators (matchmaking/need_status email)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", _("Submit for review"), frozenset({S.DRAFT, S.CHANGES_REQUESTED}),
                   S.SUBMITTED, "member", email=False),
        Transition("request_changes", _("Request changes"), frozenset({S.SUBMITTED}),
                   S.CHANGES_REQUESTED, "secretariat", message_required=True),
        Transition("publish", _("Publish"), frozenset({S.SUBMITTED}), S.PUBLISHED,
                   "secretariat"),
        Transition("reject", _("Reject"), frozenset({S.SUBMITTED}), S.REJECTED, "secretariat",
                   message_required=True),
        Transition("close", _("Close"), frozenset({S.PUBLISHED}), S.CLOSED, "either"),
        Transition("mark_met", _("Mark as met"), frozenset({S.PUBLISHED, S.CLOSED}), S.MET,
                   "secretariat"),
    ]
}


def may(user, need: Need, transition: Transition) -> bool:
    secretariat = permissions.can_review_needs(user)
    member = permissions.can_create_need(user, need.entity)
    return {"secretariat": secretariat, "member": member,
            "either": secretariat or member}[transition.who]


def transition_allowed(user, need: Need, name: str) -> bool:
    transition = TRANSITIONS[name]
    return need.status in transition.sources and may(user, need, transition)


def allowed_transitions(need: Need, user) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if transition_allowed(user, need, t.name)]


@transaction.atomic
def need_transition(
    *, need_id: int, name: str, actor, message: str = "", expected_status: str | None = None,
    met_by_pledge: Pledge | None = None,
) -> Need:
    """Perform a named transition: lock, check, save, audit, email after commit.

    `expected_status` guards against replays (a double click): when the need is no longer in
    the status the person saw, nothing happens twice. `met_by_pledge` (mark_met): the public
    pledge that met it, linked on the need's public page."""
    transition = TRANSITIONS[name]
    need = Need.objects.select_for_update().select_related("entity").get(pk=need_id)
    if not may(actor, need, transition):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if need.status not in transition.sources or (
        expected_status is not None and need.status != expected_status
    ):
        raise TransitionError(
            _("This need is already “%(status)s”: it was changed in the meantime.")
            % {"status": need.get_status_display()}
        )
    message = (message or "").strip()
    if transition.message_required and not message:
        raise TransitionError(_("A message is required for this decision."))
    if name == "submit" and need.unsaved_input:
        raise TransitionError(_("Correct what the form still marks before submitting."))
    if name == "publish" and need.entity.status != Entity.Status.APPROVED:
        raise TransitionError(_("%(entity)s is not approved: its needs cannot be published.")
                              % {"entity": need.entity})
    if name == "mark_met" and met_by_pledge is not None and not met_by_pledge.is_public():
        raise TransitionError(_("Choose a published pledge."))
    now = timezone.now()
    previous = need.status
    need.status = transition.target
    fields = ["status", "version", "updated_at"]
    if name == "submit":
        need.submitted_at = now
        fields.append("submitted_at")
    if name == "publish":
        need.published_at = now
        need.suggested_at = None  # its suggestions are due (matchmaking.suggestions)
        fields += ["published_at", "suggested_at"]
    if name in ("close", "mark_met"):
        need.ended_at = now
        fields.append("ended_at")
    if name == "mark_met":
        need.met_by_pledge = met_by_pledge
        fields.append("met_by_pledge")
    need.version += 1
    need.save(update_fields=fields)
    NeedStatusChange.objects.create(need=need, actor=actor, from_status=previous,
                                    to_status=need.status, message=message)
    if transition.email:
        _email_administrators(need=need, transition=transition, message=message)
    if name == "submit":
        email_to_secretariat(
            template="matchmaking/need_to_secretariat",
            context={"need": need, "resubmission": previous == S.CHANGES_REQUESTED})
    if name == "publish":
        from .tasks import need_suggestions_refresh

        transaction.on_commit(lambda: need_suggestions_refresh.delay(need.pk))
    return need


def _email_administrators(*, need: Need, transition: Transition, message: str) -> None:
    """The entity's administrators and the need's author, each in their language."""
    recipients = {m.user for m in need.entity.memberships.select_related("user")
                  if m.role == Membership.Role.ADMINISTRATOR and m.user.is_active}
    if need.created_by and need.created_by.is_active and need.entity.memberships.filter(
            user=need.created_by).exists():
        recipients.add(need.created_by)
    for user in sorted(recipients, key=lambda u: u.pk):
        email_send_templated(
            template="matchmaking/need_status",
            to=[user.email],
            context={"need": need, "status": need.status, "message": message,
                     "recipient": user},
            language=user.preferred_language,
        )
