"""Partnerships by consent: the lifecycle as data, the one helper that performs every
transition, and the writes that start one.

    (invite) ──▶ invited ──accept──▶ accepted ──end──▶ ended
                    │  └──decline──▶ declined
                    └──end (the inviting side withdraws the invitation)──▶ ended

    (accepted partner proposes a change to its contribution) ──▶ proposed
        ──approve_amendment──▶ approved (the partnership's contribution changes)
        └─decline_amendment──▶ declined (nothing changes)

    (ask to join) ──▶ requested ──accept_request──▶ accepted
                          │  ├──decline_request──▶ declined
                          │  ├──withdraw_request──▶ withdrawn
                          └──expire (P2C_JOIN_REQUEST_DAYS later)──▶ expired

An invited entity's administrators accept or decline; either side ends an invitation or a
partnership, with a reason. An entity asks to join a published pledge (as co-implementer,
adopter or funder, saying what it brings); the pledge's administrators, or the secretariat on
their behalf, accept or decline; the asking entity may withdraw; an unanswered request expires,
after a reminder (join_requests_expire, Celery beat). `Pledge.co_pledgers` is the set of accepted
partners, and `Pledge.contributions_usd` the USD sum of its accepted funders' contributions: both
are written here and nowhere else, so every public read (pages, search, facets, open data,
reports, USD totals) shows only entities that consented and were accepted.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Entity, Membership
from members.permissions import entity_administrators
from p2c_portal.mail import email_send_templated

from . import permissions
from .currencies import CURRENCIES
from .member_selectors import pledge_contacts
from .models import (
    MAX_AMOUNT,
    Partnership,
    PartnershipAmendment,
    PartnershipChange,
    Pledge,
    first_of_month,
)
from .rates import contributions_sum_again, usd_conversion

logger = logging.getLogger(__name__)

P = Partnership.Status
INVITING_STATUSES = frozenset({
    Pledge.Status.DRAFT, Pledge.Status.SUBMITTED, Pledge.Status.CHANGES_REQUESTED,
    Pledge.Status.PUBLISHED,
})
MAX_REASON = 2000
MAX_CONTRIBUTION = 2000
# The roles an entity may ask for (co-pledgers are named by the pledge's entity, as invited).
JOIN_ROLES = (Partnership.Role.CO_IMPLEMENTER, Partnership.Role.ADOPTER, Partnership.Role.FUNDER)


class PartnershipError(Exception):
    """A refused change; the message is safe to show to the person."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    # "partner": administrators of the invited entity; "either": them or the pledge's writers;
    # "owner": administrators of the pledge's entity, or the secretariat on their behalf;
    # "requester": administrators and editors of the entity that asked to join;
    # "system": the expiry task only (no person)
    who: str
    reason_required: bool = False
    email: str = ""  # templates/emails/pledges/<email>_*.txt to the other side

    @property
    def message_required(self) -> bool:
        """The admin's decision form (pledges.admin_forms.TransitionForm) asks this."""
        return self.reason_required


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("accept", _("Accept"), frozenset({P.INVITED}), P.ACCEPTED, "partner",
                   email="partnership_answered"),
        Transition("decline", _("Decline"), frozenset({P.INVITED}), P.DECLINED, "partner",
                   email="partnership_answered"),
        Transition("end", _("End"), frozenset({P.INVITED, P.ACCEPTED}), P.ENDED, "either",
                   reason_required=True, email="partnership_ended"),
        Transition("accept_request", _("Accept the request"), frozenset({P.REQUESTED}),
                   P.ACCEPTED, "owner", email="join_request_answered"),
        Transition("decline_request", _("Decline the request"), frozenset({P.REQUESTED}),
                   P.DECLINED, "owner", email="join_request_answered"),
        Transition("withdraw_request", _("Withdraw the request"), frozenset({P.REQUESTED}),
                   P.WITHDRAWN, "requester", email="join_request_withdrawn"),
        Transition("expire", _("Expire"), frozenset({P.REQUESTED}), P.EXPIRED, "system",
                   email="join_request_expired"),
    ]
}


