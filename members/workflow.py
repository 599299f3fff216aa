"""The entity lifecycle as data, and the one helper that performs every transition.

applied ⇄ more_info_requested        (request_info / respond)
applied → approved | rejected         (approve / reject)
approved → suspended → approved       (suspend / reinstate)

An approved entity's identity (name, stakeholder group, country) has a lifecycle of its own, in its
own workflow table (EntityIdentityChange):
pending → approved | rejected        (approve_identity / reject_identity, the secretariat)
pending → replaced                   (a later request by the entity replaces it)
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from p2c_portal.mail import email_send_templated

from . import permissions
from .models import Entity, EntityIdentityChange, EntityStatusChange

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


# --- Identity changes of approved entities ------------------------------------------------------

IdentityStatus = EntityIdentityChange.Status
IDENTITY_FIELDS = ("name", "stakeholder_group", "headquarters_country")

IDENTITY_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("approve_identity", _("Approve the change"), frozenset({IdentityStatus.PENDING}),
                   IdentityStatus.APPROVED, "secretariat", email="identity_change_approved"),
        Transition("reject_identity", _("Reject the change"), frozenset({IdentityStatus.PENDING}),
                   IdentityStatus.REJECTED, "secretariat", message_required=True,
                   email="identity_change_rejected"),
    ]
}


def identity_change_request(*, entity: Entity, actor, values: dict) -> EntityIdentityChange | None:
    """Called by members.services.entity_update_profile with the entity locked: the identity
    values asked for are kept for review instead of applied (a pending request is replaced by the
    newer one). None if they are the entity's current values (any pending request then stands)."""
    wanted = {field: values.get(field, getattr(entity, field)) for field in IDENTITY_FIELDS}
    if all(getattr(entity, field) == wanted[field] for field in IDENTITY_FIELDS):
        return None
    now = timezone.now()
    EntityIdentityChange.objects.filter(entity=entity, status=IdentityStatus.PENDING).update(
        status=IdentityStatus.REPLACED, decided_at=now
    )
    return EntityIdentityChange.objects.create(
        entity=entity, requested_by=actor, requested_at=now,
        name=wanted["name"], stakeholder_group=wanted["stakeholder_group"],
        headquarters_country=wanted["headquarters_country"],
        previous_name=entity.name, previous_stakeholder_group=entity.stakeholder_group,
        previous_headquarters_country=entity.headquarters_country,
    )


@transaction.atomic
def identity_change_transition(
    *, change_id: int, name: str, actor, reason: str = ""
) -> EntityIdentityChange:
    """Approve or reject a requested identity change: lock, check, apply, audit, email after
    commit. Nobody reviews a change of an entity they belong to."""
    transition = IDENTITY_TRANSITIONS[name]
    # The entity first, then the request: the order members.services.entity_update_profile
    # locks them in, so that a review and a new request cannot deadlock.
    entity_id = EntityIdentityChange.objects.values_list("entity_id", flat=True).get(pk=change_id)
    entity = Entity.objects.select_for_update().get(pk=entity_id)
    change = EntityIdentityChange.objects.select_for_update().get(pk=change_id)
    if not permissions.can_review_identity_change(actor, entity):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if change.status not in transition.sources:
        raise TransitionError(
            _("This change is already “%(status)s”: it was decided in the meantime.")
            % {"status": change.get_status_display()}
        )
    reason = (reason or "").strip()
    if transition.message_required and not reason:
        raise TransitionError(_("Give the reason for the rejection: it is sent to the entity."))
    change.status = transition.target
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.reason = reason
    change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    if transition.target == IdentityStatus.APPROVED:
        entity.name = change.name
        entity.stakeholder_group = change.stakeholder_group
        entity.headquarters_country = change.headquarters_country
        entity._change_reason = "identity change approved"  # shown in the entity's history
        entity._history_user = actor  # also when no request is there to tell (a shell, a task)
        entity.save(update_fields=[*IDENTITY_FIELDS, "updated_at"])
    for user in permissions.entity_administrators(entity):
        email_send_templated(
            template=f"members/{transition.email}",
            to=[user.email],
            context={"entity": entity, "change": change, "message": reason, "recipient": user},
            language=user.preferred_language,
        )
    return change
