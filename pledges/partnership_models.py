"""Partnerships: entities that take part in another entity's pledge, by consent.

Loaded by pledges.models (Django finds models there). The lifecycle and every write are in
pledges.partnerships; `Pledge.co_pledgers` holds exactly the accepted co-pledgers and is
written only there, so that every public read of it shows consenting partners only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartnershipQuerySet(models.QuerySet):
    def live(self) -> "PartnershipQuerySet":
        """Invited, requested or accepted: the partnerships that block a second invitation or
        request."""
        return self.filter(status__in=Partnership.LIVE_STATUSES)

    def accepted(self) -> "PartnershipQuerySet":
        return self.filter(status=Partnership.Status.ACCEPTED)


class Partnership(models.Model):
    """An entity taking part in a pledge with a role, once one of its administrators accepted."""

    class Role(models.TextChoices):
        CO_PLEDGER = "co_pledger", pgettext_lazy("partnership role", "Co-pledger")
        CO_IMPLEMENTER = "co_implementer", pgettext_lazy("partnership role", "Co-implementer")
        ADOPTER = "adopter", pgettext_lazy("partnership role", "Adopter")
        FUNDER = "funder", pgettext_lazy("partnership role", "Funder")

    class Status(models.TextChoices):
        INVITED = "invited", pgettext_lazy("partnership status", "Invited")
        ACCEPTED = "accepted", pgettext_lazy("partnership status", "Accepted")
        DECLINED = "declined", pgettext_lazy("partnership status", "Declined")
        ENDED = "ended", pgettext_lazy("partnership status", "Ended")
        # An entity asked to join a published pledge; the pledge's administrators answer.
        REQUESTED = "requested", pgettext_lazy("partnership status", "Join requested")
        WITHDRAWN = "withdrawn", pgettext_lazy("partnership status", "Request withdrawn")
        EXPIRED = "expired", pgettext_lazy("partnership status", "Request expired")

    LIVE_STATUSES = (Status.INVITED, Status.REQUESTED, Status.ACCEPTED)

    pledge = models.ForeignKey("pledges.Pledge", on_delete=models.CASCADE,
                               related_name="partnerships", verbose_name=_("pledge"))
    entity = models.ForeignKey("members.Entity", on_delete=models.CASCADE,
                               related_name="partnerships", verbose_name=_("entity"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices,
                            default=Role.CO_PLEDGER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.INVITED)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("invited by"))
    invited_at = models.DateTimeField(_("invited on"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), max_length=2000, blank=True)
    # A request to join (pledges.partnerships.partnership_request): who asked, what the entity
    # brings, and for a funder the amount, converted to USD as pledges are (pledges.rates).
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("requested by"))
    contribution = models.TextField(_("contribution"), max_length=2000, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True,
                                 blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    usd_amount = models.DecimalField(_("amount in USD"), max_digits=16, decimal_places=2,
                                     null=True, blank=True, editable=False)
    usd_rate = models.DecimalField(_("UN operational rate used (units per USD)"), max_digits=20,
                                   decimal_places=6, null=True, blank=True, editable=False)
    usd_rate_date = models.DateField(_("month of the rate used"), null=True, blank=True,
                                     editable=False)
    # The month the amount was given (first day), kept even while no rate exists for it, so
    # that the rates of that month, uploaded later, convert it (pledges.rates's upload job).
    amount_month = models.DateField(_("month of the amount"), null=True, blank=True,
                                    editable=False)
    # Set when the pledge's administrators were reminded that the request is about to expire:
    # the compare-and-set that makes the reminder go out once (pledges.partnerships).
    reminded_at = models.DateTimeField(_("reminder sent on"), null=True, blank=True,
                                       editable=False)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["invited_at", "pk"]
        constraints = [
            # One open invitation or partnership per entity and pledge: a second invitation, or
            # two administrators answering at once, cannot make a second one.
            models.UniqueConstraint(
                fields=["pledge", "entity"],
                condition=Q(status__in=["invited", "requested", "accepted"]),
                name="partnership_one_live_per_entity",
            ),
            # A funder's contribution is an amount in a currency, or nothing.
            models.CheckConstraint(
                condition=(Q(amount__isnull=True, currency="")
                           | Q(amount__gt=0) & ~Q(currency="")),
                name="partnership_amount_has_currency",
            ),

            models.CheckConstraint(
                condition=~Q(status="ended") | ~Q(end_reason=""),
                name="partnership_ended_has_reason",
            ),
        ]
        indexes = [
            # The expiry task (pledges.partnerships.join_requests_expire) reads the pending
            # requests, oldest first.
            models.Index(fields=["invited_at"], name="partnership_requests_pending",
                         condition=Q(status="requested")),
        ]

    def __str__(self) -> str:
        return f"{self.entity} — {self.pledge} ({self.get_role_display()})"

    @property
    def is_request(self) -> bool:
        """Started by the entity asking to join, not by an invitation."""
        return self.requested_by_id is not None or self.status == self.Status.REQUESTED


class PartnershipChange(models.Model):
    """The audit trail of a partnership: who changed it, when, from, to, why."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="changes", verbose_name=_("partnership"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    from_status = models.CharField(_("from"), max_length=20, choices=Partnership.Status.choices,
                                   blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Partnership.Status.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("partnership change")
        verbose_name_plural = _("partnership changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return (f"{self.partnership}: {self.get_from_status_display()} → "
                f"{self.get_to_status_display()}")


