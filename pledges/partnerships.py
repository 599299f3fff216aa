"""Partnerships by consent: the lifecycle as data, the one helper that performs every
transition, and the writes that start one.

    (invite) ──▶ invited ──accept──▶ accepted ──end──▶ ended
                    │  └──decline──▶ declined
                    └──end (the inviting side withdraws the invitation)──▶ ended

An invited entity's administrators accept or decline; either side ends an invitation or a
partnership, with a reason. `Pledge.co_pledgers` is the set of accepted partners: it is written
here and nowhere else, so every public read of it (pages, search, facets, open data, reports)
shows only entities that consented.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Entity, Membership
from members.permissions import entity_administrators
from p2c_portal.mail import email_send_templated

from . import permissions
from .member_selectors import pledge_contacts
from .models import Partnership, PartnershipChange, Pledge

P = Partnership.Status
INVITING_STATUSES = frozenset({
    Pledge.Status.DRAFT, Pledge.Status.SUBMITTED, Pledge.Status.CHANGES_REQUESTED,
    Pledge.Status.PUBLISHED,
})
MAX_REASON = 2000


class PartnershipError(Exception):
    """A refused change; the message is safe to show to the person."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    # "partner": administrators of the invited entity; "either": them or the pledge's writers
    who: str
    reason_required: bool = False
    email: str = ""  # templates/emails/pledges/<email>_*.txt to the other side


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("accept", _("Accept"), frozenset({P.INVITED}), P.ACCEPTED, "partner",
                   email="partnership_answered"),
        Transition("decline", _("Decline"), frozenset({P.INVITED}), P.DECLINED, "partner",
                   email="partnership_answered"),
        Transition("end", _("End"), frozenset({P.INVITED, P.ACCEPTED}), P.ENDED, "either",
                   reason_required=True, email="partnership_ended"),
    ]
}


def may(user, partnership: Partnership, transition: Transition) -> bool:
    if transition.who == "partner":
        return permissions.is_partner_administrator(user, partnership)
    return (permissions.is_partner_administrator(user, partnership)
            or permissions.is_pledge_writer(user, partnership.pledge))


def transition_allowed(user, partnership: Partnership, name: str) -> bool:
    transition = TRANSITIONS[name]
    return partnership.status in transition.sources and may(user, partnership, transition)


def can_invite(user, pledge: Pledge) -> bool:
    return pledge.status in INVITING_STATUSES and permissions.is_pledge_writer(user, pledge)


def _record(partnership: Partnership, *, actor, previous: str, message: str = "") -> None:
    PartnershipChange.objects.create(partnership=partnership, actor=actor, from_status=previous,
                                     to_status=partnership.status, message=message)


def _touch(pledge: Pledge) -> None:
    """A public pledge's partners changed: its new updated_at tells the public caches
    (pledges.public_cache) to recompute."""
    pledge.save(update_fields=["updated_at"])


@transaction.atomic
def partnership_invite(*, actor, pledge_id: int, entity_id: int,
                       role: str = Partnership.Role.CO_PLEDGER) -> Partnership:
    """The pledge's writers name an approved entity: its administrators are asked by email, in
    their language, and on their dashboard. Nothing is public until one of them accepts."""
    pledge = Pledge.objects.select_for_update().select_related("entity").get(pk=pledge_id)
    if not permissions.is_pledge_writer(actor, pledge):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if pledge.status not in INVITING_STATUSES:
        raise PartnershipError(_("Partners cannot be invited to a pledge in this status."))
    if role not in Partnership.Role.values:
        raise PartnershipError(_("Choose one of the roles offered."))
    entity = Entity.objects.approved().filter(pk=entity_id).first()
    if entity is None:
        raise PartnershipError(_("Choose an approved member entity."))
    if entity.pk == pledge.entity_id:
        raise PartnershipError(_("An entity cannot be a partner of its own pledge."))
    if Partnership.objects.live().filter(pledge=pledge, entity=entity).exists():
        raise PartnershipError(
            _("%(entity)s is already invited to this pledge or a partner of it.")
            % {"entity": entity.name}
        )
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                pledge=pledge, entity=entity, role=role, invited_by=actor,
            )
    except IntegrityError as error:  # the same invitation made at the same moment
        raise PartnershipError(
            _("%(entity)s is already invited to this pledge or a partner of it.")
            % {"entity": entity.name}
        ) from error
    _record(partnership, actor=actor, previous="")
    _email_invitation(partnership)
    return partnership


