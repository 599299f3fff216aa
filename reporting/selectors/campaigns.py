"""The public side of the pledging campaigns: the index, a campaign's page with its confirmed
public pledges and the goals scoped to it (their figures from reporting.selectors.goals)."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from action_areas.models import Campaign, CoalitionGoal
from pledges.models import CampaignTag, Pledge


def _confirmed_public_tags():
    return CampaignTag.objects.confirmed().filter(
        pledge__in=Pledge.objects.public().values("pk"))


def campaign_list_public() -> QuerySet[Campaign]:
    """Active campaigns, the latest first, each with `pledge_count`: its confirmed public
    pledges (one query whatever the number of campaigns)."""
    return Campaign.objects.public().annotate(
        pledge_count=Count("pledge_tags", filter=Q(
            pledge_tags__in=_confirmed_public_tags().values("pk")))
    ).order_by("-starts_on", "slug")


def campaign_get_public(slug: str) -> Campaign:
    campaign = (Campaign.objects.public().prefetch_related("action_areas", "indicators")
                .filter(slug=slug).first() if len(slug) <= 50 else None)
    if campaign is None:
        raise Http404
    return campaign


def campaign_pledges_public(campaign: Campaign) -> QuerySet[Pledge]:
    """The public pledges the secretariat confirmed in the campaign, by reference."""
    return (Pledge.objects.public().filter(Exists(CampaignTag.objects.confirmed().filter(
        campaign=campaign, pledge_id=OuterRef("pk"))))
        .select_related("entity").order_by("reference", "pk"))


def campaign_goals_public(campaign: Campaign) -> QuerySet[CoalitionGoal]:
    return CoalitionGoal.objects.shown().filter(campaign=campaign).select_related(
        "indicator", "campaign")

