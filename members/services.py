"""Every write of the members app. Keyword-only, atomic, permission-checked, audited."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from p2c_portal.languages import language_choices, offered_language
from p2c_portal.mail import email_send_templated, email_to_secretariat

from . import permissions
from .models import (
    Entity,
    EntityNote,
    EntityStatusChange,
    Invitation,
    JoinRequest,
    Membership,
    MembershipChange,
    User,
)
from .workflow import (
    IDENTITY_FIELDS,
    entity_email_administrators,
    entity_transition,
    identity_change_request,
)

INVITATION_LIFETIME = timedelta(days=14)

PROFILE_FIELDS = (
    "name",
    "acronym",
    "stakeholder_group",
    "sub_type",
    "headquarters_country",
    "website",
    "description",
    "contact_email",
)
ELIGIBILITY_FIELDS = (
    "commitment_evidence",
    "commitment_links",
    "pledge_readiness",
    "leader_name",
    "leader_title",
    "leader_attends_roundtable",
    "consent_public_reporting",
)


class MembersError(Exception):
    """A refused action; the message is safe to show to the person."""


# --- The person's own account ---------------------------------------------------------------------


@transaction.atomic
def user_set_preferred_language(*, user: User, language: str) -> User:
    """The language of the portal's emails to this person (My account)."""
    if language not in dict(language_choices()):
        raise MembersError(_("Choose one of the languages offered."))
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language
    return user


@transaction.atomic
def entity_apply(*, user: User, data: dict[str, Any], logo_png: bytes = b"") -> Entity:
    """A verified person applies for a new entity and becomes its first administrator."""
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise MembersError(_("Verify your email address before applying."))
    if not data.get("consent_public_reporting"):
        raise MembersError(_("Your entity must agree that its pledges are public and reported on."))
    duplicate = Entity.objects.filter(
        applied_by=user,
        name__iexact=data["name"].strip(),
        status__in=[Entity.Status.APPLIED, Entity.Status.MORE_INFO_REQUESTED],
    ).exists()
    if duplicate:
        raise MembersError(_("You have already applied for this entity: its application is open."))
    fields = {k: data[k] for k in PROFILE_FIELDS + ELIGIBILITY_FIELDS if k in data}
    entity = Entity.objects.create(
        **fields, logo_png=logo_png, applied_by=user, status=Entity.Status.APPLIED
    )
    _join(user=user, entity=entity, role=Membership.Role.ADMINISTRATOR, actor=user)
    EntityStatusChange.objects.create(entity=entity, actor=user, to_status=Entity.Status.APPLIED)
    email_send_templated(
        template="members/application_received",
        to=[user.email],
        context={"entity": entity, "recipient": user},
        language=user.preferred_language,
    )
    email_to_secretariat(
        template="members/application_to_secretariat",
        context={"entity": entity, "applicant": user},
    )
    return entity


@transaction.atomic
def entity_update_profile(
    *, user: User, entity_id: int, data: dict[str, Any], logo_png: bytes | None = None
) -> Entity:
    """Save the profile. Once the entity is approved, a change of its name, stakeholder group or
    country is not applied but kept for the secretariat's review (members.workflow); the other
    fields apply at once. The pending request, if one was made, is `entity.identity_request`."""
    entity = Entity.objects.select_for_update().get(pk=entity_id)
    if not permissions.can_edit_profile(user, entity):
        raise permissions.PermissionDenied
    entity.identity_request = None
    fields = PROFILE_FIELDS + ELIGIBILITY_FIELDS
    if permissions.identity_changes_need_review(entity):
        entity.identity_request = identity_change_request(entity=entity, actor=user, values=data)
        fields = tuple(field for field in fields if field not in IDENTITY_FIELDS)
    changed = []
    for field in fields:
        if field in data and getattr(entity, field) != data[field]:
            setattr(entity, field, data[field])
            changed.append(field)
    if logo_png is not None:
        entity.logo_png = logo_png
        changed.append("logo_png")
    if changed:
        entity.save(update_fields=[*changed, "updated_at"])
    return entity


