from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from p2c_portal.languages import language_choices


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with their email address; acts for entities through memberships."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=language_choices,
        default=settings.LANGUAGE_CODE,
        help_text=_("Emails from the portal are written in this language."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log into the secretariat's admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class StakeholderGroup(models.TextChoices):
    GOVERNMENT = "government", _("Government (incl. local authorities and municipalities)")
    PRIVATE_SECTOR = "private_sector", _("Private sector (incl. philanthropic organisations)")
    INTERNATIONAL = (
        "international",
        _(
            "UN system and other international or regional organisations "
            "(incl. multilateral development banks)"
        ),
    )
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ACADEMIA = "academia", _("Academia and research institutes")
    YOUTH = "youth", _("Youth groups")
    MEDIA = "media", _("Media and entertainment companies")


class EntitySubType(models.TextChoices):
    NATIONAL_GOVERNMENT = "national_government", _("National government or ministry")
    REGULATOR = "regulator", _("Regulator")
    LOCAL_AUTHORITY = "local_authority", _("Local authority or municipality")
    COMPANY = "company", _("Company")
    PHILANTHROPY = "philanthropy", _("Philanthropic organisation")
    UN_ENTITY = "un_entity", _("UN system entity")
    REGIONAL_ORGANISATION = "regional_organisation", _("Regional organisation")
    DEVELOPMENT_BANK = "development_bank", _("Multilateral development bank")
    OTHER = "other", _("Other")


def website_domain(url: str) -> str:
    """ "https://www.itu.int/en/" → "itu.int"; "" when there is none. What tells two entities
    apart by their website (an application's look-alikes, an import's natural key)."""
    text = (url or "").strip()
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


class EntityQuerySet(models.QuerySet):
    def approved(self) -> "EntityQuerySet":
        return self.filter(status=Entity.Status.APPROVED)

    def awaiting_vetting(self) -> "EntityQuerySet":
        return self.filter(status=Entity.Status.APPLIED).order_by("applied_at", "pk")


class ReviewAssignment(models.Model):
    """Who on the secretariat's desk looks after a record under review, and since when.

    Shared by every record the desk reviews: an entity application (here), a pledge (pledges),
    and the amendments of issue #17 when they come, which inherit these two fields and reuse
    members.services.review_assign, the desk's "Assigned to" filter and column
    (members.desk_admin): one pattern for every queue. Written only through review_assign (with
    update_fields, so the record's version and "last change" stay the author's), and kept in the
    record's simple-history like any other field change."""

    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)

    class Meta:
        abstract = True


class InternalNote(models.Model):
    """A note the secretariat keeps on a record, for itself only: never shown to members or the
    public, never emailed, never exported. Each app holds its own notes table (members: entities,
    pledges: pledges, and amendments later) on this base, so that no app reaches into another's.
    Notes are not edited or deleted: they are what was said, when, by whom."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author or '—'}, {self.created_at:%Y-%m-%d %H:%M}"


class Entity(ReviewAssignment):
    """An organisation that has applied to, or joined, the coalition."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        MORE_INFO_REQUESTED = "more_info_requested", _("More information requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    # Public profile
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    stakeholder_group = models.CharField(
        _("stakeholder group"), max_length=20, choices=StakeholderGroup.choices
    )
    sub_type = models.CharField(
        _("sub-type"), max_length=30, choices=EntitySubType.choices, blank=True
    )
    headquarters_country = models.ForeignKey(
        "action_areas.Country",
        on_delete=models.PROTECT,
        related_name="headquartered_entities",
        verbose_name=_("headquarters country"),
    )
    website = models.URLField(_("website"), max_length=300)
    description = models.TextField(
        _("short public description"),
        max_length=1000,
        help_text=_("Up to 1,000 characters, shown on the public profile."),
    )
    contact_email = models.EmailField(
        _("public contact email"), help_text=_("Shown on the public profile.")
    )
    # Logos are re-encoded to PNG on upload (see members/forms.py) and kept in the database:
    # small, safe to serve, and shared by every web container without a media volume.
    logo_png = models.BinaryField(_("logo (PNG)"), blank=True, editable=False, default=b"")

    # Eligibility (private to the entity and the secretariat)
    commitment_evidence = models.TextField(
        _("evidence of commitment"),
        max_length=4000,
        help_text=_(
            "Past work, or newly defined activities, in support of the action areas "
            "(Access, Adoption, Value Creation, Accelerate)."
        ),
    )
    commitment_links = models.TextField(
        _("links to evidence"),
        max_length=2000,
        blank=True,
        help_text=_("Optional: one web address per line."),
    )
    pledge_readiness = models.TextField(
        _("readiness to make a major pledge"),
        max_length=4000,
        help_text=_("Which change you are ready to pledge to make, and in which action area."),
    )
    leader_name = models.CharField(_("senior leader's name"), max_length=200)
    leader_title = models.CharField(_("senior leader's title"), max_length=200)
    leader_attends_roundtable = models.BooleanField(
        _("the senior leader will take part in the Digital Development Roundtable"), default=False
    )
    consent_public_reporting = models.BooleanField(
        _("consent to public pledges and yearly reporting"), default=False
    )

    # Lifecycle (changed only through members.workflow)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("applicant"),
    )
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_at = models.DateTimeField(_("last decision"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EntityQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["logo_png"])

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["name"]
        permissions = [("vet_entity", _("Can vet entity applications"))]
        # pledges.public_cache.public_fingerprint(): an entity's last save, from the index's end.
        indexes = [models.Index(fields=["updated_at"], name="entity_saved")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_public_reporting=True),
                name="entity_consented_to_public_reporting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("members:entity_public", args=[self.pk])

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_png)

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.commitment_links.splitlines() if line.strip()]


