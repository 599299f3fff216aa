"""Celery tasks of following: they take ids and call one service (DESIGN.md §3). Scheduled in
settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from p2c_portal.jobs import JobTask

from . import services


@shared_task
def digests_create_due() -> int:
    return services.digests_create_due()


@shared_task(base=JobTask, jobs=services.DIGEST_JOBS)
def digest_send(digest_id: int) -> bool:
    return services.digest_deliver(digest_id=digest_id)


@shared_task
def digests_sweep() -> int:
    return services.digests_sweep()