def partnerships_invite_imported(*, invitations) -> int:
    """The co-pledgers that the secretariat's spreadsheet import names, as (pledge, entities)
    pairs: invited as the pledge's writers invite them (their administrators are asked by
    email), never accepted on their behalf. Left out: entities already invited or partners,
    the pledge's own entity, entities not approved, pledges that take no partners. A name
    taken out of a file ends nothing: ending takes a reason, given by either side. Returns
    the number of invitations made. Called inside the import's transaction."""
    invitations = [(pledge, entities) for pledge, entities in invitations
                   if pledge.status in INVITING_STATUSES]
    taken = set(Partnership.objects.live()
                .filter(pledge__in=[pledge.pk for pledge, _entities in invitations])
                .values_list("pledge_id", "entity_id"))
    made = []
    for pledge, entities in invitations:
        for entity in entities:
            if ((pledge.pk, entity.pk) in taken or entity.pk == pledge.entity_id
                    or entity.status != Entity.Status.APPROVED):
                continue
            made.append(Partnership(pledge=pledge, entity=entity))
            taken.add((pledge.pk, entity.pk))
    Partnership.objects.bulk_create(made)
    PartnershipChange.objects.bulk_create(
        PartnershipChange(partnership=partnership, from_status="", to_status=P.INVITED)
        for partnership in made
    )
    administrators = {}
    for membership in Membership.objects.filter(
        entity_id__in={partnership.entity_id for partnership in made},
        role=Membership.Role.ADMINISTRATOR, user__is_active=True,
    ).select_related("user"):
        administrators.setdefault(membership.entity_id, []).append(membership.user)
    for partnership in made:
        _email_invitation(partnership, administrators.get(partnership.entity_id, []))
    return len(made)


def _email_invitation(partnership: Partnership, administrators=None) -> None:
    """The invited entity's administrators (read now unless given), each in their language."""
    if administrators is None:
        administrators = entity_administrators(partnership.entity)
    for user in administrators:
        email_send_templated(
            template="pledges/partnership_invited", to=[user.email],
            context={"partnership": partnership, "pledge": partnership.pledge,
                     "entity": partnership.entity, "inviter": partnership.pledge.entity,
                     "recipient": user},
            language=user.preferred_language,
        )


@transaction.atomic
def partnership_transition(*, partnership_id: int, name: str, actor, reason: str = "",
                           expected_status: str | None = None) -> Partnership:
    """Accept, decline or end: lock, check against the locked status, save, audit, keep
    `Pledge.co_pledgers` equal to the accepted partners, email the other side after commit.

    Two administrators answering at once: the second waits for the first's lock, then finds
    the invitation already answered and is refused, so one partnership results."""
    transition = TRANSITIONS[name]
    partnership = (Partnership.objects.select_for_update(of=("self",))
                   .select_related("pledge__entity", "entity").get(pk=partnership_id))
    if not may(actor, partnership, transition):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if partnership.status not in transition.sources or (
        expected_status is not None and partnership.status != expected_status
    ):
        raise PartnershipError(
            _("This partnership is already “%(status)s”: it was changed in the meantime.")
            % {"status": partnership.get_status_display()}
        )
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise PartnershipError(_("Give a reason: both sides and the secretariat will read it."))
    if len(reason) > MAX_REASON:
        raise PartnershipError(_("Keep the reason under %(max)d characters.") % {"max": MAX_REASON})
    pledge = partnership.pledge
    if name == "accept" and pledge.status not in INVITING_STATUSES:
        raise PartnershipError(_("This pledge no longer takes partners."))
    now = timezone.now()
    previous = partnership.status
    partnership.status = transition.target
    fields = ["status"]
    if name == "accept":
        partnership.accepted_at = now
        fields.append("accepted_at")
        pledge.co_pledgers.add(partnership.entity)
        _touch(pledge)
    if name == "end":
        partnership.ended_at = now
        partnership.end_reason = reason
        fields += ["ended_at", "end_reason"]
        if previous == P.ACCEPTED:
            pledge.co_pledgers.remove(partnership.entity)
            _touch(pledge)
    partnership.save(update_fields=fields)
    _record(partnership, actor=actor, previous=previous, message=reason)
    _email_other_side(partnership, actor=actor, template=transition.email, reason=reason)
    return partnership


def _email_other_side(partnership: Partnership, *, actor, template: str, reason: str) -> None:
    """The side that did not act: the pledge's contacts when the partner answered or ended it,
    the partner's administrators when the pledge's side ended it. Each in their language."""
    partner_acted = permissions.is_partner_administrator(actor, partnership)
    if partner_acted and not permissions.is_pledge_writer(actor, partnership.pledge):
        recipients = pledge_contacts(partnership.pledge, administrators_too=True)
    else:
        recipients = list(entity_administrators(partnership.entity))
    for user in recipients:
        if user.pk == actor.pk:
            continue
        email_send_templated(
            template=f"pledges/{template}", to=[user.email],
            context={"partnership": partnership, "pledge": partnership.pledge,
                     "entity": partnership.entity, "reason": reason, "recipient": user},
            language=user.preferred_language,
        )
