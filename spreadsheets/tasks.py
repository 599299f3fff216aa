"""Celery tasks of the import desk. Scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from p2c_portal.jobs import JobTask

from . import admin_desk, services


@shared_task
def import_files_remove_abandoned() -> int:
    return admin_desk.import_files_remove_abandoned()


# A big file's preview or confirmed import. It claims its job: a second delivery of the same
# message finds nothing to do. An error fails the job for good (it would fail again).
@shared_task(base=JobTask, jobs=services.IMPORT_JOBS,
             soft_time_limit=services.IMPORT_JOB_TIME_LIMIT_SECONDS,
             time_limit=services.IMPORT_JOB_TIME_LIMIT_SECONDS + 60)
def import_job_run(job_id: int) -> bool:
    return admin_desk.import_job_run(job_id=job_id)


@shared_task
def import_jobs_sweep() -> int:
    return services.import_jobs_sweep()
