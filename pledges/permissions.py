"""Who may do what with a pledge; views, templates and services all ask these.

Plain predicates on a person and a pledge or entity. Whether a transition may happen now (its
status and who may do it) is the workflow's question: pledges.workflow.transition_allowed asks
these, never the other way round."""

from members.models import Entity, Membership
from members.permissions import (  # noqa: F401  (re-exported)
    PermissionDenied,
    can_write_internal_notes,
    role_in,
)

from .models import Pledge

WRITER_ROLES = (Membership.Role.ADMINISTRATOR, Membership.Role.EDITOR)


def can_review_pledges(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("pledges.review_pledge"))


def can_map_targets(user) -> bool:
    """The secretariat's mapping of free-text targets to the indicator catalogue."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("pledges.change_target"))


def can_correct_pledges(user) -> bool:
    """The secretariat's corrections of a pledge's content in the review desk."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("pledges.change_pledge"))


def can_create_pledge(user, entity: Entity) -> bool:
    """Only people acting for an approved entity, as administrator or editor."""
    return entity.status == Entity.Status.APPROVED and role_in(user, entity) in WRITER_ROLES


def can_view_pledge_private(user, pledge: Pledge) -> bool:
    return role_in(user, pledge.entity) is not None or can_review_pledges(user)


def can_edit_pledge(user, pledge: Pledge) -> bool:
    return pledge.is_editable_status and can_create_pledge(user, pledge.entity)


def can_amend_pledge(user, pledge: Pledge) -> bool:
    """Administrators and editors of the pledging entity propose amendments of its published
    pledges (pledges.amendment_workflow); the secretariat reviews them."""
    return pledge.status == Pledge.Status.PUBLISHED and can_create_pledge(user, pledge.entity)


def can_translate_pledge(user, pledge: Pledge) -> bool:
    """Administrators and editors of the pledge's entity, whatever the pledge's status but
    withdrawn or rejected (nobody reads those): a translation changes no commitment."""
    return pledge.status not in (Pledge.Status.WITHDRAWN, Pledge.Status.REJECTED) and (
        role_in(user, pledge.entity) in WRITER_ROLES
    )


def can_upload_rates(user) -> bool:
    """The secretariat uploads the UN operational rates of exchange (pledges.rates)."""
    return bool(user.is_authenticated and user.is_active
                and user.has_perm("pledges.add_currencyrate"))


# --- Partnerships (pledges.partnerships) ---------------------------------------------------------


def member_roles(user) -> dict[int, str]:
    """The person's role in each entity it belongs to, read in one query: for a page asking the
    predicates below of many rows (their `roles=`), instead of a query per row and side."""
    if not user.is_authenticated or not user.is_active:
        return {}
    return dict(Membership.objects.filter(user=user).values_list("entity_id", "role"))


def _role(user, holder, roles: dict[int, str] | None) -> str | None:
    """The person's role in `holder.entity` (a pledge's or a partner's): from `roles` when the
    page read them once (member_roles), else from the database."""
    return roles.get(holder.entity_id) if roles is not None else role_in(user, holder.entity)


def is_partner_administrator(user, partnership, *, roles=None) -> bool:
    """Administrators of the invited entity answer for it."""
    return _role(user, partnership, roles) == Membership.Role.ADMINISTRATOR


def is_pledge_writer(user, pledge: Pledge, *, roles=None) -> bool:
    return _role(user, pledge, roles) in WRITER_ROLES


def can_see_partnership(user, partnership) -> bool:
    """Members of either side (their administrators decide); anyone else gets a 404."""
    return (role_in(user, partnership.entity) is not None
            or role_in(user, partnership.pledge.entity) is not None)


def can_tag_campaigns(user, pledge: Pledge) -> bool:
    """Administrators and editors of the pledging entity propose its pledge for a campaign,
    whatever its status but withdrawn or rejected (those never count in a campaign)."""
    return pledge.status not in (Pledge.Status.WITHDRAWN, Pledge.Status.REJECTED) and (
        role_in(user, pledge.entity) in WRITER_ROLES
    )


def can_review_campaign_tags(user) -> bool:
    return bool(user.is_authenticated and user.is_active
                and user.has_perm("pledges.review_campaigntag"))


def is_pledge_administrator(user, pledge: Pledge, *, roles=None) -> bool:
    """Administrators of the pledging entity answer requests to join its pledges."""
    return _role(user, pledge, roles) == Membership.Role.ADMINISTRATOR


def is_partner_writer(user, partnership, *, roles=None) -> bool:
    """Administrators and editors of the entity that asked to join may withdraw its request."""
    return _role(user, partnership, roles) in WRITER_ROLES


def can_answer_join_requests(user) -> bool:
    """The secretariat accepts or declines a request to join on the pledge's entity's behalf
    (in the admin, audited, with a message)."""
    return bool(user is not None and user.is_authenticated and user.is_active
                and user.has_perm("pledges.change_partnership"))
