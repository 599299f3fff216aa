"""The entity lifecycle as data, and the one helper that performs every transition.

applied ⇄ more_info_requested        (request_info / respond)
applied → approved | rejected         (approve / reject)
approved → suspended → approved       (suspend / reinstate)
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from p2c_portal.mail import email_send_templated

from . import permissions
from .models import Entity, EntityStatusChange

S = Entity.Status


class TransitionError(Exception):
    """A transition that is not allowed now; the message is safe to show to the person."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    who: str  # "secretariat" or "entity_admin"
    message_required: bool = False
    email: str = ""  # template under templates/emails/members/, sent to the entity's admins


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "approve",
            _("Approve"),
            frozenset({S.APPLIED}),
            S.APPROVED,
            "secretariat",
            email="entity_approved",
        ),
        Transition(
            "request_info",
            _("Request more information"),
            frozenset({S.APPLIED}),
            S.MORE_INFO_REQUESTED,
            "secretariat",
            message_required=True,
            email="entity_more_info_requested",
        ),
        Transition(
            "respond",
            _("Send the answer"),
            frozenset({S.MORE_INFO_REQUESTED}),
            S.APPLIED,
            "entity_admin",
            message_required=True,
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({S.APPLIED}),
            S.REJECTED,
            "secretariat",
            message_required=True,
            email="entity_rejected",
        ),
        Transition(
            "suspend",
            _("Suspend"),
            frozenset({S.APPROVED}),
            S.SUSPENDED,
            "secretariat",
            message_required=True,
            email="entity_suspended",
        ),
        Transition(
            "reinstate",
            _("Reinstate"),
            frozenset({S.SUSPENDED}),
            S.APPROVED,
            "secretariat",
            email="entity_reinstated",
        ),
    ]
}


def allowed_transitions(entity: Entity, user) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if entity.status in t.sources and _may(user, entity, t)]


def _may(user, entity: Entity, transition: Transition) -> bool:
    if transition.who == "secretariat":
        return permissions.can_vet_entities(user)
    return permissions.can_manage_entity(user, entity)


@transaction.atomic
def entity_transition(*, entity_id: int, name: str, actor, message: str = "") -> Entity:
    """Perform a named transition: lock, check, save, audit, email after commit."""
    transition = TRANSITIONS[name]
    entity = Entity.objects.select_for_update().get(pk=entity_id)
    if not _may(actor, entity, transition):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if entity.status not in transition.sources:
        raise TransitionError(
            _("This application is already “%(status)s”: it was changed in the meantime.")
            % {"status": entity.get_status_display()}
        )
    message = (message or "").strip()
    if transition.message_required and not message:
        raise TransitionError(_("A message is required for this decision."))
    previous = entity.status
    entity.status = transition.target
    entity.decided_at = timezone.now() if transition.who == "secretariat" else entity.decided_at
    entity.save(update_fields=["status", "decided_at", "updated_at"])
    EntityStatusChange.objects.create(
        entity=entity, actor=actor, from_status=previous, to_status=entity.status, message=message
    )
    if transition.email:
        entity_email_administrators(entity=entity, template=transition.email, message=message)
    return entity


def entity_email_administrators(*, entity: Entity, template: str, message: str = "") -> None:
    """One email per administrator, each in their own language."""
    for user in permissions.entity_administrators(entity):
        email_send_templated(
            template=f"members/{template}",
            to=[user.email],
            context={"entity": entity, "message": message, "recipient": user},
            language=user.preferred_language,
        )
