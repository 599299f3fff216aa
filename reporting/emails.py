"""The reminder emails, one function per kind. Each checks that the reminder is still needed
(a draft touched since, a report filed meanwhile…), then renders one email per recipient in
their language through p2c_portal.mail (templates/emails/reporting/<kind>_*.txt).

Called by reporting.services.reminders.reminder_hand_over inside its transaction: nothing here
sends; the outbox delivers after commit.
"""

import datetime

from django.utils import timezone

from members.models import Entity
from p2c_portal.mail import email_send_templated, email_to_secretariat
from p2c_portal.models import OutboundEmail
from pledges.member_selectors import pledge_contacts
from pledges.models import Partnership, Pledge, PledgeStatusChange
from pledges.partnership_selectors import partner_contacts

from .models import ProgressReport, Reminder, ReminderSettings
from .selectors.reminders import weekly_digest_context

K = Reminder.Kind
Skip = Reminder.SkipReason


def reminder_emails(
    reminder: Reminder, cfg: ReminderSettings, today: datetime.date
) -> tuple[list[OutboundEmail], str]:
    """(emails queued, "") or ([], why it is not sent)."""
    if not cfg.is_enabled(reminder.kind):
        return [], Skip.TURNED_OFF
    compose = {
        K.DRAFT_UNTOUCHED: _draft_untouched,
        K.CHANGES_REQUESTED: _changes_requested,
        K.REPORT_DUE_SOON: _progress_report_reminder,
        K.REPORT_DUE_TODAY: _progress_report_reminder,
        K.REPORT_OVERDUE: _progress_report_reminder,
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


def _progress_report_reminder(reminder, cfg, today):
    """To the pledging entity's contacts, or (a reminder with an entity) to the administrators
    and editors of a partner about its own share, while it is still an accepted partner."""
    pledge = _pledge(reminder)
    cycle = reminder.cycle
    if pledge is None or cycle is None or not cycle.covers(pledge):
        return [], Skip.DONE
    partner = reminder.entity_id is not None and reminder.entity_id != pledge.entity_id
    if partner and not Partnership.objects.accepted().filter(
            pledge=pledge, entity_id=reminder.entity_id,
            entity__status=Entity.Status.APPROVED).exists():
        return [], Skip.DONE
    report = ProgressReport.objects.filter(
        pledge=pledge, cycle=cycle,
        entity_id=reminder.entity_id if partner else pledge.entity_id).first()
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
    recipients = (partner_contacts(reminder.entity_id) if partner
                  else pledge_contacts(pledge, administrators_too=overdue))
    return _to_each(reminder.kind, recipients, {
        "pledge": pledge,
        "partner": reminder.entity if partner else None,
        "cycle": cycle,
        "report": report,
        "days_left": (cycle.due_on - today).days,
        "days_late": (today - cycle.due_on).days,
    })


def _weekly_digest(reminder, cfg, today):
    return [email_to_secretariat(
        template="reporting/weekly_digest",
        context=weekly_digest_context(reminder.due_on),
    )], ""
