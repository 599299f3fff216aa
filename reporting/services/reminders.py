"""Reminders that never go out twice (DESIGN.md §3).

The database is the source of truth; Celery beat only wakes things up:

1. `reminders_create_due` (periodic) works out which reminders are due today and creates their
   rows with get_or_create: a row is unique per (what it is about, kind, date), so a second run,
   or a second beat, creates nothing. After commit it queues a send per pending row.
2. `reminder_deliver` (one task per row) claims the row by compare-and-set PENDING → SENDING
   and, in one short transaction that re-checks the claim, hands the reminder's emails to the
   outbox (p2c_portal.mail) and marks the row SENT. No network I/O inside: the outbox delivers
   after commit, each email once, retrying SMTP failures with backoff and recording FAILED.
   An error here puts the row back to PENDING; the task retries with backoff; after the last
   retry the row is FAILED, visible in the admin, where it can be sent again.
3. `reminders_sweep` (periodic) re-queues rows whose send was lost: PENDING rows never queued
   (the broker was down) or queued long ago, and SENDING rows whose worker died (claimed long
   ago: back to PENDING first). A send that wakes up late finds its claim taken and stops.

A reminder is created only within CATCH_UP_DAYS of the day it falls due: after an outage the
missed ones still go out, once, but a new installation does not mail about years-old drafts.
"""

import datetime
import logging
import uuid

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from p2c_portal.mail import SWEEP_STALE_AFTER_SECONDS, SWEEP_STUCK_AFTER_SECONDS, email_resend
from p2c_portal.queueing import task_enqueue

from ..models import Reminder, ReminderSettings
from ..selectors.reminders import reminders_due

logger = logging.getLogger(__name__)

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
                defaults={"pledge_id": item.pledge_id, "cycle_id": item.cycle_id},
            )
            created += was_created
        transaction.on_commit(queue_unqueued)
    if created:
        logger.info("reminders.created", extra={"count": created, "day": today.isoformat()})
    return created


def queue_unqueued() -> int:
    """Queue a send for every PENDING row never queued yet (just created, or its publish
    failed). A row queued twice is sent once: the send claims it."""
    queued = 0
    pending = Reminder.objects.filter(status=Reminder.Status.PENDING, queued_at__isnull=True)
    for reminder_id in pending.order_by("pk").values_list("pk", flat=True)[:500]:
        if not reminder_enqueue_send(reminder_id=reminder_id):
            break
        queued += 1
    return queued


def reminder_enqueue_send(*, reminder_id: int) -> bool:
    """Hand one reminder to Celery. Never raises: a broker outage only delays it.
    `queued_at` is stamped only once the broker has the task."""
    from ..tasks import reminder_send

    if not task_enqueue(reminder_send, reminder_id, event="reminder", reminder_id=reminder_id):
        return False
    Reminder.objects.filter(pk=reminder_id).update(queued_at=timezone.now())
    return True


# --- Sending one ------------------------------------------------------------


def reminder_deliver(*, reminder_id: int, today: datetime.date | None = None) -> bool:
    """Claim the row (PENDING → SENDING), hand its emails to the outbox and mark it SENT (or
    SKIPPED when it is no longer needed).

    Returns False when another worker had claimed it. Raises after putting the row back to
    PENDING, so that the task retries with backoff.
    """
    claim = reminder_claim(reminder_id=reminder_id)
    if claim is None:
        return False
    try:
        return reminder_hand_over(reminder_id=reminder_id, claim=claim, today=today)
    except Exception as error:
        Reminder.objects.filter(
            pk=reminder_id, status=Reminder.Status.SENDING, claim=claim
        ).update(
            status=Reminder.Status.PENDING,
            claim=None,
            attempts=F("attempts") + 1,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            # The task schedules its own retry now: the sweep leaves the row to that retry.
            queued_at=timezone.now(),
        )
        raise


def reminder_claim(*, reminder_id: int) -> uuid.UUID | None:
    """Compare-and-set PENDING → SENDING; the claim token, or None when someone else has it."""
    claim = uuid.uuid4()
    claimed = Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.SENDING, claimed_at=timezone.now(), claim=claim
    )
    return claim if claimed else None


def reminder_hand_over(*, reminder_id: int, claim: uuid.UUID,
                       today: datetime.date | None = None) -> bool:
    """In one transaction that re-checks the claim: render the emails into the outbox and mark
    the row SENT (or SKIPPED). A worker that lost its claim meanwhile (the sweep judged it dead
    and gave the row to another) changes nothing and returns False."""
    from ..emails import reminder_emails

    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_id)
        if reminder.status != Reminder.Status.SENDING or reminder.claim != claim:
            return False
        emails, skip_reason = reminder_emails(
            reminder, ReminderSettings.load(), today or timezone.localdate()
        )
        reminder.attempts += 1
        reminder.claim = None
        reminder.last_error = ""
        if skip_reason:
            reminder.status = Reminder.Status.SKIPPED
            reminder.skip_reason = skip_reason
        else:
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = timezone.now()
            reminder.emails.add(*emails)
        reminder.save()
    return True


def reminder_mark_failed(*, reminder_id: int) -> None:
    """After the last retry: FAILED, visible in the admin, resendable from there."""
    Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.FAILED
    )


def reminder_resend(*, reminder_id: int) -> int:
    """Secretariat: a FAILED reminder goes back to the queue; a sent one whose emails failed
    has those emails queued again. Returns how many things were queued."""
    reset = Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.FAILED).update(
        status=Reminder.Status.PENDING, last_error="", queued_at=None
    )
    if reset:
        transaction.on_commit(lambda: reminder_enqueue_send(reminder_id=reminder_id))
        return 1
    from p2c_portal.models import OutboundEmail

    failed = Reminder.emails.through.objects.filter(
        reminder_id=reminder_id, outboundemail__status=OutboundEmail.Status.FAILED
    ).values_list("outboundemail_id", flat=True)
    return sum(email_resend(email_id=email_id) for email_id in list(failed))


# --- The sweep ------------------------------------------------------------


def reminders_sweep(
    *,
    stale_after_seconds: int = SWEEP_STALE_AFTER_SECONDS,
    stuck_after_seconds: int = SWEEP_STUCK_AFTER_SECONDS,
) -> int:
    """Re-queue reminders whose send was lost (broker down at enqueue, worker killed).
    Stops at the first publish that fails. Returns how many were queued."""
    now = timezone.now()
    Reminder.objects.filter(
        status=Reminder.Status.SENDING,
        claimed_at__lt=now - datetime.timedelta(seconds=stuck_after_seconds),
    ).update(status=Reminder.Status.PENDING, queued_at=None, claim=None)
    stale = Reminder.objects.filter(status=Reminder.Status.PENDING).filter(
        Q(queued_at__isnull=True)
        | Q(queued_at__lt=now - datetime.timedelta(seconds=stale_after_seconds))
    )
    queued = 0
    for reminder_id in stale.order_by("created_at", "pk").values_list("pk", flat=True)[:500]:
        if not reminder_enqueue_send(reminder_id=reminder_id):
            break
        queued += 1
    return queued
