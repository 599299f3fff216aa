"""Progress reporting: reporting cycles, the progress reports pledging entities file in them,
the values achieved per target, and each report's audit trail."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from action_areas.models import TranslatedNameMixin
from pledges.models import MAX_AMOUNT, Pledge


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ReportingCycleQuerySet(models.QuerySet):
    def accepting_reports(self, day: datetime.date) -> "ReportingCycleQuerySet":
        """Open on `day`: opened, and not closed to reports."""
        return self.filter(opens_on__lte=day).filter(
            Q(closes_on__isnull=True) | Q(closes_on__gte=day)
        )


class ReportingCycle(TranslatedNameMixin):
    """A round of progress reporting, run by the secretariat (e.g. "2023 annual report")."""

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
    """What one entity reports it achieved on one pledge in one reporting cycle: the pledging
    entity, or an accepted partner reporting its own share (one report per entity and cycle).

    Several entities' values on a target add up without double counting: each entity's own
    latest value is counted once (reporting.selectors.goals, reporting.selectors.progress)."""

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
    entity = models.ForeignKey(
        "members.Entity", on_delete=models.CASCADE, related_name="progress_reports",
        verbose_name=_("reported by"),
        help_text=_("The pledging entity, or a partner reporting its share of the pledge."),
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
    # `history`: every saved version, but for the two fields below (reporting.models registers it)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-cycle__due_on", "-pk"]
        permissions = [("hide_progressreport", _("Can hide progress reports"))]
        # The latest save of a report, read by every Goals page to tell whether the in-memory
        # goal figures are current (reporting.selectors.goals._reporting_fingerprint).
        indexes = [models.Index(fields=["updated_at"], name="report_updated")]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "cycle", "entity"],
                                    name="one_report_per_entity_and_cycle"),
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
