"""Celery tasks of pledges: they take ids and call one service (DESIGN.md §3)."""

from celery import shared_task

from p2c_portal.jobs import JobTask

from . import rates


# A conversion claims its upload: a second delivery, or a second worker, finds nothing to do.
@shared_task(base=JobTask, jobs=rates.RATE_UPLOAD_JOBS, soft_time_limit=540, time_limit=600)
def currency_rate_upload_convert(upload_id: int) -> bool:
    return rates.currency_rate_upload_convert(upload_id=upload_id)


@shared_task
def currency_rate_uploads_sweep() -> int:
    return rates.rate_uploads_sweep()