@transaction.atomic
def entity_respond_to_info_request(
    *, user: User, entity_id: int, answer: str, data: dict[str, Any]
) -> Entity:
    """The applicant answers the secretariat's question, possibly correcting the application."""
    entity_update_profile(user=user, entity_id=entity_id, data=data)
    entity = entity_transition(entity_id=entity_id, name="respond", actor=user, message=answer)
    email_to_secretariat(
        template="members/application_answered",
        context={"entity": entity, "answer": answer},
    )
    return entity


# --- Join requests ------------------------------------------------------------------------------


@transaction.atomic
def join_request_create(*, user: User, entity_id: int, message: str = "") -> JoinRequest:
    # Only approved entities are public; one under vetting or suspended has no team to join,
    # and answering differently would tell the asker it exists.
    entity = Entity.objects.approved().filter(pk=entity_id).first()
    if entity is None:
        raise MembersError(_("This entity cannot be joined."))
    if Membership.objects.filter(user=user, entity=entity).exists():
        raise MembersError(_("You are already a member of this entity."))
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(user=user, entity=entity, message=message.strip())
    except IntegrityError:
        raise MembersError(_("You have already asked to join this entity.")) from None
    entity_email_administrators(entity=entity, template="join_request_received", message=message)
    return request


@transaction.atomic
def join_request_decide(*, actor: User, join_request_id: int, approve: bool) -> JoinRequest:
    join_request = (
        JoinRequest.objects.select_for_update()
        .select_related("entity", "user")
        .filter(pk=join_request_id)
        .first()
    )
    if join_request is None or not permissions.can_manage_team(actor, join_request.entity):
        raise permissions.PermissionDenied
    if join_request.status != JoinRequest.Status.PENDING:
        raise MembersError(_("This request has already been answered."))
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        _join(user=join_request.user, entity=join_request.entity, role=Membership.Role.EDITOR,
              actor=actor)
    email_send_templated(
        template="members/join_request_approved" if approve else "members/join_request_declined",
        to=[join_request.user.email],
        context={"entity": join_request.entity, "recipient": join_request.user},
        language=join_request.user.preferred_language,
    )
    return join_request