class PartnershipAmendment(models.Model):
    """An accepted partner's proposal to change its own contribution (what it brings and, for a
    funder, the amount and currency), answered by the pledge's administrators or the secretariat
    (pledges.partnerships.AMENDMENT_TRANSITIONS). Kept once answered: the audit of every change
    to a contribution, with the values before and after. Nothing public changes until one is
    approved."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("amendment status", "Proposed")
        APPROVED = "approved", pgettext_lazy("amendment status", "Approved")
        DECLINED = "declined", pgettext_lazy("amendment status", "Declined")
        # The proposing partner took it back before an answer (a typo in an amount, a change
        # of plan): nothing changed.
        WITHDRAWN = "withdrawn", pgettext_lazy("amendment status", "Withdrawn")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="amendments", verbose_name=_("partnership"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.PROPOSED)
    contribution = models.TextField(_("contribution"), max_length=2000)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True,
                                 blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    usd_amount = models.DecimalField(_("amount in USD"), max_digits=16, decimal_places=2,
                                     null=True, blank=True, editable=False)
    usd_rate = models.DecimalField(_("UN operational rate used (units per USD)"), max_digits=20,
                                   decimal_places=6, null=True, blank=True, editable=False)
    usd_rate_date = models.DateField(_("month of the rate used"), null=True, blank=True,
                                     editable=False)
    # The month the amount was given (first day), kept even while no rate exists for it, so
    # that the rates of that month, uploaded later, convert it (pledges.rates's upload job).
    amount_month = models.DateField(_("month of the amount"), null=True, blank=True,
                                    editable=False)
    # Why the partner proposes the change, read by the pledge's administrators who answer.
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    # The contribution as it was when the proposal was answered (the audit's "before").
    previous_contribution = models.TextField(_("contribution"), blank=True, editable=False)
    previous_amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2,
                                          null=True, blank=True, editable=False)
    previous_currency = models.CharField(_("currency"), max_length=3, blank=True, editable=False)
    # The contribution's USD equivalent before the approval: what "as of" figures of an earlier
    # date count (pledges.in_force.contributions_in_force).
    previous_usd_amount = models.DecimalField(_("amount in USD"), max_digits=16,
                                              decimal_places=2, null=True, blank=True,
                                              editable=False)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("requested by"))
    proposed_at = models.DateTimeField(_("when"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+", verbose_name=_("by"))
    decided_at = models.DateTimeField(_("when"), null=True, blank=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("change to a partner's contribution")
        verbose_name_plural = _("changes to partners' contributions")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One proposal waiting per partnership: a second waits for the first's answer.
            models.UniqueConstraint(fields=["partnership"], condition=Q(status="proposed"),
                                    name="partnership_amendment_one_proposed"),
            models.CheckConstraint(
                condition=(Q(amount__isnull=True, currency="")
                           | Q(amount__gt=0) & ~Q(currency="")),
                name="partnership_amendment_amount_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} ({self.get_status_display()})"
