"""Reads of partnerships: the member pages (both sides), the public partners by role, and the
partners of a date for reports."""

import datetime

from django.db.models import Prefetch, Q, QuerySet, Value
from django.db.models.lookups import IContains
from django.http import Http404

from members.models import Entity, Membership
from p2c_portal.locale_formats import Collated
from p2c_portal.text_folding import Unaccented

from .models import Partnership, PartnershipAmendment, PartnershipChange, Pledge
from .permissions import WRITER_ROLES, can_see_partnership

PICKER_LIMIT = 20


def partnerships_of_pledge(pledge: Pledge) -> QuerySet[Partnership]:
    """Every invitation and partnership of the pledge with its history, for its own members,
    each with `proposals`: its change of contribution waiting for an answer (none or one)."""
    return (Partnership.objects.filter(pledge=pledge)
            .select_related("pledge", "entity", "invited_by")
            .prefetch_related(Prefetch("changes", queryset=PartnershipChange.objects
                                       .select_related("actor")),
                              Prefetch("amendments", queryset=PartnershipAmendment.objects
                                       .filter(status=PartnershipAmendment.Status.PROPOSED),
                                       to_attr="proposals"))
            .order_by("-invited_at", "-pk"))


def partnership_get_for_member(user, partnership_id: int) -> Partnership:
    """A partnership seen by a member of either side; a 404 to anyone else."""
    partnership = (Partnership.objects.select_related("pledge__entity", "entity")
                   .filter(pk=partnership_id).first())
    if partnership is None or not can_see_partnership(user, partnership):
        raise Http404
    return partnership


def invitations_for_entity(entity: Entity) -> QuerySet[Partnership]:
    """The invitations waiting for an answer from the entity's administrators (dashboard)."""
    return (Partnership.objects.filter(entity=entity, status=Partnership.Status.INVITED)
            .select_related("pledge__entity").order_by("invited_at", "pk"))


