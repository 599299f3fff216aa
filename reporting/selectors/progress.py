"""Reads for progress reporting: each pledge's reporting status (computed, never stored), the
public progress timeline, and the member's progress reports. Query counts do not grow with the
number of pledges, cycles or progress reports."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Entity
from pledges.member_selectors import pledge_get_for_member
from pledges.models import Partnership, Pledge
from pledges.partnership_selectors import accepted_partnership_for_member

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


CYCLE_TABLE = ReportingCycle._meta.db_table
# The cycles as of one version of their table (migration 0011): (version, every cycle, in the
# models' order). Shared by every thread of the process: read them, never change them.
_cycles_memo: tuple[int, list[ReportingCycle]] | None = None


def opened_cycles(today: datetime.date, versions: dict[str, int] | None = None
                  ) -> list[ReportingCycle]:
    """The cycles opened by `today`, latest due first. With `versions` (the rows of
    action_areas.reference_memo.versions_sql() a query of the caller's read, e.g. the pledge
    page's links): from the per-process memo while the cycles' version is the one read, else
    (and without a version: a database never migrated to 0011, or just flushed) one query."""
    global _cycles_memo
    version = (versions or {}).get(CYCLE_TABLE)
    if version is None:
        return list(ReportingCycle.objects.filter(opens_on__lte=today)
                    .order_by("-due_on", "-pk"))
    held = _cycles_memo
    if held is None or held[0] != version:
        # Read after the version: a write in between only makes the next request read again.
        held = (version, list(ReportingCycle.objects.order_by("-due_on", "-pk")))
        _cycles_memo = held
    return [cycle for cycle in held[1] if cycle.opens_on <= today]


def reporting_for_pledges(
    pledges: Iterable[Pledge], *, today: datetime.date | None = None,
    entity_id: int | None = None, has_reports: bool = True,
    versions: dict[str, int] | None = None,
) -> dict[int, PledgeReporting]:
    """The reporting status of each pledge, keyed by pledge id, in two queries (cycles opened so
    far, and these pledges' reports) however many pledges there are: the pledging entity's, or
    with `entity_id` that partner's own (each entity that reports owes its own report).

    - inactive: the two latest cycles whose due date has passed were both missed;
    - overdue: the latest cycle whose due date has passed was missed;
    - due: an opened cycle, not yet due, still waits for its report;
    - up to date: nothing is owed.
    A report counts once submitted (late ones too, and ones the secretariat hid).
    `has_reports` False: the caller knows these pledges have no report at all (one query).
    `versions`: the reference versions the caller read (opened_cycles): the cycles need no
    query while they have not changed.
    """
    today = _today(today)
    pledges = list(pledges)
    result = {p.pk: PledgeReporting(pledge_id=p.pk, status=None) for p in pledges}
    published = [p for p in pledges if p.status == Pledge.Status.PUBLISHED]
    if not published:
        return result
    cycles = opened_cycles(today, versions)
    reports: dict[tuple[int, int], ProgressReport] = {}
    if cycles and has_reports:
        for report in ProgressReport.objects.filter(
            pledge_id__in=[p.pk for p in published], cycle_id__in=[c.pk for c in cycles],
            entity_id=F("pledge__entity_id") if entity_id is None else entity_id,
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


def reporting_for_pledge(pledge: Pledge, *, today: datetime.date | None = None,
                         entity_id: int | None = None, has_reports: bool = True,
                         versions: dict[str, int] | None = None) -> PledgeReporting:
    return reporting_for_pledges([pledge], today=today, entity_id=entity_id,
                                 has_reports=has_reports, versions=versions)[pledge.pk]


def reporting_for_entity(entity_id: int, *, today=None) -> dict[int, PledgeReporting]:
    """Every pledge of one entity (My pledges, the member pledge page): three queries."""
    pledges = Pledge.objects.filter(entity_id=entity_id).only(*COVERAGE_FIELDS)
    return reporting_for_pledges(pledges, today=today)


def _shared_pledges(entity_id: int):
    """The published pledges of others in which the entity is an accepted partner."""
    return (Pledge.objects.filter(status=Pledge.Status.PUBLISHED,
                                  partnerships__entity_id=entity_id,
                                  partnerships__status=Partnership.Status.ACCEPTED,
                                  partnerships__entity__status=Entity.Status.APPROVED)
            .exclude(entity_id=entity_id))


def reporting_for_partner(entity_id: int, *, today=None) -> dict[int, PledgeReporting]:
    """The entity's own share of the pledges it takes part in (My pledges): three queries."""
    return reporting_for_pledges(_shared_pledges(entity_id).only(*COVERAGE_FIELDS),
                                 today=today, entity_id=entity_id)


def progress_reports_to_file_for_entity(
    entity_id: int, *, today: datetime.date | None = None
) -> list[tuple[Pledge, CycleToReport]]:
    """Every progress report an entity can file now and has not submitted yet, as (pledge,
    cycle to report) pairs, the earliest due first (the member dashboard): its own pledges, and
    its own share of the pledges it takes part in as an accepted partner. Three queries (two
    more when it takes part in others' pledges)."""
    pledges = list(
        Pledge.objects.filter(Q(entity_id=entity_id) | Q(pk__in=_shared_pledges(entity_id)),
                              status=Pledge.Status.PUBLISHED)
        .only(*COVERAGE_FIELDS, "title")
    )
    own = [pledge for pledge in pledges if pledge.entity_id == entity_id]
    shared = [pledge for pledge in pledges if pledge.entity_id != entity_id]
    reporting = reporting_for_pledges(own, today=today)
    due = [(pledge, item) for pledge in own for item in reporting[pledge.pk].to_file]
    if shared:  # the partner's own share of others' pledges
        reporting = reporting_for_pledges(shared, today=today, entity_id=entity_id)
        due += [(pledge, item) for pledge in shared for item in reporting[pledge.pk].to_file]
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


@dataclass
class TargetTotal:
    """What all the reporting entities achieved on one target together."""

    indicator: str
    unit: str
    achieved: Decimal
    entities: int


def achieved_by_target(entries: list[TimelineEntry]) -> list[TargetTotal]:
    """Per target, the sum over the reporting entities of each entity's own latest value (its
    latest cycle's report with a value): an entity's values of several cycles are cumulative
    and counted once, and entities that share delivery add their parts. Reads the timeline's
    rows, no query. Empty unless at least two entities reported values."""
    latest: dict[tuple[int, int], TargetProgress] = {}
    targets: dict[int, TargetProgress] = {}
    for entry in entries:  # latest cycle first
        for row in entry.targets:
            if row.target_id is None or row.achieved_value is None:
                continue
            latest.setdefault((row.target_id, entry.report.entity_id), row)
            targets.setdefault(row.target_id, row)
    if len({entity_id for _target, entity_id in latest}) < 2:
        return []
    totals = []
    for target_id, row in sorted(targets.items(), key=lambda item: (item[1].position, item[0])):
        values = [value.achieved_value for (t, _e), value in latest.items() if t == target_id]
        totals.append(TargetTotal(indicator=row.indicator, unit=row.unit,
                                  achieved=sum(values, Decimal(0)), entities=len(values)))
    return totals


def _disbursed_percent(report: ProgressReport, pledge: Pledge) -> int | None:
    if report.amount_disbursed is None or not pledge.amount or report.currency != pledge.currency:
        return None
    share = report.amount_disbursed / pledge.amount * 100
    return int(max(Decimal(0), min(Decimal(100), share)).to_integral_value())


def progress_timeline(pledge: Pledge) -> list[TimelineEntry]:
    """A pledge's submitted, visible reports, latest cycle first, each with the entity that filed
    it (the pledging entity or an approved partner) and its per-target values: two queries,
    however many reports, targets and partners."""
    if pledge.status not in (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED):
        return []
    reports = (
        ProgressReport.objects.public()
        .filter(pledge_id=pledge.pk)
        .exclude(entity__status=Entity.Status.SUSPENDED)
        .select_related("cycle", "entity")
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
        .exclude(entity__status=Entity.Status.SUSPENDED)
        .select_related("cycle", "entity")
        .prefetch_related(
            Prefetch("target_progress", queryset=TargetProgress.objects.order_by("position", "pk"))
        )
        .order_by("updated_at", "pk")
    )
    if changed_since is not None:
        reports = reports.filter(updated_at__gte=changed_since)
    return reports


# --- Member area ------------------------------------------------------------


def progress_report_get(pledge: Pledge, cycle: ReportingCycle,
                        entity_id: int | None = None) -> ProgressReport | None:
    """The report of the pledging entity (or of the partner `entity_id`) for a cycle, draft or
    submitted, with its target values."""
    return (
        ProgressReport.objects.filter(pledge=pledge, cycle=cycle,
                                      entity_id=entity_id or pledge.entity_id)
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


def progress_report_rows_for_member(pledge: Pledge, *, today=None,
                                    entity_id: int | None = None) -> list[CycleRow]:
    """Every opened cycle that covers the pledge or holds one of the reporting entity's reports
    (the pledging entity's, or the partner `entity_id`'s), latest first."""
    today = _today(today)
    reports = {r.cycle_id: r for r in ProgressReport.objects.filter(
        pledge=pledge, entity_id=entity_id or pledge.entity_id)}
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


def pledge_for_reporting(user, pledge_id: int,
                         acting_entity_id: int | None = None) -> tuple[Pledge, Partnership | None]:
    """The pledge whose progress pages `user` opens, and the accepted partnership they report
    through (None: they are a member of the pledging entity, or of the secretariat). Anyone
    else, and a partner whose partnership is invited, declined or ended, gets a 404."""
    try:
        return pledge_get_for_member(user, pledge_id), None
    except Http404:
        pass
    pledge = (Pledge.objects.select_related("entity").prefetch_related("targets")
              .filter(pk=pledge_id).first())
    partnership = (accepted_partnership_for_member(user, pledge, acting_entity_id)
                   if pledge is not None else None)
    if partnership is None:
        raise Http404
    return pledge, partnership
