from celery import shared_task

from .mail import email_deliver, email_mark_failed, email_sweep

# Backoff between SMTP attempts, in seconds: short enough that no ETA outlives a worker restart.
RETRY_BACKOFF = (30, 60, 120, 240, 300)


@shared_task(bind=True, max_retries=len(RETRY_BACKOFF), acks_late=True)
def outbound_email_deliver(self, email_id: int) -> None:
    try:
        email_deliver(email_id=email_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            email_mark_failed(email_id=email_id)
            return
        raise self.retry(exc=error, countdown=RETRY_BACKOFF[self.request.retries]) from error


@shared_task
def outbound_email_sweep() -> int:
    return email_sweep()
