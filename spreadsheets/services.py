"""The writes of the spreadsheets app: a previewed file's one-time confirmation, the
background jobs of big files, and the column mappings the secretariat saves."""

import datetime

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from p2c_portal.jobs import JobKind

from .models import ColumnMapping, FileImport, ImportJob, headings_signature

# A preview not confirmed within a day is abandoned (its file is deleted too).
ABANDONED_AFTER = datetime.timedelta(days=1)


class AlreadyImported(Exception):
    """The preview's token was consumed by an earlier (or a concurrent, now finished)
    confirmation: nothing is imported a second time."""

    def __init__(self, file_import: FileImport):
        self.file_import = file_import
        super().__init__(f"file import {file_import.pk} was already imported")


class UnknownPreview(Exception):
    """No preview of this kind has this token (forged, or of another model's import)."""


def file_import_preview(*, model: str, file_name: str, stored_name: str, file_format: int,
                        user) -> FileImport:
    """A file whose preview found nothing wrong: its one-time confirmation token. Previews never
    confirmed are forgotten after a day, as their files are (admin_desk.ImportFileStorage)."""
    FileImport.objects.filter(
        status=FileImport.Status.PREVIEWED, previewed_at__lt=timezone.now() - ABANDONED_AFTER
    ).delete()
    return FileImport.objects.create(
        model=model, file_name=file_name[:255], stored_name=stored_name, file_format=file_format,
        previewed_by=user if getattr(user, "is_authenticated", False) else None,
    )


def file_import_claim(*, token: str, model: str, user) -> FileImport:
    """Consume the preview's token: PREVIEWED → IMPORTED by a conditional UPDATE, which must run
    in the import's own transaction (so that a failed import gives the token back).

    A concurrent confirmation's UPDATE waits on the row lock until this transaction ends, then
    matches nothing: AlreadyImported. Raises UnknownPreview for a token that is no preview."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("file_import_claim runs inside the import's transaction")
    claimed = FileImport.objects.filter(
        token=token, model=model, status=FileImport.Status.PREVIEWED
    ).update(
        status=FileImport.Status.IMPORTED, imported_at=timezone.now(),
        imported_by=user if getattr(user, "is_authenticated", False) else None,
    )
    file_import = FileImport.objects.filter(token=token, model=model).first()
    if file_import is None:
        raise UnknownPreview(token)
    if not claimed:
        raise AlreadyImported(file_import)
    return file_import


def file_import_record_outcome(*, file_import: FileImport, outcome: dict) -> None:
    """What the confirmation imported, in its transaction (the result page reads it)."""
    file_import.outcome = outcome
    file_import.save(update_fields=["outcome"])


@transaction.atomic
def column_mapping_save(*, user, target: str, name: str, mapping: dict[str, str]) -> ColumnMapping:
    """Save (or replace) the mapping of the files of `target` with these headings: the next
    file with the same set of headings is read the same way. `mapping`: heading key → column
    name, "" for a column that is ignored. Only staff who may import into `target` may."""
    app_label, _dot, model_name = target.partition(".")
    if not (getattr(user, "is_staff", False)
            and user.has_perm(f"{app_label}.import_{model_name}")):
        raise PermissionDenied  # only who may import into `target` decides how files are read
    keys = sorted(mapping)
    saved, _created = ColumnMapping.objects.select_for_update().update_or_create(
        target=target,
        signature=headings_signature(keys),
        defaults={
            "name": name.strip()[:200],
            "headings": keys,
            "mapping": dict(mapping),
            "saved_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    return saved


# --- Big files in the background (spreadsheets.tasks.import_job_run) -------------------------

# The task's soft time limit; the hard one is a minute longer. A job holds its row for longer
# than that (its lease): the import's transaction hides any renewal until it ends.
IMPORT_JOB_TIME_LIMIT_SECONDS = 1500
IMPORT_JOBS = JobKind(
    ImportJob,
    task="spreadsheets.tasks.import_job_run",
    event="import_job",
    running=ImportJob.Status.RUNNING,
    lease=datetime.timedelta(seconds=IMPORT_JOB_TIME_LIMIT_SECONDS + 300),
    requeue_after=datetime.timedelta(minutes=10),
    error_field="error",
    sweep_batch=50,
)


def import_job_preview(*, model: str, file_name: str, stored_name: str, form_data: dict,
                       layout: str, rows_total: int, user) -> ImportJob:
    """The preview of a big file, worked by a task: the job already asked for this file and
    layout (a reload, the next page of problems) unless it failed, else a new one."""
    earlier = ImportJob.objects.filter(
        kind=ImportJob.Kind.PREVIEW, model=model, stored_name=stored_name, layout=layout,
    ).exclude(status=ImportJob.Status.FAILED).order_by("-created_at", "-pk").first()
    if earlier is not None:
        return earlier
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.PREVIEW, model=model, file_name=file_name[:255],
        stored_name=stored_name, form_data=form_data, layout=layout, rows_total=rows_total,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    IMPORT_JOBS.enqueue_on_commit(job.pk)
    return job


@transaction.atomic
def import_job_confirm(*, file_import: FileImport, form_data: dict, rows_total: int,
                       user) -> ImportJob:
    """The confirmed import of a big file's preview, worked by a task; a second confirmation
    of the same preview finds the first one's job (the task claims the token once anyway)."""
    job, created = ImportJob.objects.get_or_create(
        kind=ImportJob.Kind.CONFIRM, file_import=file_import,
        defaults={
            "model": file_import.model, "file_name": file_import.file_name,
            "stored_name": file_import.stored_name, "form_data": form_data,
            "rows_total": rows_total,
            "requested_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    if created:
        IMPORT_JOBS.enqueue_on_commit(job.pk)
    return job


def _progress_key(job_id: int) -> str:
    return f"spreadsheets:import-job:{job_id}:rows-done"


def import_job_progress_set(*, job_id: int, rows_done: int) -> None:
    """How many rows the task has read. In the cache, not the row: the import's transaction
    would hide it until the end. Lost with the cache, the page shows 0 until the next row."""
    cache.set(_progress_key(job_id), rows_done, timeout=IMPORT_JOB_TIME_LIMIT_SECONDS + 300)


def import_job_progress(job_id: int) -> int:
    return int(cache.get(_progress_key(job_id)) or 0)


def import_jobs_sweep(*, now: datetime.datetime | None = None) -> int:
    """Jobs whose worker died go back to PENDING (their transaction rolled back: nothing was
    imported); PENDING jobs whose task was lost are queued again. Jobs ended a day ago are
    forgotten with their reports, as their files and previews are (what a confirmation imported
    stays on its FileImport). Returns how many jobs were queued."""
    now = now or timezone.now()
    ImportJob.objects.filter(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED],
        finished_at__lt=now - ABANDONED_AFTER,
    ).delete()
    return IMPORT_JOBS.sweep(now=now)