def may(user, partnership: Partnership, transition: Transition, *, roles=None) -> bool:
    """`roles`: the person's roles read once (permissions.member_roles), for a page of many
    partnerships; without them each role is read from the database."""
    if transition.who == "system":
        return user is None
    if user is None:
        return False
    if transition.who == "partner":
        return permissions.is_partner_administrator(user, partnership, roles=roles)
    if transition.who == "owner":
        return (permissions.is_pledge_administrator(user, partnership.pledge, roles=roles)
                or permissions.can_answer_join_requests(user))
    if transition.who == "requester":
        return permissions.is_partner_writer(user, partnership, roles=roles)
    return (permissions.is_partner_administrator(user, partnership, roles=roles)
            or permissions.is_pledge_writer(user, partnership.pledge, roles=roles))


def transition_allowed(user, partnership: Partnership, name: str, *, roles=None) -> bool:
    transition = TRANSITIONS[name]
    return (partnership.status in transition.sources
            and may(user, partnership, transition, roles=roles))


def can_invite(user, pledge: Pledge) -> bool:
    return pledge.status in INVITING_STATUSES and permissions.is_pledge_writer(user, pledge)


def _record(partnership: Partnership, *, actor, previous: str, message: str = "") -> None:
    PartnershipChange.objects.create(partnership=partnership, actor=actor, from_status=previous,
                                     to_status=partnership.status, message=message)


def _touch(pledge: Pledge) -> None:
    """A public pledge's partners changed: its new updated_at tells the public caches
    (pledges.public_cache) to recompute, and its funders' contributions are summed again."""
    pledge.contributions_usd = contributions_sum_again(pledge.pk)


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
    """Every transition of TRANSITIONS (an invitation's or a request's answer, a withdrawal,
    an expiry, an end): lock, check against the locked status, save, audit, keep
    `Pledge.co_pledgers` and `Pledge.contributions_usd` equal to the accepted partners, email
    the other side after commit. `actor` is None for the expiry task only.

    Two administrators answering at once: the second waits for the first's lock, then finds
    the invitation or request already answered and is refused, so one partnership results."""
    transition = TRANSITIONS[name]
    if name == "end":
        # Its waiting proposals end with it (below): locked first, in the order answering a
        # proposal takes (proposal, then partnership), so that the two cannot deadlock.
        waiting = list(PartnershipAmendment.objects.select_for_update()
                       .filter(partnership_id=partnership_id, status=AM.PROPOSED))
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
    if name in ("accept", "accept_request") and pledge.status not in INVITING_STATUSES:
        raise PartnershipError(_("This pledge no longer takes partners."))
    now = timezone.now()
    previous = partnership.status
    partnership.status = transition.target
    fields = ["status"]
    if transition.target == P.ACCEPTED:
        partnership.accepted_at = now
        fields.append("accepted_at")
        pledge.co_pledgers.add(partnership.entity)
    if name == "end":
        partnership.ended_at = now
        partnership.end_reason = reason
        fields += ["ended_at", "end_reason"]
        if previous == P.ACCEPTED:
            pledge.co_pledgers.remove(partnership.entity)
        # A change the partner proposed cannot be approved any more: it is answered with the
        # end's reason rather than left waiting on the dashboards.
        PartnershipAmendment.objects.filter(pk__in=[proposal.pk for proposal in waiting]).update(
            status=AM.DECLINED, decided_by=actor, decided_at=now, message=reason)
    partnership.save(update_fields=fields)
    if transition.target == P.ACCEPTED or previous == P.ACCEPTED:
        _touch(pledge)  # after the save: the sum of the contributions reads the new status
    _record(partnership, actor=actor, previous=previous, message=reason)
    if name == "withdraw_request":
        _email_join_request_withdrawn(partnership, actor=actor)
    elif previous == P.REQUESTED:
        _email_join_request_answer(partnership, actor=actor, template=transition.email,
                                   message=reason)
    elif transition.email:
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


# --- Asking to join a published pledge ------------------------------------------------------------


