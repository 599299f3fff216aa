"""A pledge tagged to a campaign (action_areas.Campaign): proposed by the pledging entity,
confirmed or declined by the secretariat (the lifecycle is in pledges.campaign_tags)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from action_areas.models import Campaign


class CampaignTagQuerySet(models.QuerySet):
    def confirmed(self) -> "CampaignTagQuerySet":
        return self.filter(status=CampaignTag.Status.CONFIRMED)


class CampaignTag(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    pledge = models.ForeignKey("pledges.Pledge", on_delete=models.CASCADE,
                               related_name="campaign_tags", verbose_name=_("pledge"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="pledge_tags",
                                 verbose_name=_("campaign"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed on"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    objects = CampaignTagQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign tag")
        verbose_name_plural = _("campaign tags")
        ordering = ["-proposed_at", "-pk"]
        permissions = [("review_campaigntag", _("Can confirm or decline campaign tags"))]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "campaign"],
                                    name="campaign_tag_once_per_pledge"),
            models.CheckConstraint(condition=Q(status__in=["proposed", "confirmed", "declined"]),
                                   name="campaign_tag_status_known"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="campaign_tag_by_status")]

    def __str__(self) -> str:
        return f"{self.pledge} — {self.campaign}"


class CampaignTagChange(models.Model):
    """The audit trail of a tag: who proposed, confirmed or declined it, and when."""

    tag = models.ForeignKey(CampaignTag, on_delete=models.CASCADE, related_name="changes",
                            verbose_name=_("campaign tag"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+", verbose_name=_("by"))
    from_status = models.CharField(_("from"), max_length=10, blank=True,
                                   choices=CampaignTag.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=CampaignTag.Status.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("campaign tag change")
        verbose_name_plural = _("campaign tag changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.tag}: {self.get_to_status_display()}"
