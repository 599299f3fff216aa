"""Reads for progress reporting: each pledge's reporting status (computed, never stored), the
public progress timeline, and the member's progress reports. Query counts do not grow with the
number of pledges, cycles or progress reports."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges.models import Pledge

from ..models import ProgressReport, ReportingCycle, TargetProgress

# The pledge fields the status needs (ReportingCycle.covers): enough for a light `.only()`.
COVERAGE_FIELDS = ("id", "entity_id", "status", "start_date", "published_at")


class ReportingStatus(models.TextChoices):
    UP_TO_DATE = "up_to_date", _("Up to date")
    DUE = "due", _("Report due")
    OVERDUE = "overdue", _("Report overdue")
    INACTIVE = "inactive", _("Inactive: two reports missed")


@dataclass
class CycleToReport:
    """An open cycle the pledge has not reported on yet (perhaps with a draft started)."""

    pledge_id: int
    cycle: ReportingCycle
    report: ProgressReport | None
    overdue: bool

    @property
    def url(self) -> str:
        return reverse("reporting:progress_edit", args=[self.pledge_id, self.cycle.pk])


@dataclass
class PledgeReporting:
    """Where a pledge stands with its progress reports. `status` is None for a pledge that
    does not report (not published: draft, under review, completed, withdrawn…)."""

    pledge_id: int
    status: str | None
    to_file: list[CycleToReport] = field(default_factory=list)
    missed: int = 0
    last_submitted: ProgressReport | None = None

    @property
    def label(self) -> str:
        return ReportingStatus(self.status).label if self.status else ""

    @property
    def next_to_file(self) -> CycleToReport | None:
        return self.to_file[0] if self.to_file else None


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def reporting_for_pledges(
    pledges: Iterable[Pledge], *, today: datetime.date | None = None
) -> dict[int, PledgeReporting]:
    """The reporting status of each pledge, keyed by pledge id, in two queries (cycles opened so
    far, and these pledges' reports) however many pledges there are.

    - inactive: the two latest cycles whose due date has passed were both missed;
    - overdue: the latest cycle whose due date has passed was missed;
    - due: an opened cycle, not yet due, still waits for its report;
    - up to date: nothing is owed.
    A report counts once submitted (late ones too, and ones the secretariat hid).
    """
    today = _today(today)
    pledges = list(pledges)
    result = {p.pk: PledgeReporting(pledge_id=p.pk, status=None) for p in pledges}
    published = [p for p in pledges if p.status == Pledge.Status.PUBLISHED]
    if not published:
        return result
    cycles = list(ReportingCycle.objects.filter(opens_on__lte=today).order_by("-due_on", "-pk"))
    reports: dict[tuple[int, int], ProgressReport] = {}
    if cycles:
        for report in ProgressReport.objects.filter(
            pledge_id__in=[p.pk for p in published], cycle_id__in=[c.pk for c in cycles]
        ).only("id", "pledge_id", "cycle_id", "status", "submitted_at", "updated_at"):
            reports[(report.pledge_id, report.cycle_id)] = report
    for pledge in published:
        covered = [c for c in cycles if c.covers(pledge)]

        def filed(cycle, pledge=pledge) -> bool:
            report = reports.get((pledge.pk, cycle.pk))
            return report is not None and report.status == ProgressReport.Status.SUBMITTED

        past_due = [c for c in covered if c.due_on < today]
        if len(past_due) >= 2 and not filed(past_due[0]) and not filed(past_due[1]):
            status = ReportingStatus.INACTIVE
        elif past_due and not filed(past_due[0]):
            status = ReportingStatus.OVERDUE
        elif any(c.due_on >= today and not filed(c) for c in covered):
            status = ReportingStatus.DUE
        else:
            status = ReportingStatus.UP_TO_DATE
        submitted = [
            reports[(pledge.pk, c.pk)] for c in covered if filed(c)
        ]
        result[pledge.pk] = PledgeReporting(
            pledge_id=pledge.pk,
            status=status.value,
            to_file=[
                CycleToReport(
                    pledge_id=pledge.pk, cycle=c, report=reports.get((pledge.pk, c.pk)),
                    overdue=c.due_on < today,
                )
                for c in sorted(covered, key=lambda c: (c.due_on, c.pk))
                if c.accepts_reports_on(today) and not filed(c)
            ],
            missed=sum(1 for c in past_due if not filed(c)),
            last_submitted=max(
                submitted, key=lambda r: r.submitted_at or r.updated_at, default=None
            ),
        )
    return result


def reporting_for_pledge(pledge: Pledge, *, today: datetime.date | None = None) -> PledgeReporting:
    return reporting_for_pledges([pledge], today=today)[pledge.pk]


def reporting_for_entity(entity_id: int, *, today=None) -> dict[int, PledgeReporting]:
    """Every pledge of one entity (My pledges, the member pledge page): three queries."""
    pledges = Pledge.objects.filter(entity_id=entity_id).only(*COVERAGE_FIELDS)
    return reporting_for_pledges(pledges, today=today)


def progress_reports_to_file_for_entity(
    entity_id: int, *, today: datetime.date | None = None
) -> list[tuple[Pledge, CycleToReport]]:
    """Every progress report an entity can file now and has not submitted yet, as (pledge,
    cycle to report) pairs, the earliest due first (the member dashboard): three queries."""
    pledges = list(
        Pledge.objects.filter(entity_id=entity_id, status=Pledge.Status.PUBLISHED)
        .only(*COVERAGE_FIELDS, "title")
    )
    reporting = reporting_for_pledges(pledges, today=today)
    due = [(pledge, item) for pledge in pledges for item in reporting[pledge.pk].to_file]
    return sorted(due, key=lambda pair: (pair[1].cycle.due_on, pair[1].cycle.pk, pair[0].title,
                                         pair[0].pk))


def pledge_ids_with_reporting_status(
    status: str, *, today: datetime.date | None = None
) -> list[int]:
    """Published pledges in a reporting status (the admin's list filter): three queries."""
    pledges = Pledge.objects.filter(status=Pledge.Status.PUBLISHED).only(*COVERAGE_FIELDS)
    return [
        pledge_id for pledge_id, reporting in reporting_for_pledges(pledges, today=today).items()
        if reporting.status == status
    ]


# --- Public timeline ------------------------------------------------------------


@dataclass
class TimelineEntry:
    report: ProgressReport
    targets: list[TargetProgress]
    disbursed_percent: int | None


def _disbursed_percent(report: ProgressReport, pledge: Pledge) -> int | None:
    if report.amount_disbursed is None or not pledge.amount or report.currency != pledge.currency:
        return None
    share = report.amount_disbursed / pledge.amount * 100
    return int(max(Decimal(0), min(Decimal(100), share)).to_integral_value())


def progress_timeline(pledge: Pledge) -> list[TimelineEntry]:
    """A pledge's submitted, visible reports, latest cycle first, with their per-target values:
    two queries, however many reports and targets."""
    if pledge.status not in (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED):
        return []
    reports = (
        ProgressReport.objects.public()
        .filter(pledge_id=pledge.pk)
        .select_related("cycle")
        .prefetch_related(
            Prefetch("target_progress", queryset=TargetProgress.objects.order_by("position", "pk"))
        )
        .order_by("-cycle__due_on", "-submitted_at", "-pk")
    )
    return [
        TimelineEntry(
            report=report,
            targets=list(report.target_progress.all()),
            disbursed_percent=_disbursed_percent(report, pledge),
        )
        for report in reports
    ]


def progress_reports_public(*, changed_since=None):
    """Every submitted, visible report of a public pledge (the open API), in a stable order:
    last change, then key. The same rules as the pledge page's timeline."""
    reports = (
        ProgressReport.objects.public()
        .filter(pledge__in=Pledge.objects.public())
        .select_related("cycle")
        .prefetch_related(
            Prefetch("target_progress", queryset=TargetProgress.objects.order_by("position", "pk"))
        )
        .order_by("updated_at", "pk")
    )
    if changed_since is not None:
        reports = reports.filter(updated_at__gte=changed_since)
    return reports


# --- Member area ------------------------------------------------------------


def progress_report_get(pledge: Pledge, cycle: ReportingCycle) -> ProgressReport | None:
    """The pledge's report for a cycle (draft or submitted) with its target values."""
    return (
        ProgressReport.objects.filter(pledge=pledge, cycle=cycle)
        .select_related("submitted_by", "updated_by")
        .prefetch_related(
            Prefetch("target_progress", queryset=TargetProgress.objects.order_by("position", "pk"))
        )
        .first()
    )


@dataclass
class CycleRow:
    pledge_id: int
    cycle: ReportingCycle
    report: ProgressReport | None
    accepts_reports: bool
    overdue: bool

    @property
    def url(self) -> str:
        return reverse("reporting:progress_edit", args=[self.pledge_id, self.cycle.pk])


def progress_report_rows_for_member(pledge: Pledge, *, today=None) -> list[CycleRow]:
    """Every opened cycle that covers the pledge or holds one of its reports, latest first."""
    today = _today(today)
    reports = {r.cycle_id: r for r in ProgressReport.objects.filter(pledge=pledge)}
    rows = []
    for cycle in ReportingCycle.objects.filter(opens_on__lte=today).order_by("-due_on", "-pk"):
        report = reports.get(cycle.pk)
        if report is None and not cycle.covers(pledge):
            continue
        rows.append(CycleRow(
            pledge_id=pledge.pk, cycle=cycle, report=report,
            accepts_reports=cycle.accepts_reports_on(today),
            overdue=cycle.due_on < today and not (
                report and report.status == ProgressReport.Status.SUBMITTED
            ),
        ))
    return rows