def joining_entities(user, pledge: Pledge) -> list[Entity]:
    """The approved entities `user` writes for (administrator or editor) that may ask to join
    `pledge`: not its own entity, not already invited, asking or a partner."""
    if not user.is_authenticated:
        return []
    taken = Partnership.objects.live().filter(pledge=pledge).values("entity_id")
    return list(
        Entity.objects.approved()
        .filter(memberships__user=user, memberships__role__in=permissions.WRITER_ROLES)
        .exclude(pk=pledge.entity_id).exclude(pk__in=taken).order_by("name", "pk").distinct()
    )


@transaction.atomic
def partnership_request(*, actor, pledge_id: int, entity_id: int, role: str, contribution: str,
                        amount: Decimal | None = None, currency: str = "") -> Partnership:
    """An approved entity asks to join a published pledge with a role and what it brings; a
    funder names an amount and its currency, converted to USD at this month's UN operational
    rate (as a pledge's amount is). The pledge's administrators are asked by email, each in
    their language, and on their dashboard; nothing is public unless one of them accepts."""
    pledge = (Pledge.objects.select_for_update(of=("self",)).select_related("entity")
              .filter(pk=pledge_id).first())
    if pledge is None or not pledge.is_public() or pledge.status != Pledge.Status.PUBLISHED:
        raise PartnershipError(_("Only a published pledge can be joined."))
    entity = Entity.objects.approved().filter(pk=entity_id).first()
    if entity is None:
        raise PartnershipError(_("Choose an approved member entity."))
    if permissions.role_in(actor, entity) not in permissions.WRITER_ROLES:
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if entity.pk == pledge.entity_id:
        raise PartnershipError(_("An entity cannot be a partner of its own pledge."))
    if role not in JOIN_ROLES:
        raise PartnershipError(_("Choose one of the roles offered."))
    contribution = (contribution or "").strip()
    if not contribution:
        raise PartnershipError(_("Say in a few words what your entity brings to this pledge."))
    if len(contribution) > MAX_CONTRIBUTION:
        raise PartnershipError(_("Keep the description under %(max)d characters.")
                               % {"max": MAX_CONTRIBUTION})
    if role == Partnership.Role.FUNDER:
        if amount is None or amount <= 0:
            raise PartnershipError(_("A funder gives the amount of its contribution."))
        if amount > MAX_AMOUNT:
            raise PartnershipError(
                _("This amount is more than 10,000 billion: check the number of zeros."))
        if currency not in CURRENCIES:
            raise PartnershipError(_("Choose the currency of the amount."))
    else:
        amount, currency = None, ""
    if Partnership.objects.live().filter(pledge=pledge, entity=entity).exists():
        raise PartnershipError(
            _("%(entity)s is already invited to this pledge, asking to join it or a partner "
              "of it.") % {"entity": entity.name})
    conversion = usd_conversion(amount, currency, timezone.localdate())
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                pledge=pledge, entity=entity, role=role, status=P.REQUESTED,
                requested_by=actor, contribution=contribution, amount=amount,
                currency=currency, usd_amount=conversion.usd_amount,
                usd_rate=conversion.usd_rate, usd_rate_date=conversion.usd_rate_date,
                amount_month=_amount_month(amount),
            )
    except IntegrityError as error:  # the same request sent twice at the same moment
        raise PartnershipError(
            _("%(entity)s is already invited to this pledge, asking to join it or a partner "
              "of it.") % {"entity": entity.name}) from error
    _record(partnership, actor=actor, previous="")
    for user in entity_administrators(pledge.entity):
        email_send_templated(
            template="pledges/join_requested", to=[user.email],
            context={"partnership": partnership, "pledge": pledge, "entity": entity,
                     "recipient": user,
                     "expires_on": join_request_expiry(partnership.invited_at)},
            language=user.preferred_language,
        )
    return partnership


def _amount_month(amount: Decimal | None) -> datetime.date | None:
    """The month a funder's amount is given in: its rate converts it, now or when uploaded."""
    return first_of_month(timezone.localdate()) if amount is not None else None


def join_request_expiry(requested_at: datetime.datetime) -> datetime.date:
    """The day an unanswered request expires (settings.P2C_JOIN_REQUEST_DAYS after it)."""
    return timezone.localdate(requested_at
                              + datetime.timedelta(days=settings.P2C_JOIN_REQUEST_DAYS))


