"""Every write of the members app. Keyword-only, atomic, permission-checked, audited."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from p2c_portal.mail import email_send_templated

from . import permissions
from .models import Entity, EntityStatusChange, Invitation, JoinRequest, Membership, User
from .workflow import entity_email_administrators, entity_transition

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


def _site_link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


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
    Membership.objects.create(user=user, entity=entity, role=Membership.Role.ADMINISTRATOR)
    EntityStatusChange.objects.create(entity=entity, actor=user, to_status=Entity.Status.APPLIED)
    email_send_templated(
        template="members/application_received",
        to=[user.email],
        context={"entity": entity, "recipient": user},
        language=user.preferred_language,
    )
    email_send_templated(
        template="members/application_to_secretariat",
        to=[settings.SECRETARIAT_EMAIL],
        context={
            "entity": entity,
            "applicant": user,
            "admin_url": _site_link(reverse("admin:members_entity_change", args=[entity.pk])),
        },
        language=settings.LANGUAGE_CODE,
    )
    return entity


@transaction.atomic
def entity_update_profile(
    *, user: User, entity_id: int, data: dict[str, Any], logo_png: bytes | None = None
) -> Entity:
    entity = Entity.objects.select_for_update().get(pk=entity_id)
    if not permissions.can_edit_profile(user, entity):
        raise permissions.PermissionDenied
    changed = []
    for field in PROFILE_FIELDS + ELIGIBILITY_FIELDS:
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
    email_send_templated(
        template="members/application_answered",
        to=[settings.SECRETARIAT_EMAIL],
        context={
            "entity": entity,
            "answer": answer,
            "admin_url": _site_link(reverse("admin:members_entity_change", args=[entity.pk])),
        },
        language=settings.LANGUAGE_CODE,
    )
    return entity


# --- Join requests ------------------------------------------------------------------------------


@transaction.atomic
def join_request_create(*, user: User, entity_id: int, message: str = "") -> JoinRequest:
    entity = Entity.objects.exclude(status=Entity.Status.REJECTED).filter(pk=entity_id).first()
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
        Membership.objects.get_or_create(
            user=join_request.user,
            entity=join_request.entity,
            defaults={"role": Membership.Role.EDITOR},
        )
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
            "accept_path": reverse("members:invitation_accept", args=[token]),
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
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, entity=invitation.entity, defaults={"role": invitation.role}
    )
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
            _("An account with %(email)s already exists: log in to accept the invitation.")
            % {"email": invitation.email}
        )
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        full_name=full_name.strip(),
        preferred_language=language,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user, invitation_accept(user=user, token=token)


# --- Team ---------------------------------------------------------------------------------------


def _lock_team(entity_id: int) -> list[Membership]:
    # Lock every membership of the entity so that two concurrent changes cannot both remove
    # the last administrator.
    return list(Membership.objects.select_for_update().filter(entity_id=entity_id).order_by("pk"))


@transaction.atomic
def membership_change_role(*, actor: User, membership_id: int, role: str) -> Membership:
    target = Membership.objects.select_related("entity").get(pk=membership_id)
    if role not in Membership.Role.values:
        raise MembersError(_("Choose a role."))
    team = _lock_team(target.entity_id)
    # Asked after the lock: a concurrent change may have just taken the actor's rights away.
    if not permissions.can_manage_team(actor, target.entity):
        raise permissions.PermissionDenied
    target = next(m for m in team if m.pk == membership_id)
    admins = [m for m in team if m.role == Membership.Role.ADMINISTRATOR]
    if target.role == Membership.Role.ADMINISTRATOR and role != target.role and len(admins) == 1:
        raise MembersError(
            _("An entity always needs an administrator: make someone else administrator first.")
        )
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def membership_remove(*, actor: User, membership_id: int) -> None:
    target = Membership.objects.select_related("entity").filter(pk=membership_id).first()
    if target is None:
        raise MembersError(_("This person is no longer a member."))
    team = _lock_team(target.entity_id)
    leaving_by_choice = target.user_id == actor.pk
    if not leaving_by_choice and not permissions.can_manage_team(actor, target.entity):
        raise permissions.PermissionDenied
    target = next((m for m in team if m.pk == membership_id), None)
    if target is None:
        raise MembersError(_("This person is no longer a member."))
    admins = [m for m in team if m.role == Membership.Role.ADMINISTRATOR]
    if target.role == Membership.Role.ADMINISTRATOR and len(admins) == 1:
        raise MembersError(
            _("An entity always needs an administrator: make someone else administrator first.")
        )
    target.delete()
