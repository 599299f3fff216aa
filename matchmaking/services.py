"""Every write of matchmaking but the review transitions (matchmaking.workflow): needs written
by their entity, proposals to connect and their answers."""

import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Entity, Membership
from p2c_portal.mail import email_send_templated
from p2c_portal.typed_input import storable_typed_input
from pledges.models import Pledge
from pledges.rates import usd_equivalent

from . import permissions
from .models import Introduction, Need

M2M_FIELDS = frozenset({"action_areas", "pillars", "countries"})
MAX_COUNTRIES = 60


class NeedError(Exception):
    """A write refused for a reason the person can act on; the message is safe to show."""


class EditConflict(NeedError):
    def __init__(self):
        super().__init__(_("Someone saved this need after you opened it. Your text is kept "
                           "below: check the need and save again."))


def _write(need: Need, values: dict[str, Any]) -> None:
    if len(values.get("countries", [])) > MAX_COUNTRIES:
        raise NeedError(_("Choose at most %(max)d countries.") % {"max": MAX_COUNTRIES})
    for field, value in values.items():
        if field not in M2M_FIELDS:
            setattr(need, field, value)
    if {"amount", "currency"} & values.keys():
        # The USD equivalent at this month's UN operational rate (pledges.rates), if known.
        need.usd_amount = usd_equivalent(need.amount, need.currency)[0]
    need.version += 1
    need.save()
    for field in M2M_FIELDS & values.keys():
        getattr(need, field).set(values[field])


@transaction.atomic
def need_create(*, user, entity: Entity, values: dict[str, Any]) -> Need:
    if not permissions.can_create_need(user, entity):
        raise permissions.PermissionDenied(_("You cannot write needs for this entity."))
    need = Need(entity=entity, created_by=user)
    _write(need, values)
    return need


@transaction.atomic
def need_save(*, user, need_id: int, values: dict[str, Any], raw_input: dict | None,
              expected_version: int | None) -> Need:
    """Save the valid values; keep what did not validate, as typed (`raw_input`, None when all
    validated), so that nothing typed is lost."""
    need = Need.objects.select_for_update().select_related("entity").get(pk=need_id)
    if not permissions.can_edit_need(user, need):
        raise permissions.PermissionDenied(_("This need cannot be edited now."))
    if expected_version is not None and need.version != expected_version:
        raise EditConflict
    need.unsaved_input = storable_typed_input(raw_input) if raw_input else {}
    _write(need, values)
    return need


@transaction.atomic
def need_delete_draft(*, user, need_id: int) -> None:
    need = Need.objects.select_for_update().select_related("entity").get(pk=need_id)
    if need.status != Need.Status.DRAFT or not permissions.can_create_need(user, need.entity):
        raise permissions.PermissionDenied(_("Only a draft can be deleted."))
    need.delete()


# --- Introductions -------------------------------------------------------------------------------


def proposals_today(user) -> int:
    since = timezone.now() - datetime.timedelta(days=1)
    return Introduction.objects.filter(proposed_by=user, by_secretariat=False,
                                       created_at__gte=since).count()


def _pending_between(need: Need, first: Entity, second: Entity) -> bool:
    return Introduction.objects.filter(
        need=need, status=Introduction.Status.PENDING,
        from_entity__in=[first, second], to_entity__in=[first, second],
    ).exists()