def _requester_side(partnership: Partnership) -> list:
    """The asking entity's administrators and the person who asked (while still a member)."""
    people = {user.pk: user for user in entity_administrators(partnership.entity)}
    asker = partnership.requested_by
    if (asker is not None and asker.is_active
            and permissions.role_in(asker, partnership.entity) is not None):
        people.setdefault(asker.pk, asker)
    return sorted(people.values(), key=lambda user: user.email)


def _email_join_request_withdrawn(partnership: Partnership, *, actor) -> None:
    """The pledge's administrators, each in their language: the request they were asked to
    answer (by email and on their dashboard) is withdrawn, nothing is left to answer."""
    for user in entity_administrators(partnership.pledge.entity):
        if user.pk == actor.pk:
            continue
        email_send_templated(
            template="pledges/join_request_withdrawn", to=[user.email],
            context={"partnership": partnership, "pledge": partnership.pledge,
                     "entity": partnership.entity, "recipient": user},
            language=user.preferred_language,
        )


def _email_join_request_answer(partnership: Partnership, *, actor, template: str,
                               message: str) -> None:
    """The answer (accepted, declined, expired) to the asking side; when the secretariat
    answered on their behalf, to the pledge's administrators too."""
    if not template:
        return
    recipients = _requester_side(partnership)
    if actor is not None and not permissions.is_pledge_administrator(actor, partnership.pledge):
        recipients += list(entity_administrators(partnership.pledge.entity))
    on_behalf = actor is not None and permissions.can_answer_join_requests(actor) and (
        not permissions.is_pledge_administrator(actor, partnership.pledge))
    for user in recipients:
        if actor is not None and user.pk == actor.pk:
            continue
        email_send_templated(
            template=f"pledges/{template}", to=[user.email],
            context={"partnership": partnership, "pledge": partnership.pledge,
                     "entity": partnership.entity, "message": message, "recipient": user,
                     "on_behalf": on_behalf},
            language=user.preferred_language,
        )


# --- Expiry, with a reminder first (Celery beat: pledges.tasks.join_requests_expire) -------------


def join_requests_expire(*, now: datetime.datetime | None = None) -> dict:
    """Remind the pledge's administrators of the requests about to expire
    (settings.P2C_JOIN_REQUEST_REMINDER_DAYS before), then expire those left unanswered
    settings.P2C_JOIN_REQUEST_DAYS after they were made. Each reminder is claimed by a
    compare-and-set on `reminded_at` in the transaction that queues its emails, and each expiry
    is a locked transition: a second run, or a second worker at the same time, does nothing
    twice. Returns {"reminded": n, "expired": n}."""
    now = now or timezone.now()
    days = datetime.timedelta(days=settings.P2C_JOIN_REQUEST_DAYS)
    notice = datetime.timedelta(days=settings.P2C_JOIN_REQUEST_REMINDER_DAYS)
    pending = Partnership.objects.filter(status=P.REQUESTED)
    reminded = expired = 0
    for partnership_id in pending.filter(invited_at__lte=now - days).values_list("pk", flat=True):
        try:
            partnership_transition(partnership_id=partnership_id, name="expire", actor=None,
                                   expected_status=P.REQUESTED)
        except PartnershipError:
            continue  # answered, withdrawn or expired by someone else in the meantime
        expired += 1
    due = pending.filter(invited_at__lte=now - days + notice, reminded_at__isnull=True)
    for partnership_id in due.values_list("pk", flat=True):
        reminded += _join_request_remind(partnership_id, now=now)
    if reminded or expired:
        logger.info("join_requests.expiry", extra={"reminded": reminded, "expired": expired})
    return {"reminded": reminded, "expired": expired}


@transaction.atomic
def _join_request_remind(partnership_id: int, *, now: datetime.datetime) -> int:
    claimed = Partnership.objects.filter(
        pk=partnership_id, status=P.REQUESTED, reminded_at__isnull=True,
    ).update(reminded_at=now)
    if not claimed:
        return 0
    partnership = Partnership.objects.select_related("pledge__entity", "entity").get(
        pk=partnership_id)
    for user in entity_administrators(partnership.pledge.entity):
        email_send_templated(
            template="pledges/join_request_reminder", to=[user.email],
            context={"partnership": partnership, "pledge": partnership.pledge,
                     "entity": partnership.entity, "recipient": user,
                     "expires_on": join_request_expiry(partnership.invited_at)},
            language=user.preferred_language,
        )
    return 1


