"""Celery tasks of pledges: they take ids and call one service (DESIGN.md §3)."""

from celery import shared_task

from p2c_portal.jobs import JobTask

from . import import_drafts, open_data_files, partnerships, rates


@shared_task
def imported_drafts_invite(file_import_id: int) -> int:
    return import_drafts.imported_drafts_invite(file_import_id=file_import_id)


@shared_task
def imported_drafts_sweep() -> int:
    return import_drafts.imported_drafts_sweep()


# A conversion claims its upload: a second delivery, or a second worker, finds nothing to do.
@shared_task(base=JobTask, jobs=rates.RATE_UPLOAD_JOBS, soft_time_limit=540, time_limit=600)
def currency_rate_upload_convert(upload_id: int) -> bool:
    return rates.currency_rate_upload_convert(upload_id=upload_id)


@shared_task
def currency_rate_uploads_sweep() -> int:
    return rates.rate_uploads_sweep()


@shared_task
def join_requests_expire() -> dict:
    return partnerships.join_requests_expire()


# Minutes of work at 100,000 pledges (12 files): the reports queue. Idempotent: the files of the
# current public set that exist are kept.
@shared_task(soft_time_limit=1500, time_limit=1600)
def open_data_files_build() -> int:
    return open_data_files.open_data_files_build()


@shared_task
def open_data_files_refresh() -> bool:
    """Queue a build when a file of the current public set is missing (debounced)."""
    if not open_data_files.open_data_files_missing():
        return False
    return open_data_files.open_data_files_rebuild_soon()