def entities_to_invite(pledge: Pledge, query: str) -> list[Entity]:
    """Approved entities whose name or acronym contains `query`, but the pledge's own entity
    and those already invited or partners: the picker's results (at most PICKER_LIMIT)."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    taken = Partnership.objects.live().filter(pledge=pledge).values("entity_id")
    folded = Unaccented(Value(query))  # accents and case ignored, as in the entity directory
    return list(
        Entity.objects.approved()
        .filter(Q(IContains(Unaccented("name"), folded))
                | Q(IContains(Unaccented("acronym"), folded)))
        .exclude(pk=pledge.entity_id).exclude(pk__in=taken)
        .order_by(Collated("name"), "pk")[:PICKER_LIMIT]
    )


def accepted_partners_prefetch() -> Prefetch:
    """The accepted partners of pledges, by role and name, in one query for any number of
    pledges or partners (pledge page): `pledge.accepted_partners`."""
    return Prefetch(
        "partnerships",
        queryset=Partnership.objects.accepted().filter(entity__status=Entity.Status.APPROVED)
        .select_related("entity").order_by("role", Collated("entity__name"), "pk"),
        to_attr="accepted_partners",
    )


def entity_roles_prefetch(entity: Entity) -> Prefetch:
    """The roles `entity` accepted in pledges it does not make, in one query for a list of
    pledges (its profile): `pledge.entity_roles`."""
    return Prefetch(
        "partnerships",
        queryset=Partnership.objects.accepted().filter(entity=entity).order_by("role"),
        to_attr="entity_roles",
    )


def partner_ids_as_of(pledge_ids, before: datetime.datetime) -> QuerySet:
    """The approved entities that were accepted partners of `pledge_ids` just before `before`
    (accepted earlier, not ended by then): the co-pledgers a report "as of" a date counts.
    A subquery of entity ids."""
    return (Partnership.objects.filter(pledge_id__in=pledge_ids, accepted_at__lt=before,
                                       entity__status=Entity.Status.APPROVED)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=before))
            .values("entity_id"))


def accepted_partners_of_pledges(pledge_ids) -> dict[int, list[dict]]:
    """The accepted partners of these pledges as plain rows ({"entity_id", "entity_name",
    "role", "since"}), by role then name, in one query for any number of pledges: the open API
    reads them here, so that a role or field added to partnerships reaches it. Invitations,
    declined or ended partnerships and entities that are not approved never appear."""
    partners: dict[int, list[dict]] = {}
    rows = (Partnership.objects.accepted().filter(pledge_id__in=list(pledge_ids),
                                                  entity__status=Entity.Status.APPROVED)
            .order_by("role", Collated("entity__name"), "pk")
            .values("pledge_id", "entity_id", "entity__name", "role", "accepted_at"))
    for row in rows:
        partners.setdefault(row["pledge_id"], []).append({
            "entity_id": row["entity_id"], "entity_name": row["entity__name"],
            "role": row["role"], "since": row["accepted_at"],
        })
    return partners


DASHBOARD_REQUESTS = 10


def join_requests_to_entity(entity: Entity) -> QuerySet[Partnership]:
    """The requests to join the entity's pledges waiting for its administrators' answer
    (dashboard), oldest first: the first to expire."""
    return (Partnership.objects.filter(pledge__entity=entity, status=Partnership.Status.REQUESTED)
            .select_related("pledge", "entity").order_by("invited_at", "pk"))


def join_requests_of_entity(entity: Entity) -> QuerySet[Partnership]:
    """The entity's own latest requests to join other entities' pledges, in any state
    (dashboard): asked, accepted, declined, withdrawn or expired."""
    return (Partnership.objects.filter(entity=entity, requested_by__isnull=False)
            .select_related("pledge__entity").order_by("-invited_at", "-pk")
            [:DASHBOARD_REQUESTS])


def partner_contacts(entity_id: int) -> list:
    """The people to write to about a partner's share of a pledge (its progress reminders, a
    report of its hidden): the partner entity's administrators and editors, active accounts,
    by email address."""
    return [membership.user for membership in
            Membership.objects.filter(entity_id=entity_id, role__in=WRITER_ROLES,
                                      user__is_active=True)
            .select_related("user").order_by("user__email")]


def shared_pledges_for_entity(entity: Entity) -> QuerySet[Pledge]:
    """'My pledges', shared side: the pledges of other entities that `entity` takes part in as
    an accepted partner, each with `entity_roles` (its partnerships), newest change first."""
    return (Pledge.objects.filter(partnerships__in=Partnership.objects.accepted()
                                  .filter(entity=entity))
            .exclude(entity=entity).distinct()
            .select_related("entity")
            .prefetch_related(entity_roles_prefetch(entity))
            .order_by("-updated_at", "-pk"))


def accepted_partnership_for_member(user, pledge: Pledge,
                                    acting_entity_id: int | None = None) -> Partnership | None:
    """The accepted partnership of the pledge through which `user` takes part in it: one of an
    approved entity they are a member of (the entity they act for first); None if there is none."""
    partnerships = list(
        Partnership.objects.accepted()
        .filter(pledge=pledge, entity__status=Entity.Status.APPROVED,
                entity__memberships__user_id=user.pk)
        .select_related("entity").order_by("pk")
    ) if user.is_authenticated else []
    partnerships.sort(key=lambda p: p.entity_id != acting_entity_id)
    return partnerships[0] if partnerships else None


# --- A partner's proposals to change its contribution (pledges.partnerships) ----------------------


def contribution_proposals(partnership: Partnership) -> list[PartnershipAmendment]:
    """Every proposal of the partnership, newest first: the one waiting (if any) and the
    answered ones, with who decided."""
    return list(partnership.amendments.select_related("proposed_by", "decided_by")
                .order_by("-proposed_at", "-pk"))


def contribution_proposal_get_for_member(user, amendment_id: int) -> PartnershipAmendment:
    """A proposal seen by a member of either side of its partnership; a 404 to anyone else."""
    amendment = (PartnershipAmendment.objects
                 .select_related("partnership__pledge__entity", "partnership__entity",
                                 "proposed_by", "decided_by")
                 .filter(pk=amendment_id).first())
    if amendment is None or not can_see_partnership(user, amendment.partnership):
        raise Http404
    return amendment


def contribution_proposals_to_entity(entity: Entity) -> QuerySet[PartnershipAmendment]:
    """The partners' proposed changes of contribution to the entity's pledges, waiting for its
    administrators' answer (dashboard), oldest first."""
    return (PartnershipAmendment.objects
            .filter(partnership__pledge__entity=entity,
                    status=PartnershipAmendment.Status.PROPOSED)
            .select_related("partnership__pledge", "partnership__entity")
            .order_by("proposed_at", "pk"))


def contribution_proposals_waiting_count(pledge: Pledge) -> int:
    """How many partners' proposed changes of contribution to `pledge` wait for an answer
    (the pledge's page in the member area points to them)."""
    return PartnershipAmendment.objects.filter(
        partnership__pledge=pledge, status=PartnershipAmendment.Status.PROPOSED).count()