# --- A partner's proposal to change its own contribution -----------------------------------------

AM = PartnershipAmendment.Status
# What an approved proposal copies onto the partnership.
CONTRIBUTION_FIELDS = ["contribution", "amount", "currency", "usd_amount", "usd_rate",
                       "usd_rate_date", "amount_month"]
# The small lifecycle of a proposal (PartnershipAmendment): the pledge's administrators, or the
# secretariat on their behalf ("owner"), answer it, as they answer a request to join; declining
# says why. The proposing partner's administrators may take it back while it waits.
AMENDMENT_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("approve_amendment", _("Approve the change"), frozenset({AM.PROPOSED}),
                   AM.APPROVED, "owner", email="partnership_amendment_answered"),
        Transition("decline_amendment", _("Decline the change"), frozenset({AM.PROPOSED}),
                   AM.DECLINED, "owner", reason_required=True,
                   email="partnership_amendment_answered"),
        Transition("withdraw_amendment", _("Withdraw the proposal"), frozenset({AM.PROPOSED}),
                   AM.WITHDRAWN, "partner", email="partnership_amendment_withdrawn"),
    ]
}


def amendment_transition_allowed(user, amendment: PartnershipAmendment, name: str) -> bool:
    """Whether `user` may take this decision on the proposal now (its status and who may)."""
    transition = AMENDMENT_TRANSITIONS[name]
    return (amendment.status in transition.sources
            and may(user, amendment.partnership, transition))


def _checked_contribution(role: str, contribution: str, amount: Decimal | None,
                          currency: str) -> tuple[str, Decimal | None, str]:
    """What a partner says it brings: a description, and for a funder an amount in a currency."""
    contribution = (contribution or "").strip()
    if not contribution:
        raise PartnershipError(_("Say in a few words what your entity brings to this pledge."))
    if len(contribution) > MAX_CONTRIBUTION:
        raise PartnershipError(_("Keep the description under %(max)d characters.")
                               % {"max": MAX_CONTRIBUTION})
    if role != Partnership.Role.FUNDER:
        return contribution, None, ""
    if amount is None or amount <= 0:
        raise PartnershipError(_("A funder gives the amount of its contribution."))
    if amount > MAX_AMOUNT:
        raise PartnershipError(
            _("This amount is more than 10,000 billion: check the number of zeros."))
    if currency not in CURRENCIES:
        raise PartnershipError(_("Choose the currency of the amount."))
    return contribution, amount, currency


def can_propose_amendment(user, partnership: Partnership) -> bool:
    return (partnership.status == P.ACCEPTED
            and permissions.is_partner_administrator(user, partnership))


@transaction.atomic
def partnership_amendment_propose(*, actor, partnership_id: int, contribution: str,
                                  amount: Decimal | None = None, currency: str = "",
                                  reason: str) -> PartnershipAmendment:
    """An accepted partner's administrators propose a new description of their contribution
    (and a funder a new amount and currency, converted to USD at this month's rate), saying
    why. The pledge's administrators are asked by email, each in their language. Nothing public
    changes until they approve; one proposal waits at a time."""
    partnership = (Partnership.objects.select_for_update(of=("self",))
                   .select_related("pledge__entity", "entity").get(pk=partnership_id))
    if not permissions.is_partner_administrator(actor, partnership):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if partnership.status != P.ACCEPTED:
        raise PartnershipError(_("Only an accepted partner can change its contribution."))
    contribution, amount, currency = _checked_contribution(partnership.role, contribution,
                                                           amount, currency)
    if (contribution, amount, currency) == (partnership.contribution, partnership.amount,
                                            partnership.currency):
        raise PartnershipError(_("This is the contribution already shown: change something."))
    reason = (reason or "").strip()
    if not reason:
        raise PartnershipError(_("Say why the contribution changes: the pledge's "
                                 "administrators read it before they answer."))
    if len(reason) > MAX_REASON:
        raise PartnershipError(_("Keep the reason under %(max)d characters.") % {"max": MAX_REASON})
    if partnership.amendments.filter(status=AM.PROPOSED).exists():
        raise PartnershipError(_("A change to this contribution already waits for an answer."))
    conversion = usd_conversion(amount, currency, timezone.localdate())
    try:
        with transaction.atomic():
            amendment = PartnershipAmendment.objects.create(
                partnership=partnership, contribution=contribution, amount=amount,
                currency=currency, usd_amount=conversion.usd_amount,
                usd_rate=conversion.usd_rate, usd_rate_date=conversion.usd_rate_date,
                amount_month=_amount_month(amount), proposed_by=actor,
                reason=reason,
            )
    except IntegrityError as error:  # the same proposal sent twice at the same moment
        raise PartnershipError(
            _("A change to this contribution already waits for an answer.")) from error
    for user in entity_administrators(partnership.pledge.entity):
        email_send_templated(
            template="pledges/partnership_amendment_proposed", to=[user.email],
            context={"proposal": amendment, "partnership": partnership,
                     "pledge": partnership.pledge, "entity": partnership.entity,
                     "recipient": user},
            language=user.preferred_language,
        )
    return amendment


