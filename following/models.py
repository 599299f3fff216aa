"""Visitors following a pledge, an entity or a country by email, without an account.

A Follower is one email address (never shown on any public page, only in the admin) with the
language its emails are written in and a secret token for its "stop all emails" link. Each Follow
is one thing followed, confirmed by a link sent to the address (double opt-in) before anything
else is sent. A Digest is the weekly email of one follower for one week: a job row
(p2c_portal.jobs), unique per follower and week, so that it is sent exactly once.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Follower(models.Model):
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=10)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")

    def __str__(self) -> str:
        return self.email


class FollowQuerySet(models.QuerySet):
    def confirmed(self) -> "FollowQuerySet":
        return self.filter(confirmed_at__isnull=False)


class Follow(models.Model):
    class Kind(models.TextChoices):
        PLEDGE = "pledge", _("Pledge")
        ENTITY = "entity", _("Entity")
        COUNTRY = "country", _("Country")

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="follows",
                                 verbose_name=_("follower"))
    kind = models.CharField(_("follows"), max_length=10, choices=Kind.choices)
    pledge = models.ForeignKey("pledges.Pledge", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+", verbose_name=_("pledge"))
    entity = models.ForeignKey("members.Entity", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+", verbose_name=_("entity"))
    country = models.ForeignKey("action_areas.Country", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+", verbose_name=_("country"))
    # For the confirmation link and this follow's own "stop" link.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="pledge", pledge__isnull=False, entity__isnull=True,
                             country__isnull=True)
                           | Q(kind="entity", entity__isnull=False, pledge__isnull=True,
                               country__isnull=True)
                           | Q(kind="country", country__isnull=False, pledge__isnull=True,
                               entity__isnull=True)),
                name="follow_one_target_of_its_kind",
            ),
            models.UniqueConstraint(fields=["follower", "pledge"], condition=Q(kind="pledge"),
                                    name="one_follow_per_pledge"),
            models.UniqueConstraint(fields=["follower", "entity"], condition=Q(kind="entity"),
                                    name="one_follow_per_entity"),
            models.UniqueConstraint(fields=["follower", "country"], condition=Q(kind="country"),
                                    name="one_follow_per_country"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target}"

    @property
    def target(self):
        return self.pledge or self.entity or self.country

    def target_url(self) -> str:
        """The public page of what is followed, in the active language."""
        return target_url(self.target)


def target_url(target) -> str:
    if hasattr(target, "iso3"):  # a country: its page is the pledges' list of it
        return reverse("pledges:country_detail", kwargs={"iso3": target.iso3})
    return target.get_absolute_url()


def target_name(target) -> str:
    if hasattr(target, "text_in"):  # a pledge: its title in the active language, if translated
        return target.text_in(get_language() or "")["title"]
    return target.name


class Digest(models.Model):
    """One follower's email for one week (Monday to Monday, in the site's time zone)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Being written")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Nothing to tell")
        FAILED = "failed", _("Failed")

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="digests",
                                 verbose_name=_("follower"))
    week_start = models.DateField(_("week starting"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    email = models.ForeignKey("p2c_portal.OutboundEmail", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("email"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True,
                                       editable=False)

    class Meta:
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")
        constraints = [
            models.UniqueConstraint(fields=["follower", "week_start"],
                                    name="one_digest_per_follower_week"),
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.follower} — {self.week_start}"
