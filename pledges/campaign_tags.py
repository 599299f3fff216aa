"""A pledge in a campaign: the pledging entity proposes it, the secretariat confirms or
declines it. The lifecycle as data, and the one helper that performs every transition.

    (propose) ──▶ proposed ──confirm──▶ confirmed
                      └─────decline──▶ declined

Only confirmed tags count: on the campaign's page, in a goal scoped to the campaign, in a
report on the campaign.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from action_areas.models import Campaign

from . import permissions
from .models import CampaignTag, CampaignTagChange, Pledge

T = CampaignTag.Status


class CampaignTagError(Exception):
    """A refused change; the message is safe to show to the person."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("confirm", _("Confirm"), frozenset({T.PROPOSED}), T.CONFIRMED),
        Transition("decline", _("Decline"), frozenset({T.PROPOSED}), T.DECLINED),
    ]
}


def campaigns_open_for(pledge: Pledge, *, on=None):
    """The campaigns the pledge can be proposed for on a day (default today): open then, and
    not proposed yet."""
    on = on or timezone.localdate()
    return Campaign.objects.open_on(on).exclude(pledge_tags__pledge=pledge).order_by(
        "ends_on", "slug")


def _record(tag: CampaignTag, *, actor, previous: str) -> None:
    CampaignTagChange.objects.create(tag=tag, actor=actor, from_status=previous,
                                     to_status=tag.status)


@transaction.atomic
def campaign_tag_propose(*, actor, pledge_id: int, campaign_id: int) -> CampaignTag:
    pledge = Pledge.objects.select_for_update().select_related("entity").get(pk=pledge_id)
    if not permissions.can_tag_campaigns(actor, pledge):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    campaign = Campaign.objects.open_on(timezone.localdate()).filter(pk=campaign_id).first()
    if campaign is None:
        raise CampaignTagError(_("Choose one of the campaigns open today."))
    try:
        with transaction.atomic():
            tag = CampaignTag.objects.create(pledge=pledge, campaign=campaign,
                                             proposed_by=actor)
    except IntegrityError as error:
        raise CampaignTagError(_("This pledge is already proposed for “%(campaign)s”.")
                               % {"campaign": campaign.name}) from error
    _record(tag, actor=actor, previous="")
    return tag


@transaction.atomic
def campaign_tag_transition(*, actor, tag_id: int, name: str) -> CampaignTag:
    """The secretariat confirms or declines a proposed tag. A confirmed tag of a public pledge
    changes its page: its updated_at tells the public caches to recompute."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise CampaignTagError(_("Choose to confirm or to decline."))
    if not permissions.can_review_campaign_tags(actor):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    tag = CampaignTag.objects.select_for_update().get(pk=tag_id)
    if tag.status not in transition.sources:
        raise CampaignTagError(_("This tag was already decided: it is “%(status)s”.")
                               % {"status": tag.get_status_display()})
    previous = tag.status
    tag.status, tag.decided_at = transition.target, timezone.now()
    tag.save(update_fields=["status", "decided_at"])
    _record(tag, actor=actor, previous=previous)
    Pledge.objects.filter(pk=tag.pledge_id).update(updated_at=timezone.now())
    return tag
