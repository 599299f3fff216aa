"""Who may do what. Views, templates (through context flags) and services all ask these."""

from django.core.exceptions import PermissionDenied  # noqa: F401  (re-exported for services)

from .models import Entity, Membership
from .secretariat_group import SECRETARIAT_GROUP  # noqa: F401  (one name for the group)

R = Membership.Role


def can_vet_entities(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("members.vet_entity"))


def membership_of(user, entity: Entity) -> Membership | None:
    # Always asked of the database: a cached answer could outlive a removal or a role change.
    if not user.is_authenticated or not user.is_active:
        return None
    return Membership.objects.filter(user=user, entity=entity).first()


def role_in(user, entity: Entity) -> str | None:
    membership = membership_of(user, entity)
    return membership.role if membership else None


def can_view_entity_private(user, entity: Entity) -> bool:
    return role_in(user, entity) is not None


def can_manage_entity(user, entity: Entity) -> bool:
    return role_in(user, entity) == R.ADMINISTRATOR


def can_manage_team(user, entity: Entity) -> bool:
    return can_manage_entity(user, entity) and entity.status in (
        Entity.Status.APPROVED,
        Entity.Status.APPLIED,
        Entity.Status.MORE_INFO_REQUESTED,
    )


def can_change_any_team(
    user, *, adding: bool = False, changing_roles: bool = False, removing: bool = False
) -> bool:
    """The secretariat, in the admin: Django's permissions on memberships, for each kind of
    change asked (the Secretariat group may change roles, not add or remove people)."""
    wanted = [
        permission
        for permission, asked in (
            ("members.add_membership", adding),
            ("members.change_membership", changing_roles),
            ("members.delete_membership", removing),
        )
        if asked
    ]
    return bool(user.is_authenticated and user.is_active and user.has_perms(wanted))


def can_review_identity_change(user, entity: Entity) -> bool:
    """The secretariat reviews an approved entity's change of name, group or country; nobody
    reviews a change of an entity they belong to (it would be approving their own request)."""
    return bool(
        user.is_authenticated and user.is_active
        and user.has_perm("members.review_entityidentitychange")
        and membership_of(user, entity) is None
    )


def identity_changes_need_review(entity: Entity) -> bool:
    """Once approved, an entity's name, stakeholder group and country change only after review."""
    return entity.status in (Entity.Status.APPROVED, Entity.Status.SUSPENDED)


def can_edit_profile(user, entity: Entity) -> bool:
    return can_manage_entity(user, entity) and entity.status != Entity.Status.REJECTED


def can_respond_to_info_request(user, entity: Entity) -> bool:
    return can_manage_entity(user, entity) and entity.status == Entity.Status.MORE_INFO_REQUESTED


def entity_administrators(entity: Entity):
    from .models import User

    return User.objects.filter(
        memberships__entity=entity, memberships__role=R.ADMINISTRATOR, is_active=True
    ).order_by("email")


# --- The secretariat's desk: assignment and internal notes ---------------------------------------
# The same questions for every record the desk reviews (entities here, pledges, and amendments
# when issue #17 brings them), each asked with the permission that lets a person decide on that
# kind of record ("members.vet_entity", "pledges.review_pledge").


def can_assign_reviews(user, *, permission: str) -> bool:
    """Whoever may decide on a kind of record shares out its queue (and takes from it)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(permission))


def can_be_assigned_reviews(user, *, permission: str) -> bool:
    """A reviewer: an active staff account that may decide on that kind of record (the
    Secretariat group's permissions, or a superuser's). A member of the public never is."""
    return bool(user.is_active and user.is_staff and user.has_perm(permission))


def can_read_internal_notes(user, *, permission: str) -> bool:
    """`permission`: the notes model's view permission ("members.view_entitynote")."""
    return bool(user.is_authenticated and user.is_active and user.is_staff
                and user.has_perm(permission))


def can_write_internal_notes(user, *, permission: str) -> bool:
    """`permission`: the notes model's add permission ("members.add_entitynote")."""
    return can_read_internal_notes(user, permission=permission)
