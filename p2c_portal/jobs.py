"""The job machinery: background work that never does a thing twice (DESIGN.md §3).

Every kind of background job — an email to deliver, a reminder to send, a report to compile — is
a row first, and the database is the source of truth; Celery only carries nudges. A `JobKind`
says how one model's rows are worked, and every kind goes through the same steps:

    PENDING ──claim──▶ running ──finish──▶ done (SENT, SKIPPED, DONE…)
       ▲                 │  │
       └─────release─────┘  └──lease expired (the sweep)──▶ PENDING again, or `lost_status`
    PENDING ──give_up (after the last retry)──▶ FAILED ──reset (the secretariat)──▶ PENDING

- The kind's service creates the row, unique per its natural key (get_or_create: a rerun creates
  nothing), and queues its task after commit (`enqueue_on_commit`, through p2c_portal.queueing,
  which never raises: a broker outage only delays the job).
- A worker claims the row by compare-and-set (PENDING → running, with a fresh claim token and a
  lease) and stops if it claimed nothing: a second delivery of the task, a second worker or a
  second beat finds nothing to do. No transaction is held across network I/O. A long job renews
  its lease as it goes; it finishes with its token, so a worker presumed dead changes nothing.
- An error puts the row back to PENDING (`release`); the task (JobTask) retries with backoff,
  and after the last retry the row is FAILED, visible in the admin, where it can be reset.
- The sweep (periodic) takes back rows whose lease expired (their worker died) and queues the
  PENDING rows never queued (the broker was down) or queued long ago (the message was lost).

A job whose effect leaves our database and cannot be checked once cut off (an SMTP send: was the
message accepted?) is never redone by the sweep: its kind names a `lost_status` (UNCERTAIN)
where the row waits for a person, instead of PENDING.

A job model has `status` (with "pending", "failed" and the kind's running value), `attempts`,
`queued_at`, `claim` (UUID), `lease_until`, `created_at`, and an error text field.
"""

import datetime
import logging
import uuid
from collections.abc import Callable

from celery import Task
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .queueing import task_enqueue

logger = logging.getLogger(__name__)

PENDING = "pending"
FAILED = "failed"

# Backoff between the attempts of a failing job, in seconds: short enough that no ETA outlives a
# worker restart, and all of them far within the broker's visibility timeout (settings).
RETRY_BACKOFF = (30, 60, 120, 240, 300)

# Every kind of job, as it is declared (at import of its app's services): /metrics reports the
# rows of each by status (p2c_portal.metrics), with no list to keep by hand.
JOB_KINDS: list["JobKind"] = []


