"""Reminders that never go out twice (DESIGN.md §3), on the job machinery (p2c_portal.jobs).

The database is the source of truth; Celery beat only wakes things up:

1. `reminders_create_due` (periodic) works out which reminders are due today
   (reporting.selectors.reminders) and creates their rows with get_or_create: a row is unique
   per (what it is about, kind, date), so a second run, or a second beat, creates nothing.
   After commit it queues a send per pending row.
2. `reminder_deliver` (one task per row) claims the row (PENDING → SENDING) and, in one short
   transaction that re-checks the claim, hands the reminder's emails to the outbox
   (p2c_portal.mail) and marks the row SENT. No network I/O inside: the outbox delivers after
   commit, each email once, retrying SMTP failures with backoff and recording FAILED.
   An error here puts the row back to PENDING; the task retries with backoff; after the last
   retry the row is FAILED, visible in the admin, where it can be sent again.
3. `reminders_sweep` (periodic) re-queues rows whose send was lost: PENDING rows never queued
   (the broker was down) or queued long ago, and SENDING rows whose worker died (their lease
   expired: back to PENDING first; handing over is one transaction, so redoing it is safe).
   A send that wakes up late finds its claim taken and stops.
"""

import datetime
import logging
import uuid

from django.db import transaction
from django.utils import timezone

from p2c_portal.jobs import JobKind
from p2c_portal.mail import email_resend
from p2c_portal.models import OutboundEmail

from ..emails import reminder_emails
from ..models import Reminder, ReminderSettings
from ..selectors.reminders import reminders_due

logger = logging.getLogger(__name__)

REMINDER_JOBS = JobKind(
    Reminder,
    task="reporting.tasks.reminder_send",
    event="reminder",
    running=Reminder.Status.SENDING,
    # Longer than the send task's hard time limit (360 s).
    lease=datetime.timedelta(seconds=900),
    # Longer than the longest retry backoff (300 s).
    requeue_after=datetime.timedelta(seconds=600),
)


# --- Creating the rows ------------------------------------------------------------


def reminders_create_due(*, today: datetime.date | None = None) -> int:
    """Create today's due reminders (reruns create nothing) and queue every pending row that
    was never queued, after commit. Returns how many rows were created."""
    today = today or timezone.localdate()
    due = reminders_due(today, ReminderSettings.load())
    existing = set()
    keys = sorted({d.target_key for d in due})
    for start in range(0, len(keys), 500):
        existing |= set(
            Reminder.objects.filter(target_key__in=keys[start:start + 500])
            .values_list("target_key", "kind", "due_on")
        )
    created = 0
    with transaction.atomic():
        for item in due:
            if (item.target_key, item.kind, item.due_on) in existing:
                continue
            _reminder, was_created = Reminder.objects.get_or_create(
                target_key=item.target_key, kind=item.kind, due_on=item.due_on,
                defaults={"pledge_id": item.pledge_id, "cycle_id": item.cycle_id,
                          "entity_id": item.entity_id},
            )
            created += was_created
        transaction.on_commit(REMINDER_JOBS.enqueue_waiting)
    if created:
        logger.info("reminders.created", extra={"count": created, "day": today.isoformat()})
    return created


# --- Sending one ------------------------------------------------------------


def reminder_deliver(*, reminder_id: int, today: datetime.date | None = None) -> bool:
    """Claim the row (PENDING → SENDING), hand its emails to the outbox and mark it SENT (or
    SKIPPED when it is no longer needed).

    Returns False when another worker had claimed it. Raises after putting the row back to
    PENDING, so that the task retries with backoff.
    """
    return REMINDER_JOBS.work(
        reminder_id,
        lambda claim: reminder_hand_over(reminder_id=reminder_id, claim=claim, today=today),
        claimed_at=timezone.now(),
    )


def reminder_hand_over(*, reminder_id: int, claim: uuid.UUID,
                       today: datetime.date | None = None) -> bool:
    """In one transaction that re-checks the claim: render the emails into the outbox and mark
    the row SENT (or SKIPPED). A worker that lost its claim meanwhile (the sweep judged it dead
    and gave the row to another) changes nothing and returns False."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_id)
        if reminder.status != Reminder.Status.SENDING or reminder.claim != claim:
            return False
        emails, skip_reason = reminder_emails(
            reminder, ReminderSettings.load(), today or timezone.localdate()
        )
        if skip_reason:
            return REMINDER_JOBS.finish(reminder_id, claim, Reminder.Status.SKIPPED,
                                        skip_reason=skip_reason, last_error="")
        reminder.emails.add(*emails)
        return REMINDER_JOBS.finish(reminder_id, claim, Reminder.Status.SENT,
                                    sent_at=timezone.now(), last_error="")


def reminder_resend(*, reminder_id: int) -> int:
    """Secretariat: a FAILED reminder goes back to the queue; a sent one whose emails failed
    (or were cut off mid-send) has those emails queued again. Returns how many things were
    queued."""
    if REMINDER_JOBS.reset(reminder_id):
        return 1
    not_delivered = Reminder.emails.through.objects.filter(
        reminder_id=reminder_id,
        outboundemail__status__in=[OutboundEmail.Status.FAILED, OutboundEmail.Status.UNCERTAIN],
    ).values_list("outboundemail_id", flat=True)
    return sum(email_resend(email_id=email_id) for email_id in list(not_delivered))


# --- The sweep ------------------------------------------------------------


def reminders_sweep() -> int:
    """Re-queue reminders whose send was lost (broker down at enqueue, worker killed).
    Stops at the first publish that fails. Returns how many were queued."""
    return REMINDER_JOBS.sweep()