class EntityNote(InternalNote):
    """The secretariat's internal notes on an entity (see InternalNote)."""

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="internal_notes", verbose_name=_("entity")
    )

    class Meta(InternalNote.Meta):
        verbose_name = _("internal note on an entity")
        verbose_name_plural = _("internal notes on entities")


class EntityStatusChange(models.Model):
    """The audit trail of an entity's status: who, when, from, to, why."""

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("entity")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Entity.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Entity.Status.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("entity status change")
        verbose_name_plural = _("entity status changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.entity}: {self.from_status or '—'} → {self.to_status}"


class EntityIdentityChange(models.Model):
    """The workflow table of an approved entity's identity: a change of name, stakeholder group or
    headquarters country that its administrator asked for, waiting for the secretariat's review
    (members.workflow.IDENTITY_TRANSITIONS). The entity keeps its public values meanwhile; the row
    keeps who asked, who decided, when, the values before and after, and the reason of a
    rejection."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        REPLACED = "replaced", _("Replaced by a later request")

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="identity_changes",
        verbose_name=_("entity"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    name = models.CharField(_("new name"), max_length=200)
    stakeholder_group = models.CharField(
        _("new stakeholder group"), max_length=20, choices=StakeholderGroup.choices
    )
    headquarters_country = models.ForeignKey(
        "action_areas.Country", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("new headquarters country"),
    )
    previous_name = models.CharField(_("previous name"), max_length=200)
    previous_stakeholder_group = models.CharField(
        _("previous stakeholder group"), max_length=20, choices=StakeholderGroup.choices
    )
    previous_headquarters_country = models.ForeignKey(
        "action_areas.Country", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("previous headquarters country"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        verbose_name = _("identity change")
        verbose_name_plural = _("identity changes")
        ordering = ["-requested_at", "-pk"]
        permissions = [("review_entityidentitychange", _("Can review identity changes"))]
        constraints = [
            models.UniqueConstraint(
                fields=["entity"], condition=models.Q(status="pending"),
                name="one_pending_identity_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.previous_name} → {self.name}"


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("entity")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["entity__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "entity"], name="membership_unique_per_entity")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.entity} ({self.get_role_display()})"


class MembershipChange(models.Model):
    """The audit trail of an entity's team: who joined (no "from" role), changed role, or left
    (no "to" role), by whose hand, when."""

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="team_changes", verbose_name=_("entity")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("person"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_role = models.CharField(
        _("from"), max_length=20, choices=Membership.Role.choices, blank=True
    )
    to_role = models.CharField(_("to"), max_length=20, choices=Membership.Role.choices, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("team change")
        verbose_name_plural = _("team changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.entity}, {self.person}: {self.from_role or '—'} → {self.to_role or '—'}"


class Invitation(models.Model):
    """A single-use, expiring invitation to join an entity's team. Only the token's hash is kept."""

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("entity")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.entity}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and (self.expires_at > timezone.now())
        )


class JoinRequest(models.Model):
    """A person asks to join an existing entity; its administrators decide."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("entity")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("person"),
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "user"],
                condition=models.Q(status="pending"),
                name="join_request_one_pending_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.entity} ({self.get_status_display()})"
