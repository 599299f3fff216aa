"""Every write to a progress report: save a draft (keeping what did not validate, as typed),
submit it, and the secretariat's hide / show again."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Entity
from p2c_portal.locale_formats import format_date
from p2c_portal.mail import email_send_templated
from p2c_portal.typed_input import storable_typed_input
from pledges.member_selectors import pledge_contacts
from pledges.models import Pledge
from pledges.partnership_selectors import partner_contacts
from pledges.services import EditConflict, usd_equivalent

from .. import permissions
from ..models import ProgressReport, ProgressReportEvent, ReportingCycle, TargetProgress

__all__ = ["EditConflict", "IncompleteProgressReport", "ReportingError"]

MAX_EVIDENCE_LINKS = 10


class ReportingError(Exception):
    """A refused change; the message is safe to show."""


class IncompleteProgressReport(ReportingError):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(_("The progress report is not complete yet."))


CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this progress report since you opened it. Your changes were not saved "
    "over theirs: reload the page to see the current version, then make your changes again."
)


def cycle_problem(pledge: Pledge, cycle: ReportingCycle, today: datetime.date | None = None):
    """Why the pledge cannot report in this cycle today (a message to show), or None."""
    today = today or timezone.localdate()
    if today < cycle.opens_on:
        return _("Reporting for “%(cycle)s” opens on %(date)s.") % {
            "cycle": cycle.name, "date": _format_date(cycle.opens_on)}
    if cycle.closes_on is not None and today > cycle.closes_on:
        return _("Reporting for “%(cycle)s” closed on %(date)s: reports are no longer "
                 "accepted.") % {"cycle": cycle.name, "date": _format_date(cycle.closes_on)}
    if not cycle.covers(pledge):
        return _("This pledge does not report in “%(cycle)s”: a cycle covers pledges that are "
                 "published (not completed or withdrawn), were published by the end of its "
                 "period and started before it ended.") % {"cycle": cycle.name}
    return None


def _format_date(day: datetime.date) -> str:
    return format_date(day)


def missing_for_submission(report: ProgressReport, pledge: Pledge) -> list[str]:
    """What must be filled in before a report can be submitted (labels to show)."""
    missing = []
    if not report.implementation_status:
        missing.append(_("Implementation status"))
    if report.percent_complete is None:
        missing.append(_("Percentage complete"))
    values = {row.target_id: row.achieved_value for row in report.target_progress.all()}
    for target in pledge.targets.all():
        if values.get(target.pk) is None:
            missing.append(_("Value achieved for “%(indicator)s”") % {"indicator":
                                                                          target.indicator})
    # The pledging entity accounts for the pledge's money; a partner may state what it disbursed.
    if (pledge.pledge_type == "financial" and report.amount_disbursed is None
            and report.entity_id == pledge.entity_id):
        missing.append(_("Amount disbursed so far"))
    if not report.narrative.strip():
        missing.append(_("What happened"))
    if report.unsaved_input:
        missing.append(_("Values that are not valid yet (marked on the form)"))
    return missing


def _load_pledge_and_cycle(*, user, pledge_id: int, cycle_id: int, entity_id: int | None = None):
    """The pledge, the cycle and the entity the report is filed for (the pledging entity when
    `entity_id` is None), once the person may file it."""
    pledge = Pledge.objects.select_related("entity").get(pk=pledge_id)
    entity = (pledge.entity if entity_id is None or entity_id == pledge.entity_id
              else Entity.objects.get(pk=entity_id))
    if not permissions.can_report_progress(user, pledge, entity):
        raise permissions.PermissionDenied(
            _("Only administrators and editors of the pledging entity, or of an accepted "
              "partner, report its progress.")
        )
    cycle = ReportingCycle.objects.get(pk=cycle_id)
    return pledge, cycle, entity


@transaction.atomic
def progress_report_save(
    *, user, pledge_id: int, cycle_id: int, values: dict[str, Any],
    target_values: dict[int, Decimal | None], raw_input: dict | None, expected_version: int,
    entity_id: int | None = None,
) -> ProgressReport:
    """Save the valid values of the progress form as a draft; keep the whole form as typed
    when something did not validate (`raw_input`, None when all is well).

    `values` and `target_values` (target id → achieved value) hold only what validated.
    `expected_version` is the version the person loaded, 0 for a report not started yet.
    `entity_id`: the accepted partner filing its own share; None for the pledging entity.
    """
    pledge, cycle, entity = _load_pledge_and_cycle(
        user=user, pledge_id=pledge_id, cycle_id=cycle_id, entity_id=entity_id)
    report = (ProgressReport.objects.select_for_update()
              .filter(pledge=pledge, cycle=cycle, entity=entity).first())
    if report is not None and report.status == ProgressReport.Status.SUBMITTED:
        raise ReportingError(_("This progress report has already been submitted."))
    problem = cycle_problem(pledge, cycle)
    if problem:
        raise ReportingError(problem)
    if expected_version != (report.version if report else 0):
        raise EditConflict(str(CONFLICT_MESSAGE))
    if report is None:
        report = ProgressReport(pledge=pledge, cycle=cycle, entity=entity, created_by=user,
                                version=0)
    for name in ("implementation_status", "narrative"):
        if name in values:
            setattr(report, name, values[name] or "")
    for name in ("percent_complete", "amount_disbursed"):
        if name in values:
            setattr(report, name, values[name])
    if "evidence_links" in values:
        report.evidence_links = list(values["evidence_links"] or [])[:MAX_EVIDENCE_LINKS]
    if "amount_disbursed" in values:
        report.currency = pledge.currency if report.amount_disbursed is not None else ""
        # At the rate the commitment was converted at (its month's), so that the share disbursed
        # compares like with like; pending while that month has no rate.
        report.usd_disbursed = usd_equivalent(report.amount_disbursed, report.currency,
                                              pledge.amount_month)[0]
    report.unsaved_input = storable_typed_input(raw_input)
    report.updated_by = user
    report.version += 1
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # started at the same moment by someone else
        raise EditConflict(str(CONFLICT_MESSAGE)) from None
    _save_target_values(report, pledge, target_values)
    return report


def _save_target_values(report: ProgressReport, pledge: Pledge, target_values) -> None:
    """One row per current target, its indicator/unit/values copied; rows of targets that are
    gone are dropped (a draft follows the pledge's current targets)."""
    existing = {row.target_id: row for row in report.target_progress.all()}
    targets = list(pledge.targets.all())
    keep = []
    for position, target in enumerate(targets):
        row = existing.get(target.pk) or TargetProgress(report=report, target=target)
        row.indicator, row.unit = target.indicator, target.unit
        row.baseline, row.target_value = target.baseline, target.target_value
        row.position = position
        if target.pk in target_values:
            row.achieved_value = target_values[target.pk]
        row.save()
        keep.append(row.pk)
    report.target_progress.exclude(pk__in=keep).delete()


@transaction.atomic
def progress_report_submit(*, user, report_id: int, expected_version: int) -> ProgressReport:
    report = ProgressReport.objects.select_for_update().get(pk=report_id)
    pledge, cycle, _entity = _load_pledge_and_cycle(
        user=user, pledge_id=report.pledge_id, cycle_id=report.cycle_id,
        entity_id=report.entity_id,
    )
    if report.status == ProgressReport.Status.SUBMITTED:
        raise ReportingError(_("This progress report has already been submitted."))
    if report.version != expected_version:
        raise EditConflict(str(CONFLICT_MESSAGE))
    problem = cycle_problem(pledge, cycle)
    if problem:
        raise ReportingError(problem)
    missing = missing_for_submission(report, pledge)
    if missing:
        raise IncompleteProgressReport(missing)
    report.status = ProgressReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.updated_by = user
    report.version += 1
    report.save()
    ProgressReportEvent.objects.create(
        report=report, action=ProgressReportEvent.Action.SUBMITTED, actor=user
    )
    return report


@transaction.atomic
def progress_report_hide(*, actor, report_id: int, reason: str) -> ProgressReport:
    """Secretariat: take an inappropriate report off the public page, with a reason that is
    kept in the audit trail and emailed to the entity."""
    if not permissions.can_hide_progress_report(actor):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError(_("A reason is required to hide a progress report."))
    report = (
        ProgressReport.objects.select_for_update()
        .select_related("pledge", "pledge__entity", "cycle").get(pk=report_id)
    )
    if report.hidden_at is not None:
        raise ReportingError(_("This progress report is already hidden."))
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ReportingError(_("Only a submitted progress report can be hidden."))
    report.hidden_at = timezone.now()
    report.hidden_by = actor
    report.hidden_reason = reason
    report.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    ProgressReportEvent.objects.create(
        report=report, action=ProgressReportEvent.Action.HIDDEN, actor=actor, message=reason
    )
    recipients = (pledge_contacts(report.pledge, administrators_too=True)
                  if report.entity_id == report.pledge.entity_id
                  else partner_contacts(report.entity_id))
    for user in recipients:
        email_send_templated(
            template="reporting/report_hidden",
            to=[user.email],
            context={"report": report, "pledge": report.pledge, "cycle": report.cycle,
                     "reason": reason, "recipient": user,
                     "SECRETARIAT_EMAIL": settings.SECRETARIAT_EMAIL},
            language=user.preferred_language,
        )
    return report


@transaction.atomic
def progress_report_show(*, actor, report_id: int, message: str = "") -> ProgressReport:
    """Secretariat: put a hidden report back on the public page (audited)."""
    if not permissions.can_hide_progress_report(actor):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    report = ProgressReport.objects.select_for_update().get(pk=report_id)
    if report.hidden_at is None:
        raise ReportingError(_("This progress report is not hidden."))
    report.hidden_at = None
    report.hidden_by = None
    report.hidden_reason = ""
    report.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    ProgressReportEvent.objects.create(
        report=report, action=ProgressReportEvent.Action.SHOWN, actor=actor,
        message=(message or "").strip(),
    )
    return report
