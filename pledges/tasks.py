"""Celery tasks of pledges: they take ids and call one service (DESIGN.md §3)."""

from celery import shared_task

from . import import_drafts


@shared_task
def imported_drafts_invite(file_import_id: int) -> int:
    return import_drafts.imported_drafts_invite(file_import_id=file_import_id)


@shared_task
def imported_drafts_sweep() -> int:
    return import_drafts.imported_drafts_sweep()
