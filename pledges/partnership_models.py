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
        """Invited or accepted: the partnerships that block a second invitation."""
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

    LIVE_STATUSES = (Status.INVITED, Status.ACCEPTED)

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

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["invited_at", "pk"]
        constraints = [
            # One open invitation or partnership per entity and pledge: a second invitation, or
            # two administrators answering at once, cannot make a second one.
            models.UniqueConstraint(
                fields=["pledge", "entity"], condition=Q(status__in=["invited", "accepted"]),
                name="partnership_one_live_per_entity",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | ~Q(end_reason=""),
                name="partnership_ended_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} — {self.pledge} ({self.get_role_display()})"


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