@transaction.atomic
def partnership_amendment_transition(*, amendment_id: int, name: str, actor,
                                     message: str = "") -> PartnershipAmendment:
    """Approve, decline or withdraw a proposal (AMENDMENT_TRANSITIONS). Approving changes the
    partnership's contribution and the pledge's `contributions_usd` in this one transaction,
    keeping the values before on the proposal (the audit). The other side is told, each
    person in their language: the proposing entity's administrators of an answer, the pledge's
    administrators of a withdrawal."""
    transition = AMENDMENT_TRANSITIONS[name]
    amendment = (PartnershipAmendment.objects.select_for_update(of=("self",))
                 .get(pk=amendment_id))
    partnership = (Partnership.objects.select_for_update(of=("self",))
                   .select_related("pledge__entity", "entity").get(pk=amendment.partnership_id))
    if not may(actor, partnership, transition):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if amendment.status not in transition.sources:
        raise PartnershipError(_("This change was already answered in the meantime."))
    if name == "approve_amendment" and partnership.status != P.ACCEPTED:
        raise PartnershipError(_("Only an accepted partner can change its contribution."))
    message = (message or "").strip()
    if transition.reason_required and not message:
        raise PartnershipError(_("Say why you decline: the partner reads it."))
    if len(message) > MAX_REASON:
        raise PartnershipError(_("Keep the reason under %(max)d characters.") % {"max": MAX_REASON})
    if name == "approve_amendment":
        amendment.previous_contribution = partnership.contribution
        amendment.previous_amount = partnership.amount
        amendment.previous_currency = partnership.currency
        amendment.previous_usd_amount = partnership.usd_amount
        for field in CONTRIBUTION_FIELDS:
            setattr(partnership, field, getattr(amendment, field))
        partnership.save(update_fields=CONTRIBUTION_FIELDS)
        _touch(partnership.pledge)
    amendment.status = transition.target
    amendment.decided_by = actor
    amendment.decided_at = timezone.now()
    amendment.message = message
    amendment.save(update_fields=["status", "decided_by", "decided_at", "message",
                                  "previous_contribution", "previous_amount",
                                  "previous_currency", "previous_usd_amount"])
    if transition.who == "partner":
        recipients = list(entity_administrators(partnership.pledge.entity))
    else:
        recipients = list(entity_administrators(partnership.entity))
    # The secretariat answered on the pledge's entity's behalf: its administrators are told too.
    on_behalf = transition.who == "owner" and not permissions.is_pledge_administrator(
        actor, partnership.pledge)
    if on_behalf:
        recipients += list(entity_administrators(partnership.pledge.entity))
    for user in recipients:
        if user.pk == actor.pk:
            continue
        email_send_templated(
            template=f"pledges/{transition.email}", to=[user.email],
            context={"proposal": amendment, "partnership": partnership,
                     "pledge": partnership.pledge, "entity": partnership.entity,
                     "message": message, "recipient": user, "on_behalf": on_behalf},
            language=user.preferred_language,
        )
    return amendment