class JobKind:
    """How the rows of one model are worked as jobs.

    `task` is the dotted name of the Celery task that works one row (a JobTask): it is looked up
    by name when a row is queued, so that services never import their task modules (the tasks
    import the services). `lease` is how long a claim lasts unless renewed: longer than the
    task's hard time limit, or than the gap between two renewals of a long job.
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        task: str,
        event: str,
        running: str,
        lease: datetime.timedelta,
        requeue_after: datetime.timedelta,
        error_field: str = "last_error",
        lost_status: str = PENDING,
        sweep_batch: int = 500,
    ) -> None:
        self.model = model
        self.task_name = task
        self.event = event  # the prefix of the kind's log lines: "email.enqueue_failed"
        self.running = running
        self.lease = lease
        self.requeue_after = requeue_after
        self.error_field = error_field
        self.lost_status = lost_status
        self.sweep_batch = sweep_batch
        JOB_KINDS.append(self)

    @property
    def rows(self) -> models.QuerySet:
        return self.model._default_manager.all()

    # --- Queueing ---------------------------------------------------------------------------

    def enqueue(self, job_id: int) -> bool:
        """Hand one row to Celery. Never raises: a broker outage only delays the job.

        `queued_at` is stamped only once the broker has the task, so a row whose publish failed
        (queued_at still empty) is taken by the next sweep. Returns whether it was queued.
        """
        if not task_enqueue(import_string(self.task_name), job_id, event=self.event,
                            job_id=job_id):
            return False
        self.rows.filter(pk=job_id).update(queued_at=timezone.now())
        return True

    def enqueue_on_commit(self, job_id: int) -> None:
        """Queue the row once the transaction that created (or reset) it commits."""
        transaction.on_commit(lambda: self.enqueue(job_id))

    def enqueue_waiting(self, *, queued_before: datetime.datetime | None = None) -> int:
        """Queue the PENDING rows never queued (just created, or their publish failed) and, with
        `queued_before`, those queued before then (their message was lost), oldest first.

        A row queued twice is worked once: the work claims it. Stops at the first publish that
        fails (the broker is down again: the next sweep carries on). Returns how many were queued.
        """
        waiting = Q(queued_at__isnull=True)
        if queued_before is not None:
            waiting |= Q(queued_at__lt=queued_before)
        job_ids = list(
            self.rows.filter(waiting, status=PENDING)
            .order_by("created_at", "pk").values_list("pk", flat=True)[:self.sweep_batch]
        )
        queued = 0
        for job_id in job_ids:
            if not self.enqueue(job_id):
                break
            queued += 1
        return queued

    # --- Working one row ----------------------------------------------------------------------

    def claim(self, job_id: int, **also) -> uuid.UUID | None:
        """Compare-and-set PENDING → running with a fresh token and lease, counting an attempt
        (and setting `also`). The token, or None when the row was not PENDING: another worker
        has it, or it is done."""
        token = uuid.uuid4()
        claimed = self.rows.filter(pk=job_id, status=PENDING).update(
            status=self.running, claim=token, lease_until=timezone.now() + self.lease,
            attempts=F("attempts") + 1, **also,
        )
        return token if claimed else None

    def renew(self, job_id: int, claim: uuid.UUID, **also) -> bool:
        """Extend the lease while this worker still holds the row (a long job, between steps).
        False when the claim was taken over (the sweep presumed this worker dead): stop."""
        return bool(self.rows.filter(pk=job_id, status=self.running, claim=claim).update(
            lease_until=timezone.now() + self.lease, **also
        ))

    def finish(self, job_id: int, claim: uuid.UUID, status: str, **also) -> bool:
        """running → `status` (sent, skipped, done, or failed for good), only while this worker
        still holds the row. Returns whether it did."""
        return bool(self.rows.filter(pk=job_id, status=self.running, claim=claim).update(
            status=status, claim=None, lease_until=None, **also
        ))

    def release(self, job_id: int, claim: uuid.UUID, error: Exception) -> None:
        """After an error: back to PENDING, with the error, for the task's retry. The retry is
        on its way (queued_at now), so the sweep leaves the row to it for `requeue_after`."""
        self.rows.filter(pk=job_id, status=self.running, claim=claim).update(
            status=PENDING, claim=None, lease_until=None, queued_at=timezone.now(),
            **{self.error_field: f"{type(error).__name__}: {error}"[:2000]},
        )

    def work(self, job_id: int, do: Callable[[uuid.UUID], bool], **claim_also) -> bool:
        """Claim the row, then `do(claim)`: its result, or False at once when the row could not be
        claimed. An error releases the row and is raised again, for the task to retry."""
        claim = self.claim(job_id, **claim_also)
        if claim is None:
            logger.info(f"{self.event}.skipped", extra={"job_id": job_id})
            return False
        try:
            return do(claim)
        except Exception as error:
            self.release(job_id, claim, error)
            raise

    def give_up(self, job_id: int) -> None:
        """After the last retry: FAILED, visible in the admin, where it can be reset."""
        self.rows.filter(pk=job_id, status=PENDING).update(status=FAILED)

    def reset(self, job_id: int, *, from_statuses: tuple[str, ...] = (FAILED,), **also) -> bool:
        """The secretariat: a FAILED row (or one in `from_statuses`) back to PENDING, its error
        cleared, queued after commit. Returns whether it was reset."""
        reset = self.rows.filter(pk=job_id, status__in=from_statuses).update(
            status=PENDING, claim=None, lease_until=None, queued_at=None,
            **{self.error_field: ""}, **also,
        )
        if reset:
            self.enqueue_on_commit(job_id)
        return bool(reset)

    # --- The sweep ----------------------------------------------------------------------------

    def sweep(self, *, now: datetime.datetime | None = None) -> int:
        """Take back the rows whose lease expired, then queue the PENDING rows never queued or
        queued longer than `requeue_after` ago. Returns how many rows were queued."""
        now = now or timezone.now()
        self.recover_lost(self.rows.filter(status=self.running, lease_until__lt=now), now=now)
        return self.enqueue_waiting(queued_before=now - self.requeue_after)

    def recover_lost(self, lost: models.QuerySet, *, now: datetime.datetime) -> None:
        """Rows whose worker died while it held them (killed, out of memory, the machine went
        away): back to PENDING, to be worked again at once, or to `lost_status` when redoing
        the work could do its effect twice; those wait for a person."""
        if self.lost_status == PENDING:
            lost.update(status=PENDING, claim=None, lease_until=None, queued_at=None)
            return
        lost_ids = list(lost.values_list("pk", flat=True))
        if lost_ids:
            lost.filter(pk__in=lost_ids).update(
                status=self.lost_status, claim=None, lease_until=None
            )
            logger.warning(f"{self.event}.{self.lost_status}", extra={"job_ids": lost_ids})


class JobTask(Task):
    """The Celery base of every task that works one job row:

        @shared_task(base=JobTask, jobs=EMAIL_JOBS)
        def outbound_email_deliver(email_id: int) -> bool: ...

    The task's body works the row (through `jobs.work`) and raises on error, once the row is back
    to PENDING; this base retries it after RETRY_BACKOFF, and after the last retry marks the row
    FAILED. acks_late: a task whose worker died is delivered again, and finds its row claimed.
    """

    jobs: JobKind
    acks_late = True
    max_retries = len(RETRY_BACKOFF)

    def __call__(self, job_id: int, *args, **kwargs):
        # Celery's tracer calls a custom __call__ with the request already pushed; calling
        # `run` directly (not super()) keeps that request and its retry count.
        try:
            return self.run(job_id, *args, **kwargs)
        except Exception as error:
            if self.request.retries >= self.max_retries:
                self.jobs.give_up(job_id)
                return None
            countdown = RETRY_BACKOFF[self.request.retries]
            if self.request.is_eager:
                # In-process (no broker): Celery runs a *returned* retry at once. A raised one
                # would escape .delay() instead (eager tasks propagate their exceptions) and the
                # row would sit PENDING with no worker or beat to pick it up again.
                return self.retry(exc=error, countdown=countdown, throw=False)
            raise self.retry(exc=error, countdown=countdown) from error
