"""Matchmaking: needs that member entities publish, the pledges suggested for them, and the
introductions between the two sides.

A Need goes through the secretariat's review like a pledge (matchmaking.workflow). Suggestions
are computed by a task into the Suggestion table (matchmaking.suggestions), never scored per
request. An Introduction is a proposal to connect, answered by the other side's administrators;
only once it is accepted do both sides see each other's contact details.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Entity
from pledges.models import MAX_AMOUNT, PledgeType


class SupportKind(models.TextChoices):
    FINANCE = "finance", _("Finance")
    POLICY_ADVICE = "policy_advice", _("Policy advice")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    CAPACITY_BUILDING = "capacity_building", _("Capacity building")
    EQUIPMENT = "equipment", _("Equipment")
    PARTNERSHIP = "partnership", _("Partnership")


# Which types of pledge offer each kind of support: a suggestion scores a pledge of these types.
PLEDGE_TYPES_OFFERING: dict[str, tuple[str, ...]] = {
    SupportKind.FINANCE: (PledgeType.FINANCIAL,),
    SupportKind.POLICY_ADVICE: (PledgeType.POLICY,),
    SupportKind.TECHNICAL_ASSISTANCE: (PledgeType.PROGRAMME,),
    SupportKind.CAPACITY_BUILDING: (PledgeType.PROGRAMME, PledgeType.ADVOCACY),
    SupportKind.EQUIPMENT: (PledgeType.PROGRAMME, PledgeType.FINANCIAL),
    SupportKind.PARTNERSHIP: (PledgeType.PROGRAMME, PledgeType.ADVOCACY, PledgeType.POLICY),
}


class NeedQuerySet(models.QuerySet):
    def public(self) -> "NeedQuerySet":
        """Published, met or closed, of an entity that is not suspended: what the world sees."""
        return self.filter(status__in=Need.PUBLIC_STATUSES).exclude(
            entity__status=Entity.Status.SUSPENDED
        )

    def open(self, today=None) -> "NeedQuerySet":
        """Published and still open (its "open until" not passed)."""
        today = today or timezone.localdate()
        return self.filter(status=Need.Status.PUBLISHED).filter(
            Q(open_until__isnull=True) | Q(open_until__gte=today)
        ).exclude(entity__status=Entity.Status.SUSPENDED)

    def for_entity(self, entity) -> "NeedQuerySet":
        return self.filter(entity=entity)


class Need(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        CLOSED = "closed", _("Closed")
        MET = "met", _("Met")

    PUBLIC_STATUSES = ("published", "met", "closed")

    entity = models.ForeignKey(
        "members.Entity", on_delete=models.PROTECT, related_name="needs",
        verbose_name=_("entity in need"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("created by"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), max_length=5000,
        help_text=_("What is needed, where, for whom, and what has been done so far."),
    )
    support_kind = models.CharField(
        _("kind of support sought"), max_length=25, choices=SupportKind.choices
    )
    action_areas = models.ManyToManyField(
        "action_areas.ActionArea", related_name="needs", blank=True,
        verbose_name=_("action areas"),
    )
    pillars = models.ManyToManyField(
        "action_areas.Pillar", related_name="needs", blank=True, verbose_name=_("pillars")
    )
    countries = models.ManyToManyField(
        "action_areas.Country", related_name="needs", blank=True, verbose_name=_("countries")
    )
    amount = models.DecimalField(
        _("amount sought"), max_digits=16, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    usd_amount = models.DecimalField(
        _("amount in USD"), max_digits=16, decimal_places=2, null=True, blank=True,
        editable=False,
    )
    open_until = models.DateField(_("open until"), null=True, blank=True)

    # Lifecycle (changed only through matchmaking.workflow)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("last submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    ended_at = models.DateTimeField(_("met or closed"), null=True, blank=True)
    met_by_pledge = models.ForeignKey(
        "pledges.Pledge", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="needs_met", verbose_name=_("met by pledge"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # What a person typed that did not validate yet: never lost, shown again.
    unsaved_input = models.JSONField(default=dict, blank=True, editable=False)
    # When the suggestions were last computed (matchmaking.suggestions); None: due.
    suggested_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-published_at", "-pk"]
        permissions = [("review_need", _("Can review needs"))]
        indexes = [
            models.Index(fields=["status", "published_at"], name="need_status_published"),
            models.Index(fields=["entity", "status"], name="need_entity_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="need_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""), name="need_amount_currency"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("matchmaking:need_detail", args=[self.pk])

    @property
    def is_editable_status(self) -> bool:
        return self.status in (Need.Status.DRAFT, Need.Status.CHANGES_REQUESTED)

    def is_public(self) -> bool:
        return (self.status in self.PUBLIC_STATUSES
                and self.entity.status != Entity.Status.SUSPENDED)

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == Need.Status.PUBLISHED and (
            self.open_until is None or self.open_until >= today
        )


class NeedStatusChange(models.Model):
    """The audit row of every transition of a need: who, when, from what to what, and why."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="status_changes",
                             verbose_name=_("need"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+", verbose_name=_("by"))
    from_status = models.CharField(_("from"), max_length=20, choices=Need.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Need.Status.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("need status change")
        verbose_name_plural = _("need status changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.need}: {self.from_status} → {self.to_status}"


class Reason(models.TextChoices):
    """Why a pledge is suggested for a need, as shown next to the suggestion."""

    SAME_COUNTRY = "same_country", _("same country")
    SAME_REGION = "same_region", _("active in the region")
    GLOBAL = "global", _("works globally")
    SAME_PILLAR = "same_pillar", _("same pillar")
    SAME_AREA = "same_area", _("same action area")
    OFFERS_SUPPORT = "offers_support", _("offers this kind of support")
    REPORTS_ON_TIME = "reports_on_time", _("reports progress on time")


class Suggestion(models.Model):
    """A published pledge suggested for a published need, with its score and reasons. Written
    only by matchmaking.suggestions (a task), read by the pages."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="suggestions")
    pledge = models.ForeignKey("pledges.Pledge", on_delete=models.CASCADE,
                               related_name="need_suggestions")
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "pledge"], name="one_suggestion_per_pair"),
        ]
        indexes = [
            models.Index(fields=["need", "-score"], name="suggestion_need_score"),
            models.Index(fields=["pledge", "-score"], name="suggestion_pledge_score"),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} ← {self.pledge_id} ({self.score})"

    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [str(labels[code]) for code in self.reasons if code in labels]


class Introduction(models.Model):
    """A proposal to connect the entity in need and a pledging entity about a need (and the
    pledge suggested for it). The receiving entity's administrators accept or decline; once
    accepted, both sides see each other's contact details."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="introductions",
                             verbose_name=_("need"))
    pledge = models.ForeignKey("pledges.Pledge", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="introductions",
                               verbose_name=_("pledge"))
    from_entity = models.ForeignKey("members.Entity", on_delete=models.CASCADE,
                                    related_name="introductions_sent",
                                    verbose_name=_("proposed by entity"))
    to_entity = models.ForeignKey("members.Entity", on_delete=models.CASCADE,
                                  related_name="introductions_received",
                                  verbose_name=_("proposed to entity"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+", verbose_name=_("proposed by"))
    by_secretariat = models.BooleanField(_("made by the secretariat"), default=False)
    message = models.TextField(_("message"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same pair is never proposed twice while one proposal waits (either way round:
            # the service orders the pair; this catches two proposals sent at the same moment).
            models.UniqueConstraint(
                fields=["need", "from_entity", "to_entity"], condition=Q(status="pending"),
                name="one_pending_introduction_per_pair",
            ),
            models.CheckConstraint(condition=~Q(from_entity=models.F("to_entity")),
                                   name="introduction_between_two_entities"),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="introduction_created"),
        ]

    def __str__(self) -> str:
        return f"{self.from_entity} → {self.to_entity}: {self.need}"

    def involves(self, entity_ids) -> bool:
        return self.from_entity_id in entity_ids or self.to_entity_id in entity_ids


class SuggestionSweep(models.Model):
    """One row: up to which moment pledge changes have been scored against the open needs
    (matchmaking.suggestions.suggestions_refresh_stale)."""

    pledges_seen_until = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("suggestion sweep")
        verbose_name_plural = _("suggestion sweeps")

    def __str__(self) -> str:
        return f"{self.pledges_seen_until:%Y-%m-%d %H:%M:%S}"
