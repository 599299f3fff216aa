"""Reporting: cycles, progress reports on pledges, and the reminders that follow them up.

These models live here rather than in pledges/ (where DESIGN.md §1–2 first placed progress
reports) so that the dependency runs one way only: reporting → pledges. The pledges app never
imports reporting; the public pledge page reaches the timeline through a template include.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pledges.models import MAX_AMOUNT, Pledge


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ReportingCycleQuerySet(models.QuerySet):
    def accepting_reports(self, day: datetime.date) -> "ReportingCycleQuerySet":
        """Open on `day`: opened, and not closed to reports."""
        return self.filter(opens_on__lte=day).filter(
            Q(closes_on__isnull=True) | Q(closes_on__gte=day)
        )


class ReportingCycle(models.Model):
    """A round of progress reporting, run by the secretariat (e.g. "2023 annual report")."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    period_start = models.DateField(_("period covered from"))
    period_end = models.DateField(_("period covered until"))
    opens_on = models.DateField(
        _("opens on"), help_text=_("From this day members can file their progress reports.")
    )
    due_on = models.DateField(_("due on"), help_text=_("Reports are due by the end of this day."))
    closes_on = models.DateField(
        _("late reports accepted until"), null=True, blank=True,
        help_text=_("Empty: late reports are accepted at any time after the due date."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ReportingCycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="cycle_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")), name="cycle_due_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("due_on")),
                name="cycle_closes_after_due",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "en").startswith("fr") and self.name_fr:
            return self.name_fr
        return self.name_en

    def accepts_reports_on(self, day: datetime.date) -> bool:
        return self.opens_on <= day and (self.closes_on is None or day <= self.closes_on)

    # Which pledges a cycle covers: published now (not completed, withdrawn…), started before the
    # end of the period, and already published by then (a pledge published after the period
    # does not owe a report on it). `covers` and `covered_pledges` say the same thing twice —
    # once in Python for lists already loaded, once in SQL — and a test holds them together.

    def covers(self, pledge: Pledge) -> bool:
        if pledge.status != Pledge.Status.PUBLISHED:
            return False
        if pledge.start_date is not None and pledge.start_date > self.period_end:
            return False
        return pledge.published_at is None or pledge.published_at < _start_of_day(
            self.period_end + datetime.timedelta(days=1)
        )

    def covered_pledges(self, queryset=None):
        queryset = Pledge.objects.all() if queryset is None else queryset
        after_period = _start_of_day(self.period_end + datetime.timedelta(days=1))
        return queryset.filter(status=Pledge.Status.PUBLISHED).filter(
            Q(start_date__isnull=True) | Q(start_date__lte=self.period_end),
            Q(published_at__isnull=True) | Q(published_at__lt=after_period),
        )


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")


class ProgressReportQuerySet(models.QuerySet):
    def public(self) -> "ProgressReportQuerySet":
        """Submitted and not hidden by the secretariat (the pledge's own visibility is checked
        by whoever shows the pledge)."""
        return self.filter(status=ProgressReport.Status.SUBMITTED, hidden_at__isnull=True)


