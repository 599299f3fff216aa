"""API tokens: issued by the secretariat to a consumer that needs more than the anonymous rate
limit. Only a SHA-256 digest of the token is stored: the token itself is shown once, when issued
(api.services.api_token_issue). A token carries no permission: the API serves public data only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    name = models.CharField(
        _("consumer"), max_length=200,
        help_text=_("Who uses this token, e.g. the organisation and its application."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    # The first characters of the token, to recognise it in a conversation; never enough to use.
    prefix = models.CharField(_("token starts with"), max_length=12, editable=False)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True,
                              editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        editable=False, verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False, verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(digest=""), name="api_token_has_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
