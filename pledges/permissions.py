"""Who may do what with a pledge; views, templates and services all ask these."""

from members.models import Entity, Membership
from members.permissions import PermissionDenied, role_in  # noqa: F401  (re-exported)

from .models import Pledge

WRITER_ROLES = (Membership.Role.ADMINISTRATOR, Membership.Role.EDITOR)


def can_review_pledges(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("pledges.review_pledge"))


def can_create_pledge(user, entity: Entity) -> bool:
    """Only people acting for an approved entity, as administrator or editor."""
    return entity.status == Entity.Status.APPROVED and role_in(user, entity) in WRITER_ROLES


def can_view_pledge_private(user, pledge: Pledge) -> bool:
    return role_in(user, pledge.entity) is not None or can_review_pledges(user)


def can_edit_pledge(user, pledge: Pledge) -> bool:
    return pledge.is_editable_status and can_create_pledge(user, pledge.entity)


def can_submit_pledge(user, pledge: Pledge) -> bool:
    return can_edit_pledge(user, pledge)


def can_withdraw_pledge(user, pledge: Pledge) -> bool:
    from .workflow import TRANSITIONS

    return pledge.status in TRANSITIONS["withdraw"].sources and role_in(
        user, pledge.entity
    ) in WRITER_ROLES