# --- Invitations --------------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, actor: User, entity_id: int, email: str, role: str) -> Invitation:
    entity = Entity.objects.get(pk=entity_id)
    if not permissions.can_manage_team(actor, entity):
        raise permissions.PermissionDenied
    email = email.strip().lower()
    if Membership.objects.filter(entity=entity, user__email__iexact=email).exists():
        raise MembersError(_("%(email)s is already a member of this entity.") % {"email": email})
    if role not in Membership.Role.values:
        raise MembersError(_("Choose a role."))
    # A new invitation replaces any open one for the same address.
    Invitation.objects.filter(
        entity=entity, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        entity=entity,
        email=email,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitee = User.objects.filter(email__iexact=email).first()
    language = invitee.preferred_language if invitee else actor.preferred_language
    email_send_templated(
        template="members/invitation",
        to=[email],
        context={
            "entity": entity,
            "inviter": actor,
            "role": invitation.get_role_display,
            "expires_at": invitation.expires_at,
            "token": token,
        },
        language=language,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_for_update().select_related("entity").get(pk=invitation_id)
    )
    if not permissions.can_manage_team(actor, invitation.entity):
        raise permissions.PermissionDenied
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def _open_invitation_for_update(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("entity")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    if invitation is None:
        raise MembersError(_("This invitation link is not valid. Ask for a new invitation."))
    if invitation.accepted_at is not None:
        raise MembersError(_("This invitation has already been used."))
    if invitation.revoked_at is not None:
        raise MembersError(_("This invitation was withdrawn. Ask for a new invitation."))
    if invitation.expires_at <= timezone.now():
        raise MembersError(_("This invitation has expired. Ask for a new invitation."))
    if invitation.entity.status == Entity.Status.REJECTED:
        raise MembersError(_("This entity can no longer be joined."))
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    invitation = _open_invitation_for_update(token)
    addresses = set(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if invitation.email.lower() not in {a.lower() for a in addresses}:
        raise MembersError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership = _join(user=user, entity=invitation.entity, role=invitation.role, actor=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    JoinRequest.objects.filter(
        user=user, entity=invitation.entity, status=JoinRequest.Status.PENDING
    ).update(status=JoinRequest.Status.APPROVED, decided_at=timezone.now())
    return membership


@transaction.atomic
def invitation_accept_with_new_account(
    *, token: str, password: str, full_name: str, language: str
) -> tuple[User, Membership]:
    """The invitee has no account yet. The link reached their inbox, which proves they own the
    address: the account starts verified, so they can act for the entity at once."""
    invitation = _open_invitation_for_update(token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise MembersError(
            _("An account with %(email)s already exists: sign in to accept the invitation.")
            % {"email": invitation.email}
        )
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        full_name=full_name.strip(),
        preferred_language=offered_language(language),
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user, invitation_accept(user=user, token=token)


# --- Team ---------------------------------------------------------------------------------------
# Every change of a team goes through _team_change: the team locked, the rule that an entity
# keeps an administrator checked on the result, one audit row (MembershipChange) per change.

LAST_ADMINISTRATOR = gettext_lazy(
    "An entity always needs an administrator: make someone else administrator first."
)


def _lock_team(entity_id: int) -> list[Membership]:
    # Lock every membership of the entity so that two concurrent changes cannot both remove
    # the last administrator.
    return list(Membership.objects.select_for_update().filter(entity_id=entity_id).order_by("pk"))


def _may_change_team(actor: User, entity: Entity, *, add, roles, remove) -> bool:
    """An entity's administrators manage its team (people join it by invitation or request,
    with their consent); the secretariat may also add people directly, in the admin."""
    if not add and permissions.can_manage_team(actor, entity):
        return True
    return permissions.can_change_any_team(
        actor, adding=bool(add), changing_roles=bool(roles), removing=bool(remove)
    )


def _team_change(
    *, actor: User, entity: Entity, add: dict[int, str] | None = None,
    roles: dict[int, str] | None = None, remove: set[int] | frozenset = frozenset(),
    by_choice: bool = False,
) -> None:
    """Change the team at once: `add` people (user id → role), give memberships new `roles`
    (membership id → role), `remove` memberships; refused as a whole if the entity would lose
    its last administrator. `by_choice`: a person leaving, which needs no other right. The
    permission is asked once the team is locked: a concurrent change may have just taken the
    actor's rights away."""
    add, roles = add or {}, roles or {}
    team = _lock_team(entity.pk)
    if not by_choice and not _may_change_team(actor, entity, add=add, roles=roles, remove=remove):
        raise permissions.PermissionDenied
    if any(role not in Membership.Role.values for role in [*add.values(), *roles.values()]):
        raise MembersError(_("Choose a role."))
    by_pk = {membership.pk: membership for membership in team}
    if (roles.keys() | remove) - by_pk.keys():
        raise MembersError(_("This person is no longer a member."))
    staying = [membership for membership in team if membership.pk not in remove]
    already = {membership.user_id for membership in staying} & add.keys()
    if already:
        person = User.objects.get(pk=min(already))
        raise MembersError(
            _("%(email)s is already a member of this entity.") % {"email": person.email}
        )
    administrator = Membership.Role.ADMINISTRATOR
    roles_after = [roles.get(m.pk, m.role) for m in staying] + list(add.values())
    if any(m.role == administrator for m in team) and administrator not in roles_after:
        raise MembersError(str(LAST_ADMINISTRATOR))
    audit = []
    for pk in sorted(remove):
        membership = by_pk[pk]
        membership.delete()
        audit.append((membership.user_id, membership.role, ""))
    for pk, role in roles.items():
        membership = by_pk[pk]
        if membership.role != role:
            audit.append((membership.user_id, membership.role, role))
            membership.role = role
            membership.save(update_fields=["role"])
    for user_id, role in add.items():
        Membership.objects.create(user_id=user_id, entity=entity, role=role)
        audit.append((user_id, "", role))
    MembershipChange.objects.bulk_create(
        MembershipChange(entity=entity, person_id=person_id, actor=actor, from_role=before,
                         to_role=after)
        for person_id, before, after in audit
    )


def _join(*, user: User, entity: Entity, role: str, actor: User) -> Membership:
    """`user` joins the entity (an application, an invitation, a request), unless already a
    member: no administrator can be lost, so the team needs no lock."""
    membership, created = Membership.objects.get_or_create(
        user=user, entity=entity, defaults={"role": role}
    )
    if created:
        MembershipChange.objects.create(entity=entity, person=user, actor=actor, to_role=role)
    return membership


@transaction.atomic
def entity_team_change(
    *, actor: User, entity_id: int, add: dict[int, str] | None = None,
    roles: dict[int, str] | None = None, remove: set[int] | frozenset = frozenset(),
) -> None:
    """Several changes to an entity's team saved together (its page in the admin): checked on
    the result, so that promoting one administrator while demoting another is allowed."""
    entity = Entity.objects.get(pk=entity_id)
    _team_change(actor=actor, entity=entity, add=add, roles=roles, remove=set(remove))


@transaction.atomic
def membership_add(*, actor: User, entity_id: int, user_id: int, role: str) -> Membership:
    """The secretariat adds someone to a team directly (the admin)."""
    entity = Entity.objects.get(pk=entity_id)
    _team_change(actor=actor, entity=entity, add={user_id: role})
    return Membership.objects.get(entity=entity, user_id=user_id)


@transaction.atomic
def membership_change_role(*, actor: User, membership_id: int, role: str) -> Membership:
    target = Membership.objects.select_related("entity").filter(pk=membership_id).first()
    if target is None:
        raise MembersError(_("This person is no longer a member."))
    _team_change(actor=actor, entity=target.entity, roles={membership_id: role})
    target.refresh_from_db()
    return target


@transaction.atomic
def membership_remove(*, actor: User, membership_id: int) -> None:
    target = Membership.objects.select_related("entity").filter(pk=membership_id).first()
    if target is None:
        raise MembersError(_("This person is no longer a member."))
    _team_change(actor=actor, entity=target.entity, remove={membership_id},
                 by_choice=target.user_id == actor.pk)


# --- The secretariat's desk: assignment and internal notes ---------------------------------------

VET_PERMISSION = "members.vet_entity"


@transaction.atomic
def review_assign(
    *, actor: User, model, record_ids, assignee_id: int | None, permission: str
) -> int:
    """Assign records of the desk's `model` (any ReviewAssignment: Entity, Pledge, and the
    amendments of issue #17) to a reviewer, or unassign them (assignee_id None). `permission`
    is the one that lets a person decide on that kind of record: the actor must hold it, and so
    must the assignee (a staff account, see permissions.can_be_assigned_reviews). Returns how
    many records changed hands; a record already with that reviewer is left alone (no history
    row for nothing). Each change is one simple-history row naming the actor."""
    if not permissions.can_assign_reviews(actor, permission=permission):
        raise permissions.PermissionDenied
    assignee = None
    if assignee_id is not None:
        assignee = User.objects.filter(pk=assignee_id).first()
        if assignee is None or not permissions.can_be_assigned_reviews(
            assignee, permission=permission
        ):
            raise MembersError(_("Only a reviewer of the secretariat can be assigned."))
    now = timezone.now()
    changed = 0
    records = model.objects.select_for_update().filter(pk__in=list(record_ids)).order_by("pk")
    for record in records:
        if record.assigned_to_id == (assignee.pk if assignee else None):
            continue
        record.assigned_to = assignee
        record.assigned_at = now if assignee else None
        record._history_user = actor  # simple-history's "changed by"
        # Only these two columns: the record's "last change" and version stay its author's.
        record.save(update_fields=["assigned_to", "assigned_at"])
        changed += 1
    return changed


def entity_assign(*, actor: User, entity_ids, assignee_id: int | None) -> int:
    """Assign entity applications to a reviewer of the vetting desk (or unassign them)."""
    return review_assign(actor=actor, model=Entity, record_ids=entity_ids,
                         assignee_id=assignee_id, permission=VET_PERMISSION)


@transaction.atomic
def entity_note_add(*, author: User, entity_id: int, text: str) -> EntityNote:
    """An internal note of the secretariat on an entity: shown on its desk pages only."""
    if not permissions.can_write_internal_notes(author, permission="members.add_entitynote"):
        raise permissions.PermissionDenied
    text = (text or "").strip()
    if not text:
        raise MembersError(_("A note cannot be empty."))
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        raise MembersError(_("This entity no longer exists."))
    return EntityNote.objects.create(entity=entity, author=author, text=text)