@transaction.atomic
def introduction_propose(*, user, need_id: int, pledge_id: int, from_entity: Entity,
                         message: str) -> Introduction:
    """A member of either side proposes to connect the need's entity and the pledge's entity.
    Limits: MATCHMAKING_PROPOSALS_PER_DAY per person a day; one pending proposal per pair."""
    need = Need.objects.select_for_update().select_related("entity").get(pk=need_id)
    pledge = Pledge.objects.select_related("entity").get(pk=pledge_id)
    if not permissions.can_propose_for(user, from_entity):
        raise permissions.PermissionDenied(_("You cannot speak for this entity."))
    if not need.is_open() or not pledge.is_public():
        raise NeedError(_("This need is no longer open, or the pledge is not public."))
    if from_entity == need.entity:
        to_entity = pledge.entity
    elif from_entity == pledge.entity:
        to_entity = need.entity
    else:
        raise permissions.PermissionDenied(_("Only the two sides may propose to connect."))
    if to_entity == from_entity:
        raise NeedError(_("This pledge is your own entity's."))
    message = (message or "").strip()
    if not message:
        raise NeedError(_("Write a short message."))
    if proposals_today(user) >= settings.MATCHMAKING_PROPOSALS_PER_DAY:
        raise NeedError(_("You have sent %(count)d proposals in the last 24 hours, the most "
                          "allowed. Try again tomorrow.")
                        % {"count": settings.MATCHMAKING_PROPOSALS_PER_DAY})
    if _pending_between(need, from_entity, to_entity):
        raise NeedError(_("A proposal between these two entities about this need is already "
                          "waiting for an answer."))
    try:
        with transaction.atomic():
            introduction = Introduction.objects.create(
                need=need, pledge=pledge, from_entity=from_entity, to_entity=to_entity,
                proposed_by=user, message=message)
    except IntegrityError as error:
        raise NeedError(_("A proposal between these two entities about this need is already "
                          "waiting for an answer.")) from error
    _email_entity_administrators(to_entity, template="matchmaking/introduction_proposed",
                                 introduction=introduction)
    return introduction


@transaction.atomic
def introduction_make(*, user, need_id: int, pledge_id: int, message: str) -> Introduction:
    """The secretariat introduces the two sides itself; either side's administrators answer."""
    if not permissions.can_review_needs(user):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    need = Need.objects.select_related("entity").get(pk=need_id)
    pledge = Pledge.objects.select_related("entity").get(pk=pledge_id)
    if need.entity_id == pledge.entity_id:
        raise NeedError(_("This pledge is the same entity's."))
    if _pending_between(need, need.entity, pledge.entity):
        raise NeedError(_("A proposal between these two entities about this need is already "
                          "waiting for an answer."))
    introduction = Introduction.objects.create(
        need=need, pledge=pledge, from_entity=need.entity, to_entity=pledge.entity,
        proposed_by=user, by_secretariat=True, message=(message or "").strip())
    for entity in (need.entity, pledge.entity):
        _email_entity_administrators(entity, template="matchmaking/introduction_proposed",
                                     introduction=introduction)
    return introduction


@transaction.atomic
def introduction_answer(*, user, introduction_id: int, accept: bool) -> Introduction:
    introduction = (Introduction.objects.select_for_update()
                    .select_related("from_entity", "to_entity", "need").get(pk=introduction_id))
    if not permissions.can_answer_introduction(user, introduction):
        raise permissions.PermissionDenied(_("This proposal cannot be answered now."))
    introduction.status = (Introduction.Status.ACCEPTED if accept
                           else Introduction.Status.DECLINED)
    introduction.answered_by = user
    introduction.answered_at = timezone.now()
    introduction.save(update_fields=["status", "answered_by", "answered_at"])
    for entity in (introduction.from_entity, introduction.to_entity):
        _email_entity_administrators(entity, template="matchmaking/introduction_answered",
                                     introduction=introduction)
    return introduction


def _email_entity_administrators(entity: Entity, *, template: str,
                                 introduction: Introduction) -> None:
    """Each administrator of `entity`, in their language. The emails name the other side and
    link to the introduction's page; they never carry contact details (those are on the page,
    for the two sides of an accepted introduction only)."""
    administrators = (entity.memberships.filter(role=Membership.Role.ADMINISTRATOR,
                                                user__is_active=True)
                      .select_related("user").order_by("user_id"))
    for membership in administrators:
        email_send_templated(
            template=template, to=[membership.user.email],
            context={"introduction": introduction, "entity": entity,
                     "recipient": membership.user},
            language=membership.user.preferred_language,
        )
