"""Reads of the member area: an entity's own pledges, whatever their status, for its members
(and the secretariat). The public side is in pledges.selectors."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from . import permissions
from .models import Pledge, PledgeStatusChange

PLEDGE_DETAIL_PREFETCH = (
    "action_areas", "pillars__action_area", "regions", "countries__group_memberships",
    "countries__region", "beneficiary_groups", "sdgs", "co_pledgers", "targets",
)


def pledge_list_for_entity(entity) -> QuerySet[Pledge]:
    """'My pledges': the entity's pledges with what the secretariat last said."""
    return (
        Pledge.objects.for_entity(entity)
        .select_related("entity", "event")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=PledgeStatusChange.objects.select_related("actor"),
            )
        )
        .order_by("-updated_at", "-pk")
    )


def pledge_get_for_member(user, pledge_id: int) -> Pledge:
    """A pledge's private side: its entity's members and the secretariat; anyone else 404."""
    pledge = (
        Pledge.objects.select_related("entity", "entity__headquarters_country", "event",
                                      "created_by")
        .prefetch_related(*PLEDGE_DETAIL_PREFETCH)
        .filter(pk=pledge_id)
        .first()
    )
    if pledge is None or not permissions.can_view_pledge_private(user, pledge):
        raise Http404
    return pledge


def pledge_status_history(pledge: Pledge) -> QuerySet[PledgeStatusChange]:
    return pledge.status_changes.select_related("actor")
