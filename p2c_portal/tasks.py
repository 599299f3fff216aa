from celery import shared_task

from .mail import email_deliver, email_mark_failed, email_sweep

# Backoff between SMTP attempts, in seconds: short enough that no ETA outlives a worker restart.
RETRY_BACKOFF = (30, 60, 120, 240, 300)


@shared_task(bind=True, max_retries=len(RETRY_BACKOFF), acks_late=True)
def outbound_email_deliver(self, email_id: int):
    try:
        email_deliver(email_id=email_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            email_mark_failed(email_id=email_id)
            return None
        countdown = RETRY_BACKOFF[self.request.retries]
        if self.request.is_eager:
            # In-process (no broker): Celery runs a *returned* retry at once. A raised one would
            # escape .delay() instead (eager tasks propagate their exceptions) and the email
            # would sit PENDING with no worker or beat to pick it up again.
            return self.retry(exc=error, countdown=countdown, throw=False)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task
def outbound_email_sweep() -> int:
    return email_sweep()
