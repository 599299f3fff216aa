"""Celery tasks of the import desk. Scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from . import admin_desk


@shared_task
def import_files_remove_abandoned() -> int:
    return admin_desk.import_files_remove_abandoned()
