"""Reminders: which ones the secretariat turned on (ReminderSettings), and one row per reminder
due (Reminder), a job of the job machinery (p2c_portal.jobs)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges.models import Pledge

from .progress import ReportingCycle


class ReminderSettings(models.Model):
    """Which reminders the portal sends and when, set by the secretariat. One row (pk=1),
    seeded by a migration; read with `ReminderSettings.load()`."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    DAYS = [MinValueValidator(1), MaxValueValidator(365)]

    draft_untouched_enabled = models.BooleanField(_("remind about untouched draft pledges"),
                                                  default=True)
    draft_untouched_days = models.PositiveSmallIntegerField(
        _("after how many days without a change"), default=14, validators=DAYS
    )
    changes_requested_enabled = models.BooleanField(
        _("remind about unanswered change requests"), default=True
    )
    changes_requested_days = models.PositiveSmallIntegerField(
        _("after how many days without resubmission"), default=7, validators=DAYS
    )
    report_due_soon_enabled = models.BooleanField(_("announce that a report is due soon"),
                                                  default=True)
    report_due_soon_days = models.PositiveSmallIntegerField(
        _("how many days before the due date"), default=14, validators=DAYS
    )
    report_due_today_enabled = models.BooleanField(_("remind on the due date"), default=True)
    report_overdue_enabled = models.BooleanField(
        _("remind about overdue reports (the entity's administrators too)"), default=True
    )
    report_overdue_days = models.PositiveSmallIntegerField(
        _("how many days after the due date"), default=7, validators=DAYS
    )
    weekly_digest_enabled = models.BooleanField(_("send the weekly digest to the secretariat"),
                                                default=True)
    weekly_digest_weekday = models.PositiveSmallIntegerField(
        _("digest day"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="reminder_settings_single_row"),
            models.CheckConstraint(
                condition=Q(draft_untouched_days__gte=1, changes_requested_days__gte=1,
                            report_due_soon_days__gte=1, report_overdue_days__gte=1),
                name="reminder_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(weekly_digest_weekday__lte=6), name="reminder_weekday_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Reminder settings"))

    @classmethod
    def load(cls) -> "ReminderSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row

    def is_enabled(self, kind: str) -> bool:
        """Whether reminders of this Reminder.Kind go out."""
        return getattr(self, f"{kind}_enabled")


class Reminder(models.Model):
    """One reminder, due once. Unique per (what it is about, kind, date): creating it again is
    harmless, and its send claims it by compare-and-set, so it is emailed at most once.

    Sending hands the reminder's emails to the outbox (p2c_portal.mail) in the same transaction
    that marks it SENT; the outbox then delivers each email once, retrying SMTP failures.
    """

    class Kind(models.TextChoices):
        DRAFT_UNTOUCHED = "draft_untouched", _("Draft pledge untouched")
        CHANGES_REQUESTED = "changes_requested", _("Requested changes unanswered")
        REPORT_DUE_SOON = "report_due_soon", _("Progress report due soon")
        REPORT_DUE_TODAY = "report_due_today", _("Progress report due today")
        REPORT_OVERDUE = "report_overdue", _("Progress report overdue")
        WEEKLY_DIGEST = "weekly_digest", _("Weekly digest to the secretariat")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent: not needed")
        FAILED = "failed", _("Failed")

    class SkipReason(models.TextChoices):
        TURNED_OFF = "turned_off", _("This kind of reminder was turned off")
        DONE = "done", _("Nothing to remind about any more")
        NO_RECIPIENT = "no_recipient", _("No one to write to")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the reminder is about, as a key that is never NULL (a NULL would defeat the unique
    # constraint): "pledge:12", "pledge:12/cycle:3" or "secretariat".
    target_key = models.CharField(_("about"), max_length=60)
    due_on = models.DateField(
        _("for the date"),
        help_text=_("The report's due date, or the day the pledge reminder fell due."),
    )
    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders",
        verbose_name=_("pledge"),
    )
    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.CASCADE, null=True, blank=True,
        related_name="reminders", verbose_name=_("reporting cycle"),
    )
    # A progress-report reminder to a partner of the pledge (its own share is due); empty for
    # the pledging entity and the other kinds. Its target_key names it too, so that the owner's
    # and each partner's reminders are distinct rows.
    entity = models.ForeignKey(
        "members.Entity", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("partner entity"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    skip_reason = models.CharField(
        _("why it was not sent"), max_length=20, choices=SkipReason.choices, blank=True
    )
    emails = models.ManyToManyField(
        "p2c_portal.OutboundEmail", blank=True, related_name="+", verbose_name=_("emails"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)  # who holds it while SENDING
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_key", "kind", "due_on"], name="one_reminder_per_target_kind_date"
            ),
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.target_key} — {self.due_on}"
