"""Who may do what with needs and introductions; views, templates and services all ask these."""

from members.models import Entity, Membership
from members.permissions import PermissionDenied, role_in  # noqa: F401  (re-exported)

from .models import Introduction, Need

WRITER_ROLES = (Membership.Role.ADMINISTRATOR, Membership.Role.EDITOR)


def can_review_needs(user) -> bool:
    return bool(user.is_authenticated and user.is_active
                and user.has_perm("matchmaking.review_need"))


def can_see_introductions(user) -> bool:
    """The secretariat follows every introduction on the desk."""
    return bool(user.is_authenticated and user.is_active
                and user.has_perm("matchmaking.view_introduction"))


def can_create_need(user, entity: Entity) -> bool:
    """Administrators and editors of an approved entity."""
    return entity.status == Entity.Status.APPROVED and role_in(user, entity) in WRITER_ROLES


def can_view_need_private(user, need: Need) -> bool:
    return role_in(user, need.entity) is not None or can_review_needs(user)


def can_edit_need(user, need: Need) -> bool:
    return need.is_editable_status and can_create_need(user, need.entity)


def can_propose_for(user, entity: Entity) -> bool:
    """Proposing to connect speaks for the entity: its administrators and editors, while it is
    approved."""
    return can_create_need(user, entity)


def can_answer_introduction(user, introduction: Introduction) -> bool:
    """The receiving entity's administrators accept or decline; a secretariat introduction is
    answered by the administrators of either side (both were proposed to)."""
    if introduction.status != Introduction.Status.PENDING:
        return False
    if role_in(user, introduction.to_entity) == Membership.Role.ADMINISTRATOR:
        return True
    return introduction.by_secretariat and (
        role_in(user, introduction.from_entity) == Membership.Role.ADMINISTRATOR
    )


def can_see_introduction(user, introduction: Introduction) -> bool:
    """Members of either side; anyone else gets a 404."""
    return (role_in(user, introduction.from_entity) is not None
            or role_in(user, introduction.to_entity) is not None)


def can_see_contacts(user, introduction: Introduction) -> bool:
    """Contact details are shown only to the two sides of an accepted introduction."""
    return introduction.status == Introduction.Status.ACCEPTED and can_see_introduction(
        user, introduction)