class ProgressReport(models.Model):
    """What a pledging entity reports it achieved on one pledge in one reporting cycle."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="progress_reports",
        verbose_name=_("pledge"),
    )
    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.PROTECT, related_name="reports",
        verbose_name=_("reporting cycle"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    implementation_status = models.CharField(
        _("implementation status"), max_length=12, choices=ImplementationStatus.choices,
        blank=True,
    )
    percent_complete = models.PositiveSmallIntegerField(
        _("percentage complete"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    amount_disbursed = models.DecimalField(
        _("amount disbursed so far"), max_digits=16, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    usd_disbursed = models.DecimalField(
        _("amount disbursed in USD"), max_digits=16, decimal_places=2, null=True, blank=True,
        editable=False,
    )
    narrative = models.TextField(_("what happened"), max_length=10000, blank=True)
    evidence_links = models.JSONField(_("evidence links"), default=list, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("started by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("last changed by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Hidden by the secretariat (inappropriate content): kept, audited, off the public page.
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("hidden by"),
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)

    # Optimistic concurrency, as for pledges: every save bumps it; an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # What a person typed that did not validate yet: never lost, shown again.
    unsaved_input = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    objects = ProgressReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["unsaved_input", "version"])

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-cycle__due_on", "-pk"]
        permissions = [("hide_progressreport", _("Can hide progress reports"))]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "cycle"], name="one_report_per_cycle"),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True)
                | Q(percent_complete__gte=0, percent_complete__lte=100),
                name="report_percent_0_100",
            ),
            models.CheckConstraint(
                condition=Q(amount_disbursed__isnull=True) | Q(amount_disbursed__gte=0),
                name="report_disbursed_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge} — {self.cycle}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:progress_edit", args=[self.pledge_id, self.cycle_id])

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.SUBMITTED and self.hidden_at is None


class TargetProgress(models.Model):
    """The value achieved on one target, as reported. The target's indicator, unit, baseline and
    value are copied at reporting time: the report stays true if the target changes later."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="target_progress",
        verbose_name=_("progress report"),
    )
    target = models.ForeignKey(
        "pledges.Target", on_delete=models.SET_NULL, null=True, related_name="progress",
        verbose_name=_("target"),
    )
    indicator = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50)
    baseline = models.DecimalField(
        _("baseline"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    target_value = models.DecimalField(_("target value"), max_digits=20, decimal_places=2)
    achieved_value = models.DecimalField(
        _("achieved value"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("progress on a target")
        verbose_name_plural = _("progress on targets")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="one_value_per_target"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.achieved_value} / {self.target_value} {self.unit}"

    @property
    def percent(self) -> int | None:
        """How far from the baseline to the target the achieved value is, 0–100."""
        if self.achieved_value is None:
            return None
        baseline = self.baseline or Decimal(0)
        span = self.target_value - baseline
        if span == 0:
            return 100 if self.achieved_value >= self.target_value else 0
        share = (self.achieved_value - baseline) / span * 100
        return int(max(Decimal(0), min(Decimal(100), share)).to_integral_value())


class ProgressReportEvent(models.Model):
    """The audit trail of a report: submitted, hidden, shown again — who, when, why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        HIDDEN = "hidden", _("Hidden by the secretariat")
        SHOWN = "shown", _("Shown again by the secretariat")

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("progress report"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("by"),
    )
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("progress report event")
        verbose_name_plural = _("progress report events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_action_display()}"


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


# --- Compiled reports ------------------------------------------------------------


class ReportRun(models.Model):
    """A compiled report: a snapshot of the coalition kept as files (DESIGN.md §3).

    One row per (kind, parameters) and edition: asking again for the same report returns the same
    run; rebuilding is an explicit secretariat action that adds the next edition and keeps the
    earlier one and its files. PENDING → RUNNING → DONE | FAILED; a DONE run never changes again
    except for being published or unpublished.
    """

    class Kind(models.TextChoices):
        EVENT = "event", _("Event report")
        CYCLE = "cycle", _("Reporting-cycle report")
        CUSTOM = "custom", _("Custom report")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Compiling")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title_en = models.CharField(_("title (English)"), max_length=250)
    title_fr = models.CharField(_("title (French)"), max_length=250, blank=True)
    event = models.ForeignKey(
        "pledges.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="reports",
        verbose_name=_("event"),
    )
    cutoff = models.DateField(
        _("submitted up to"), null=True, blank=True,
        help_text=_("Event reports: only pledges first submitted on or before this day."),
    )
    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.PROTECT, null=True, blank=True,
        related_name="compiled_reports", verbose_name=_("reporting cycle"),
    )
    filter_query = models.CharField(
        _("filters of the public list"), max_length=2000, blank=True,
        help_text=_("Custom reports: the query string of the public pledge list, "
                    "e.g. area=access&region=africa."),
    )
    as_of = models.DateField(
        _("report date"),
        help_text=_("Country groupings (LDC, LLDC, SIDS) are taken as they were on this day."),
    )
    # The canonical form of (kind, parameters): what makes two requests the same report.
    parameters_key = models.CharField(_("parameters"), max_length=2100, editable=False)
    edition = models.PositiveSmallIntegerField(_("edition"), default=1, editable=False)
    rebuild_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rebuilds",
        editable=False, verbose_name=_("rebuild of"),
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, editable=False)
    progress_note = models.CharField(_("current step"), max_length=200, blank=True,
                                     editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    claim = models.UUIDField(null=True, blank=True, editable=False)  # the compiler holding it
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True,
                                        editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)
    # The figures of a DONE run, as compiled: the HTML page is rendered from them.
    figures = models.JSONField(_("figures"), null=True, blank=True, editable=False)

    is_published = models.BooleanField(pgettext_lazy("compiled report is", "published"),
                                       default=False, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True,
                                        editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("compiled report")
        verbose_name_plural = _("compiled reports")
        ordering = ["-created_at", "-pk"]
        permissions = [("publish_reportrun", _("Can publish compiled reports"))]
        constraints = [
            models.UniqueConstraint(fields=["parameters_key", "edition"],
                                    name="one_report_run_per_parameters_edition"),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_run_progress_0_100"
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(status="done"),
                name="report_run_published_only_when_done",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        if self.edition > 1:
            return _("%(title)s (edition %(edition)d)") % {
                "title": self.title, "edition": self.edition,
            }
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:report_detail", args=[self.pk])

    @property
    def title(self) -> str:
        if (get_language() or "en").startswith("fr") and self.title_fr:
            return self.title_fr
        return self.title_en


class ReportFile(models.Model):
    """One output of a run, stored in the database with the run: written in the same transaction
    that marks the run DONE, so a run has all its files or none, and never two of a kind. The
    bytes are in ReportFileChunk rows of at most CHUNK_BYTES, so that neither compiling nor
    serving a large file ever holds it whole in memory."""

    CHUNK_BYTES = 1024 * 1024

    class Format(models.TextChoices):
        PDF = "pdf", _("Print-ready report (PDF)")
        XLSX = "xlsx", _("Excel workbook (XLSX)")
        FIGURES_CSV = "figures.csv", _("Figures (CSV)")
        PLEDGES_CSV = "pledges.csv", _("Pledge list (CSV)")

    run = models.ForeignKey(ReportRun, on_delete=models.PROTECT, related_name="files",
                            verbose_name=_("compiled report"))
    format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["run", "language", "format"]
        constraints = [
            models.UniqueConstraint(fields=["run", "format", "language"],
                                    name="one_report_file_per_format_language"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} — {self.language}"

    @property
    def download_name(self) -> str:
        """e.g. p2c-report-12-pledges-fr.csv"""
        kind, _dot, extension = self.format.rpartition(".")
        return f"p2c-report-{self.run_id}-{kind or extension}-{self.language}.{extension}"

    def stream(self) -> Iterator[bytes]:
        """The file's bytes, one chunk (one query) at a time."""
        index = 0
        while True:
            data = (ReportFileChunk.objects.filter(file=self, index=index)
                    .values_list("data", flat=True).first())
            if data is None:
                return
            yield bytes(data)
            index += 1

    def read(self) -> bytes:
        """The whole file: for small files and tests; pages use `stream()`."""
        return b"".join(self.stream())

    @property
    def content_type(self) -> str:
        return {
            self.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            self.Format.FIGURES_CSV: "text/csv; charset=utf-8",
            self.Format.PLEDGES_CSV: "text/csv; charset=utf-8",
            self.Format.PDF: "application/pdf",
        }[self.format]


class ReportFileChunk(models.Model):
    """A piece of a report file, in order."""

    file = models.ForeignKey(ReportFile, on_delete=models.CASCADE, related_name="chunks",
                             verbose_name=_("report file"))
    index = models.PositiveIntegerField(_("position"))
    data = models.BinaryField(_("data"))

    class Meta:
        verbose_name = _("report file chunk")
        verbose_name_plural = _("report file chunks")
        ordering = ["file", "index"]
        constraints = [
            models.UniqueConstraint(fields=["file", "index"], name="one_report_chunk_per_index"),
        ]

    def __str__(self) -> str:
        return f"{self.file} #{self.index}"
