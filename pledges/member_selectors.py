"""Reads of the member area: an entity's own pledges, whatever their status, for its members
(and the secretariat). The public side is in pledges.selectors."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from members.models import Membership
from members.permissions import entity_administrators

from . import permissions
from .models import Pledge, PledgeAmendment, PledgeStatusChange
from .partnership_selectors import accepted_partners_prefetch

PLEDGE_DETAIL_PREFETCH = (
    "action_areas", "pillars__action_area", "regions", "countries__group_memberships",
    "countries__region", "beneficiary_groups", "sdgs", "targets__catalogue_indicator",
    accepted_partners_prefetch(),
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


def pledge_latest_change_request(pledge: Pledge) -> PledgeStatusChange | None:
    """The secretariat's last request for changes, whatever the pledge's status now."""
    return (
        pledge.status_changes.filter(to_status=Pledge.Status.CHANGES_REQUESTED)
        .select_related("actor").order_by("-created_at", "-pk").first()
    )


def pledge_open_change_request(pledge: Pledge) -> PledgeStatusChange | None:
    """What the secretariat last asked, while the pledge waits for those changes."""
    if pledge.status != Pledge.Status.CHANGES_REQUESTED:
        return None
    return pledge_latest_change_request(pledge)


def pledge_status_history(pledge: Pledge) -> QuerySet[PledgeStatusChange]:
    return pledge.status_changes.select_related("actor")


def pledge_contacts(pledge: Pledge, *, administrators_too: bool = False) -> list:
    """The people to write to about a pledge (its review, its reminders): whoever created it and
    whoever last submitted it, while they are still administrators or editors of the entity;
    the entity's administrators when neither is (or always, with `administrators_too`). Active
    accounts only, each once, by email address."""
    writers = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            entity_id=pledge.entity_id, role__in=permissions.WRITER_ROLES, user__is_active=True
        ).select_related("user")
    }
    last_submitter = (
        PledgeStatusChange.objects.filter(pledge=pledge, to_status=Pledge.Status.SUBMITTED)
        .order_by("-created_at", "-pk").values_list("actor_id", flat=True).first()
    )
    people = {}
    for user_id in (pledge.created_by_id, last_submitter):
        if user_id in writers:
            people.setdefault(user_id, writers[user_id])
    if administrators_too or not people:
        for user in entity_administrators(pledge.entity_id):
            people.setdefault(user.pk, user)
    return sorted(people.values(), key=lambda user: user.email)


def pledge_list_changes_requested(entity) -> QuerySet[Pledge]:
    """The entity's pledges the secretariat sent back for changes: they wait for the member."""
    return (
        Pledge.objects.for_entity(entity)
        .filter(status=Pledge.Status.CHANGES_REQUESTED)
        .only("pk", "title", "translations", "reference", "entity_id")
        .order_by("-updated_at", "-pk")
    )
def pledge_open_amendment(pledge: Pledge) -> PledgeAmendment | None:
    """The amendment of the pledge under review or waiting for the entity's changes."""
    return (PledgeAmendment.objects.filter(pledge=pledge, status__in=PledgeAmendment.OPEN)
            .select_related("proposed_by", "decided_by").first())


def pledge_amendments(pledge: Pledge) -> QuerySet[PledgeAmendment]:
    """Every amendment of the pledge, newest first, for its entity's page."""
    return (PledgeAmendment.objects.filter(pledge=pledge)
            .select_related("proposed_by", "decided_by").order_by("-submitted_at", "-pk"))


def pledge_campaign_tags(pledge: Pledge):
    """The campaigns the pledge was proposed for, with the secretariat's answers."""
    return pledge.campaign_tags.select_related("campaign").order_by("-proposed_at", "-pk")
