"""The reminder emails, one function per kind. Each checks that the reminder is still needed
(a draft touched since, a report filed meanwhile…), then renders one email per recipient in
their language through p2c_portal.mail (templates/emails/reporting/<kind>_*.txt).

Called by reporting.reminders.reminder_deliver inside its transaction: nothing here sends;
the outbox delivers after commit.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from p2c_portal.mail import email_send_templated
from p2c_portal.models import OutboundEmail
from pledges.models import Pledge, PledgeStatusChange

from .models import ProgressReport, Reminder, ReminderSettings
from .selectors import ReportingStatus, pledge_contacts, reporting_for_pledges

K = Reminder.Kind
Skip = Reminder.SkipReason
DIGEST_LIST_LIMIT = 50


def reminder_emails(
    reminder: Reminder, cfg: ReminderSettings, today: datetime.date
) -> tuple[list[OutboundEmail], str]:
    """(emails queued, "") or ([], why it is not sent)."""
    from .reminders import kind_enabled

    if not kind_enabled(reminder.kind, cfg):
        return [], Skip.TURNED_OFF
    compose = {
        K.DRAFT_UNTOUCHED: _draft_untouched,
        K.CHANGES_REQUESTED: _changes_requested,
        K.REPORT_DUE_SOON: _report_reminder,
        K.REPORT_DUE_TODAY: _report_reminder,
        K.REPORT_OVERDUE: _report_reminder,
        K.WEEKLY_DIGEST: _weekly_digest,
    }[reminder.kind]
    return compose(reminder, cfg, today)


def _to_each(template: str, people, context: dict) -> tuple[list[OutboundEmail], str]:
    if not people:
        return [], Skip.NO_RECIPIENT
    return [
        email_send_templated(
            template=f"reporting/{template}",
            to=[person.email],
            context={**context, "recipient": person},
            language=person.preferred_language,
        )
        for person in people
    ], ""


def _pledge(reminder: Reminder) -> Pledge | None:
    return Pledge.objects.select_related("entity").filter(pk=reminder.pledge_id).first()


def _draft_untouched(reminder, cfg, today):
    pledge = _pledge(reminder)
    if (pledge is None or pledge.status != Pledge.Status.DRAFT
            or pledge.updated_at > reminder.created_at):
        return [], Skip.DONE
    return _to_each("draft_untouched", pledge_contacts(pledge), {
        "pledge": pledge,
        "last_change": timezone.localdate(pledge.updated_at),
        "days": (today - timezone.localdate(pledge.updated_at)).days,
    })


def _changes_requested(reminder, cfg, today):
    pledge = _pledge(reminder)
    if pledge is None or pledge.status != Pledge.Status.CHANGES_REQUESTED:
        return [], Skip.DONE
    request = (
        PledgeStatusChange.objects.filter(pledge=pledge,
                                          to_status=Pledge.Status.CHANGES_REQUESTED)
        .order_by("-created_at", "-pk").first()
    )
    if request is None or request.created_at > reminder.created_at:
        return [], Skip.DONE
    return _to_each("changes_requested", pledge_contacts(pledge, administrators_too=True), {
        "pledge": pledge,
        "message": request.message,
        "requested_on": timezone.localdate(request.created_at),
        "days": (today - timezone.localdate(request.created_at)).days,
    })


def _report_reminder(reminder, cfg, today):
    pledge = _pledge(reminder)
    cycle = reminder.cycle
    if pledge is None or cycle is None or not cycle.covers(pledge):
        return [], Skip.DONE
    report = ProgressReport.objects.filter(pledge=pledge, cycle=cycle).first()
    if report is not None and report.status == ProgressReport.Status.SUBMITTED:
        return [], Skip.DONE
    # A reminder sent late (after an outage) must still say something true.
    still_true = {
        K.REPORT_DUE_SOON: cycle.opens_on <= today < cycle.due_on,
        K.REPORT_DUE_TODAY: today == cycle.due_on,
        K.REPORT_OVERDUE: today > cycle.due_on and cycle.accepts_reports_on(today),
    }[reminder.kind]
    if not still_true:
        return [], Skip.DONE
    overdue = reminder.kind == K.REPORT_OVERDUE
    return _to_each(reminder.kind, pledge_contacts(pledge, administrators_too=overdue), {
        "pledge": pledge,
        "cycle": cycle,
        "report": report,
        "days_left": (cycle.due_on - today).days,
        "days_late": (today - cycle.due_on).days,
    })


def weekly_digest_context(week_end: datetime.date) -> dict:
    """What happened in the seven days before `week_end`, and what is overdue now."""
    from members.models import Entity

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


def _weekly_digest(reminder, cfg, today):
    return [email_send_templated(
        template="reporting/weekly_digest",
        to=[settings.SECRETARIAT_EMAIL],
        context=weekly_digest_context(reminder.due_on),
        language=settings.LANGUAGE_CODE,
    )], ""
