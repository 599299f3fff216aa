"""Reads for reminders: which reminders fall due on a day (the rows reporting.services.reminders
creates), and what the weekly digest to the secretariat says.

A reminder is due only within CATCH_UP_DAYS of the day it falls due: after an outage the missed
ones still go out, once, but a new installation does not mail about years-old drafts.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from members.models import Entity
from pledges.models import Partnership, Pledge, PledgeStatusChange

from ..models import ProgressReport, Reminder, ReminderSettings, ReportingCycle
from .progress import ReportingStatus, reporting_for_pledges

DIGEST_LIST_LIMIT = 50
CATCH_UP_DAYS = 3
K = Reminder.Kind


@dataclass(frozen=True)
class Due:
    kind: str
    target_key: str
    due_on: datetime.date
    pledge_id: int | None = None
    cycle_id: int | None = None
    entity_id: int | None = None  # a partner's own share of a pledge (progress reports)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


# --- What is due today ------------------------------------------------------------


def _due_drafts(today: datetime.date, cfg: ReminderSettings) -> list[Due]:
    """A draft pledge last changed `days` days ago (or up to CATCH_UP_DAYS - 1 more)."""
    days = cfg.draft_untouched_days
    last_changes = Pledge.objects.filter(
        status=Pledge.Status.DRAFT,
        updated_at__gte=_start_of(today - _days(days + CATCH_UP_DAYS - 1)),
        updated_at__lt=_start_of(today - _days(days - 1)),
    ).values_list("pk", "updated_at")
    return [
        Due(K.DRAFT_UNTOUCHED, f"pledge:{pk}", timezone.localdate(changed) + _days(days), pk)
        for pk, changed in last_changes
    ]


def _due_change_requests(today: datetime.date, cfg: ReminderSettings) -> list[Due]:
    """A pledge still waiting, `days` days after the secretariat asked for changes."""
    days = cfg.changes_requested_days
    requests = (
        Pledge.objects.filter(status=Pledge.Status.CHANGES_REQUESTED)
        .annotate(requested_at=Max(
            "status_changes__created_at",
            filter=Q(status_changes__to_status=Pledge.Status.CHANGES_REQUESTED),
        ))
        .filter(
            requested_at__gte=_start_of(today - _days(days + CATCH_UP_DAYS - 1)),
            requested_at__lt=_start_of(today - _days(days - 1)),
        )
        .values_list("pk", "requested_at")
    )
    return [
        Due(K.CHANGES_REQUESTED, f"pledge:{pk}", timezone.localdate(asked) + _days(days), pk)
        for pk, asked in requests
    ]


def progress_report_reminder_kinds(cycle: ReportingCycle, today: datetime.date,
                                    cfg: ReminderSettings) -> list[str]:
    """Which progress-report reminders of this cycle fall due today."""
    kinds = []
    if cfg.report_due_soon_enabled:
        fires = max(cycle.due_on - _days(cfg.report_due_soon_days), cycle.opens_on)
        if fires <= today < min(fires + _days(CATCH_UP_DAYS), cycle.due_on):
            kinds.append(K.REPORT_DUE_SOON)
    if cfg.report_due_today_enabled and today == cycle.due_on:
        kinds.append(K.REPORT_DUE_TODAY)
    if cfg.report_overdue_enabled:
        fires = cycle.due_on + _days(cfg.report_overdue_days)
        if fires <= today < fires + _days(CATCH_UP_DAYS) and cycle.accepts_reports_on(today):
            kinds.append(K.REPORT_OVERDUE)
    return kinds


def _due_progress_reports(today: datetime.date, cfg: ReminderSettings) -> list[Due]:
    """Covered pledges without a submitted report, before, on and after the due date: the
    pledging entity's report, and each accepted partner's own (every entity that has something
    due is reminded, once per kind and cycle)."""
    due = []
    cycles = ReportingCycle.objects.filter(
        opens_on__lte=today,
        due_on__gte=today - _days(cfg.report_overdue_days + CATCH_UP_DAYS),
    )
    for cycle in cycles:
        kinds = progress_report_reminder_kinds(cycle, today, cfg)
        if not kinds:
            continue
        submitted = ProgressReport.objects.filter(cycle=cycle,
                                                  status=ProgressReport.Status.SUBMITTED)
        filed = submitted.filter(entity_id=F("pledge__entity_id")).values("pledge_id")
        covered = cycle.covered_pledges()
        for pledge_id in covered.exclude(pk__in=filed).values_list("pk", flat=True):
            due += [
                Due(kind, f"pledge:{pledge_id}/cycle:{cycle.pk}", cycle.due_on, pledge_id,
                    cycle.pk)
                for kind in kinds
            ]
        partners = (
            Partnership.objects.accepted()
            .filter(pledge__in=covered.values("pk"), entity__status=Entity.Status.APPROVED)
            .exclude(pledge__entity_id=F("entity_id"))
            .exclude(Exists(submitted.filter(pledge_id=OuterRef("pledge_id"),
                                             entity_id=OuterRef("entity_id"))))
            .values_list("pledge_id", "entity_id").distinct()
        )
        for pledge_id, entity_id in partners:
            due += [
                Due(kind, f"pledge:{pledge_id}/cycle:{cycle.pk}/entity:{entity_id}",
                    cycle.due_on, pledge_id, cycle.pk, entity_id)
                for kind in kinds
            ]
    return due


def digest_day(today: datetime.date, cfg: ReminderSettings) -> datetime.date:
    """The latest digest day on or before today."""
    return today - _days((today.weekday() - cfg.weekly_digest_weekday) % 7)


def _due_digest(today: datetime.date, cfg: ReminderSettings) -> list[Due]:
    day = digest_day(today, cfg)
    return [Due(K.WEEKLY_DIGEST, "secretariat", day)] if today < day + _days(CATCH_UP_DAYS) else []


def reminders_due(today: datetime.date, cfg: ReminderSettings) -> list[Due]:
    due = []
    if cfg.draft_untouched_enabled:
        due += _due_drafts(today, cfg)
    if cfg.changes_requested_enabled:
        due += _due_change_requests(today, cfg)
    due += _due_progress_reports(today, cfg)
    if cfg.weekly_digest_enabled:
        due += _due_digest(today, cfg)
    return due


# --- The weekly digest ------------------------------------------------------------


def weekly_digest_context(week_end: datetime.date) -> dict:
    """What happened in the seven days before `week_end`, and what is overdue now."""
    start = timezone.make_aware(datetime.datetime.combine(
        week_end - datetime.timedelta(days=7), datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(week_end, datetime.time.min))
    submissions = list(
        PledgeStatusChange.objects.filter(
            to_status=Pledge.Status.SUBMITTED, created_at__gte=start, created_at__lt=end
        ).select_related("pledge", "pledge__entity").order_by("created_at", "pk")
    )
    reports = list(
        ProgressReport.objects.filter(
            status=ProgressReport.Status.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end
        ).select_related("pledge", "pledge__entity", "cycle").order_by("submitted_at", "pk")
    )
    applications = list(
        Entity.objects.filter(applied_at__gte=start, applied_at__lt=end).order_by("applied_at")
    )
    published = list(
        Pledge.objects.filter(status=Pledge.Status.PUBLISHED).select_related("entity")
        .order_by("entity__name", "pk")
    )
    statuses = reporting_for_pledges(published)
    behind = [
        {"pledge": pledge, "reporting": statuses[pledge.pk]}
        for pledge in published
        if statuses[pledge.pk].status in (ReportingStatus.OVERDUE, ReportingStatus.INACTIVE)
    ]
    return {
        "period_start": week_end - datetime.timedelta(days=7),
        "period_end": week_end - datetime.timedelta(days=1),
        "submissions": submissions[:DIGEST_LIST_LIMIT],
        "submissions_count": len(submissions),
        "reports": reports[:DIGEST_LIST_LIMIT],
        "reports_count": len(reports),
        "applications": applications[:DIGEST_LIST_LIMIT],
        "applications_count": len(applications),
        "awaiting_vetting": Entity.objects.awaiting_vetting().count(),
        "awaiting_review": Pledge.objects.filter(status=Pledge.Status.SUBMITTED).count(),
        "behind": behind[:DIGEST_LIST_LIMIT],
        "behind_count": len(behind),
        "list_limit": DIGEST_LIST_LIMIT,
    }
