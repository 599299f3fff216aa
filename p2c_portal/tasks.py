from celery import shared_task

from .jobs import JobTask
from .mail import EMAIL_JOBS, email_deliver, email_sweep


@shared_task(base=JobTask, jobs=EMAIL_JOBS)
def outbound_email_deliver(email_id: int) -> bool:
    return email_deliver(email_id=email_id)


@shared_task
def outbound_email_sweep() -> int:
    return email_sweep()
