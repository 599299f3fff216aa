"""Reads of the member area: a person's entities, teams, invitations and applications, scoped to
who is asking. The public side is in members.selectors."""

import re
import unicodedata

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import (
    Entity,
    EntityIdentityChange,
    EntityStatusChange,
    Invitation,
    JoinRequest,
    Membership,
    website_domain,
)


def normalised_name(value: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name, for duplicate detection."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^\w]+", " ", without_accents.casefold()).split()
    return " ".join(w for w in words if w not in ("the", "la", "le", "les", "l"))


def entity_find_similar(
    *, user, name: str, acronym: str = "", website: str = ""
) -> list[Entity]:
    """Entities that are probably the same organisation (entity_matches). Only approved
    entities (already public) and the person's own entities are offered: anything else would
    tell any signed-in account about applications under vetting."""
    visible = Q(status=Entity.Status.APPROVED) | Q(memberships__user=user)
    candidates = Entity.objects.filter(visible).distinct().only(
        "pk", "name", "acronym", "website", "status", "headquarters_country"
    )
    return entity_matches(
        candidates.select_related("headquarters_country"),
        name=name, acronym=acronym, website=website,
    )


def entity_matches(
    candidates: QuerySet[Entity], *, name: str, acronym: str = "", website: str = ""
) -> list[Entity]:
    """The candidates that are probably the organisation named: same name or acronym ignoring
    case, accents and punctuation (a name may match an acronym either way), or the same website
    domain. Used by the application form (entity_find_similar) and by the secretariat's vetting
    page (desk_selectors.entity_possible_duplicates). A few hundred entities: one scan is cheap
    and keeps no derived columns to go stale."""
    wanted_names = {k for k in (normalised_name(name), normalised_name(acronym)) if k}
    wanted_domain = website_domain(website)
    matches = []
    for entity in candidates.iterator(chunk_size=500):
        keys = {k for k in (normalised_name(entity.name), normalised_name(entity.acronym)) if k}
        same_domain = wanted_domain and website_domain(entity.website) == wanted_domain
        if keys & wanted_names or same_domain:
            matches.append(entity)
    return matches


def entity_list_for_user(user) -> QuerySet[Membership]:
    """The person's memberships with their entities, for the dashboard."""
    return (
        Membership.objects.filter(user=user)
        .select_related("entity", "entity__headquarters_country")
        .prefetch_related(
            Prefetch(
                "entity__status_changes",
                queryset=EntityStatusChange.objects.select_related("actor"),
            )
        )
        .order_by("entity__name")
    )


def entity_get_for_member(user, entity_id: int) -> tuple[Entity, Membership]:
    """An entity's private side: only its own members see it; anyone else gets a 404."""
    membership = (
        Membership.objects.filter(user=user, entity_id=entity_id)
        .select_related("entity", "entity__headquarters_country")
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404
    return membership.entity, membership


def entity_team(entity: Entity) -> QuerySet[Membership]:
    return entity.memberships.select_related("user").order_by("user__email")


def entity_open_invitations(entity: Entity) -> QuerySet[Invitation]:
    return entity.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def entity_pending_join_requests(entity: Entity) -> QuerySet[JoinRequest]:
    return entity.join_requests.filter(status=JoinRequest.Status.PENDING).select_related("user")


def entity_status_history(entity: Entity) -> QuerySet[EntityStatusChange]:
    return entity.status_changes.select_related("actor")


def entity_latest_secretariat_message(entity: Entity) -> EntityStatusChange | None:
    return (
        entity.status_changes.exclude(message="")
        .exclude(to_status=Entity.Status.APPLIED)
        .select_related("actor")
        .first()
    )


def invitation_by_token(token: str) -> Invitation | None:
    from .services import invitation_token_hash

    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("entity", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def acting_membership(user, preferred_entity_id: int | None) -> Membership | None:
    """The membership the person acts through: the one they picked if they still have it,
    otherwise their first (approved entities first)."""
    if not user.is_authenticated:
        return None
    memberships = list(
        Membership.objects.filter(user=user).select_related("entity").order_by("entity__name")
    )
    for membership in memberships:
        if membership.entity_id == preferred_entity_id:
            return membership
    approved = [m for m in memberships if m.entity.status == Entity.Status.APPROVED]
    return (approved or memberships or [None])[0]


def entity_pending_identity_change(entity: Entity) -> EntityIdentityChange | None:
    """The change of name, group or country the entity asked for, while the secretariat has not
    decided it."""
    return (
        EntityIdentityChange.objects.filter(
            entity=entity, status=EntityIdentityChange.Status.PENDING
        )
        .select_related("headquarters_country")
        .first()
    )
