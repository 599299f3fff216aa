"""Big files in the background (issue #16): a file above P2C_IMPORT_BACKGROUND_ROWS is previewed
and imported by a Celery task (run in-process here, as in `make run`), followed on a status page
followed by a static script (strict CSP); the confirmation keeps its one-time token, so the task run
twice imports once; a failure inside the task leaves nothing imported and says what failed."""

import datetime

import pytest
from django.core.files.storage import storages
from django.db import connection

from p2c_portal.celery import app as celery_app
from pledges.models import Pledge
from spreadsheets import services, tasks
from spreadsheets.models import FileImport, ImportJob
from tests.admin_import import csv_bytes, messages_of, problems, upload
from tests.pledges.test_import_confirm import (
    ADMIN,
    HEADINGS,
    PATH,
    FailingStatement,
    everything_imported,
    roundtable,
    row,
)
from tests.pledges.test_import_workbooks import relayout

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.P2C_IMPORT_BACKGROUND_ROWS = 3


def run_queued(callbacks) -> None:
    """What a worker does with the tasks the request queued (after its commit)."""
    for callback in callbacks:
        callback()


def preview_in_background(client, entity, django_capture_on_commit_callbacks, rows=6):
    with django_capture_on_commit_callbacks() as queued:
        response = upload(client, PATH, roundtable(entity, rows), "kigali.csv")
    job = ImportJob.objects.get(kind=ImportJob.Kind.PREVIEW)
    assert response.status_code == 302 and response["Location"] == f"{ADMIN}import/job/{job.pk}/"
    return job, queued


def test_a_file_at_the_threshold_is_still_previewed_in_the_request(secretariat_client, entity):
    preview = upload(secretariat_client, PATH, roundtable(entity, 3))
    assert preview.status_code == 200 and problems(preview) == []
    assert preview.context["confirm_form"]
    assert not ImportJob.objects.exists()


def test_a_big_file_is_previewed_by_a_task_and_its_page_shows_the_progress_then_the_preview(
    secretariat_client, entity, django_capture_on_commit_callbacks,
):
    job, queued = preview_in_background(secretariat_client, entity,
                                        django_capture_on_commit_callbacks)
    assert (job.status, job.rows_total, job.file_name) == ("pending", 6, "kigali.csv")
    status_url = f"{ADMIN}import/job/{job.pk}/"
    waiting = secretariat_client.get(status_url)
    page = waiting.content.decode()
    assert "Checking a big file" in page and "0 of 6 rows" in page
    # A static script follows the job (the strict CSP forbids inline script).
    assert '<script src="/static/js/import_job.js" defer></script>' in page
    assert "<script>" not in page
    services.import_job_progress_set(job_id=job.pk, rows_done=4)  # as the worker says
    assert "4 of 6 rows" in secretariat_client.get(status_url).content.decode()
    assert secretariat_client.get(f"{status_url}?progress=1").json() == {
        "running": True, "rows_done": 4, "rows_total": 6,
        "rows_done_text": "4", "rows_total_text": "6"}

    run_queued(queued)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.file_import is not None
    done = secretariat_client.get(status_url)
    assert done.status_code == 200
    assert "import_job.js" not in done.content.decode()
    assert secretariat_client.get(f"{status_url}?progress=1").json()["running"] is False
    assert done.context["report"]["new"] == 6 and problems(done) == []
    assert [r["record"].rsplit(" — ", 1)[-1] for r in done.context["report"]["rows"]] == [
        f"Pledge {n}" for n in range(6)]
    assert done.context["confirm_form"].initial["token"] == job.file_import.token
    assert Pledge.objects.count() == 0  # a preview imports nothing
    # Asking again for the same file and layout (a reload of the upload) reuses the job.
    again = secretariat_client.post(f"{ADMIN}import/", dict(job.form_data))
    assert again.status_code == 200 and ImportJob.objects.count() == 1


