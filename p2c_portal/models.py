"""The email outbox: every email the site sends is a row first, then a delivery job
(p2c_portal.mail, on the job machinery of p2c_portal.jobs).

A row survives a broker outage or a killed worker; the periodic sweep re-queues what was not
sent, and marks UNCERTAIN what may or may not have reached the mail server.
"""

from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_message_id() -> str:
    """A Message-ID for a new outbox row, "<time.pid.random@the sender's domain>". Made once per
    row: every delivery of the row (a retry, a resend) carries the same one, so that the
    recipient's mail system and the recipient can tell it is the same message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        # The worker died while sending: the mail server may or may not have taken the email.
        # Never resent by itself; the secretariat resends it from the admin if need be.
        UNCERTAIN = "uncertain", _("Uncertain: the send was cut off")
        FAILED = "failed", _("Failed")

    to = models.JSONField(_("recipients"), help_text=_("List of email addresses."))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    template = models.CharField(
        _("template"), max_length=200, blank=True, help_text=_("Which email this is.")
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    # Extra headers of this email, e.g. List-Unsubscribe on the emails people may stop.
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    message_id = models.CharField(
        _("Message-ID"), max_length=255, unique=True, default=new_message_id, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)  # who holds it while SENDING
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