def test_the_problems_of_a_big_file_are_listed_when_its_task_is_done(
    secretariat_client, entity, django_capture_on_commit_callbacks,
):
    rows = [HEADINGS] + [row(entity, f"Pledge {n}") for n in range(4)] + [
        row(entity, "Nobody to reach", people="0")]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(secretariat_client, PATH, csv_bytes(rows))
    done = secretariat_client.get(response["Location"])
    assert problems(done) == [(6, "people_to_reach",
                               "Ensure this value is greater than or equal to 1.")]
    assert "confirm_form" not in done.context
    assert ImportJob.objects.get().file_import is None  # nothing to confirm
    # Another kind or page of problems, and the marked file, come from the same job's report:
    # the file is not checked again.
    only = relayout(secretariat_client, done, problems_kind="incomplete")
    assert only.status_code == 200 and only.context["problem_page"]["problems"] == []
    marked = secretariat_client.post(f"{ADMIN}import/problems/",
                                     done.context["stored_form"].initial)
    assert marked["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ImportJob.objects.count() == 1


def test_a_big_file_is_imported_by_a_task_once_even_when_the_task_runs_twice(
    secretariat_client, entity, django_capture_on_commit_callbacks,
):
    job, queued = preview_in_background(secretariat_client, entity,
                                        django_capture_on_commit_callbacks)
    run_queued(queued)
    preview = secretariat_client.get(f"{ADMIN}import/job/{job.pk}/")
    form = preview.context["confirm_form"].initial
    with django_capture_on_commit_callbacks() as queued:
        confirmed = secretariat_client.post(f"{ADMIN}process_import/", form)
        # A double click: the same job, nothing queued twice.
        clicked_again = secretariat_client.post(f"{ADMIN}process_import/", form)
    importing = ImportJob.objects.get(kind=ImportJob.Kind.CONFIRM)
    status_url = f"{ADMIN}import/job/{importing.pk}/"
    assert confirmed["Location"] == clicked_again["Location"] == status_url
    assert len(queued) == 1
    assert "Importing a big file" in secretariat_client.get(status_url).content.decode()
    assert everything_imported() == (0, 0, 0, 0)

    run_queued(queued)
    assert everything_imported() == (6, 6, 6, 6)
    # The same message delivered again: the job is done, nothing to claim.
    assert tasks.import_job_run(importing.pk) is False
    # Even the job itself redone (its worker presumed dead after it imported): the token was
    # consumed in the import's transaction, so nothing is imported a second time.
    ImportJob.objects.filter(pk=importing.pk).update(status=ImportJob.Status.PENDING)
    assert tasks.import_job_run(importing.pk) is True
    assert everything_imported() == (6, 6, 6, 6)
    file_import = FileImport.objects.get()
    assert file_import.status == FileImport.Status.IMPORTED
    result = secretariat_client.get(status_url, follow=True)
    assert result.redirect_chain[-1][0] == f"{ADMIN}import/{file_import.pk}/"
    assert "6 new, 0 updated, 0 unchanged." in result.content.decode()


def test_the_first_run_of_the_import_task_ends_on_the_import_result(
    secretariat_client, entity, django_capture_on_commit_callbacks,
):
    job, queued = preview_in_background(secretariat_client, entity,
                                        django_capture_on_commit_callbacks)
    run_queued(queued)
    form = secretariat_client.get(f"{ADMIN}import/job/{job.pk}/").context["confirm_form"].initial
    with django_capture_on_commit_callbacks(execute=True):
        confirming = secretariat_client.post(f"{ADMIN}process_import/", form)
    confirmed = secretariat_client.get(confirming["Location"], follow=True)
    file_import = FileImport.objects.get()
    assert confirmed.redirect_chain[-1][0] == f"{ADMIN}import/{file_import.pk}/"
    assert "Import finished: 6 new, 0 updated, 0 unchanged." in messages_of(confirmed)
    assert everything_imported() == (6, 6, 6, 6)


def test_a_failure_inside_the_import_task_leaves_nothing_and_the_page_says_what_failed(
    secretariat_client, entity, django_capture_on_commit_callbacks,
):
    job, queued = preview_in_background(secretariat_client, entity,
                                        django_capture_on_commit_callbacks)
    run_queued(queued)
    form = secretariat_client.get(f"{ADMIN}import/job/{job.pk}/").context["confirm_form"].initial
    with django_capture_on_commit_callbacks() as queued:
        secretariat_client.post(f"{ADMIN}process_import/", form)
    failing = FailingStatement('INSERT INTO "pledges_pledge_countries"')
    with connection.execute_wrapper(failing):
        run_queued(queued)
    assert failing.seen == 1  # it failed after the pledges were written
    importing = ImportJob.objects.get(kind=ImportJob.Kind.CONFIRM)
    assert everything_imported() == (0, 0, 0, 0)
    assert FileImport.objects.get().status == FileImport.Status.PREVIEWED  # token given back
    page = secretariat_client.get(f"{ADMIN}import/job/{importing.pk}/")
    assert "Nothing was imported: fix the rows below" in " ".join(messages_of(page))
    assert "the database failed on: INSERT INTO" in page.content.decode()
    assert "import_job.js" not in page.content.decode()


def test_a_task_that_cannot_finish_fails_with_what_failed(
    secretariat_client, entity, django_capture_on_commit_callbacks,
):
    job, queued = preview_in_background(secretariat_client, entity,
                                        django_capture_on_commit_callbacks)
    storages["import_export"].delete(f"imports/{job.stored_name}")  # removed as abandoned
    run_queued(queued)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and FileImport.objects.count() == 0
    page = secretariat_client.get(f"{ADMIN}import/job/{job.pk}/").content.decode()
    assert "The check of the file failed." in page
    assert "The uploaded file is no longer available" in page
    assert "import_job.js" not in page


def test_a_job_whose_worker_died_is_worked_again_by_the_sweep(
    secretariat_client, entity, django_capture_on_commit_callbacks, settings,
):
    job, _queued = preview_in_background(secretariat_client, entity,
                                         django_capture_on_commit_callbacks)
    assert services.IMPORT_JOBS.claim(job.pk) is not None  # a worker took it, then died
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert tasks.import_job_run(job.pk) is False  # meanwhile, nobody else works it
    later = job.lease_until + datetime.timedelta(seconds=1)
    assert services.import_jobs_sweep(now=later) == 1  # queued again (run here at once)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.attempts == 2
    assert secretariat_client.get(f"{ADMIN}import/job/{job.pk}/").context["report"]["new"] == 6
    # A day after it ended, the job and its report are forgotten, as its file is.
    services.import_jobs_sweep(now=job.finished_at + datetime.timedelta(hours=23))
    assert ImportJob.objects.filter(pk=job.pk).exists()
    services.import_jobs_sweep(now=job.finished_at + datetime.timedelta(hours=25))
    assert not ImportJob.objects.filter(pk=job.pk).exists()
    [entry] = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] == "spreadsheets.tasks.import_jobs_sweep"]
    assert entry["schedule"] <= 600 and entry["task"] in celery_app.tasks
