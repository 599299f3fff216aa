"""A big file previewed and imported by a real worker (a separate process on the real Redis and
the test database, tests/celery_workers.py), the task delivered again afterwards: imported once."""

import pytest

from pledges.models import Pledge
from spreadsheets.models import FileImport, ImportJob
from spreadsheets.tasks import import_job_run
from tests.admin_import import upload
from tests.celery_workers import start_worker, wait_for, wait_until_ready
from tests.pledges.test_import_confirm import ADMIN, PATH, everything_imported, roundtable

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _done(kind: str):
    def done() -> bool:
        job = ImportJob.objects.filter(kind=kind).first()
        return job is not None and job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED)
    return done


@pytest.mark.usefixtures("publishing_to_redis")
def test_a_worker_previews_and_imports_a_big_file_once(secretariat_client, entity, settings,
                                                        tmp_path):
    settings.P2C_IMPORT_BACKGROUND_ROWS = 3
    worker = start_worker(tmp_path, "import")
    try:
        wait_until_ready([worker])
        checking = upload(secretariat_client, PATH, roundtable(entity, 6), "kigali.csv")
        preview_job = ImportJob.objects.get(kind=ImportJob.Kind.PREVIEW)
        assert checking["Location"] == f"{ADMIN}import/job/{preview_job.pk}/"
        wait_for(_done(ImportJob.Kind.PREVIEW), [worker], "the preview checked by the worker")
        preview = secretariat_client.get(checking["Location"])
        assert preview.context["report"]["new"] == 6
        assert Pledge.objects.count() == 0

        importing = secretariat_client.post(f"{ADMIN}process_import/",
                                            preview.context["confirm_form"].initial)
        wait_for(_done(ImportJob.Kind.CONFIRM), [worker], "the import done by the worker")
        job = ImportJob.objects.get(kind=ImportJob.Kind.CONFIRM)
        assert job.status == ImportJob.Status.DONE, job.error
        # Delivered again (a redelivery after a restart, a second sweep): nothing more.
        import_job_run.delay(job.pk)
        import_job_run.delay(job.pk)
        wait_for(lambda: worker.log().count("import_job.skipped") >= 2, [worker],
                 "the duplicate deliveries handled")
        assert everything_imported() == (6, 6, 6, 6)
        file_import = FileImport.objects.get()
        result = secretariat_client.get(importing["Location"], follow=True)
        assert result.redirect_chain[-1][0] == f"{ADMIN}import/{file_import.pk}/"
        assert "6 new, 0 updated, 0 unchanged." in result.content.decode()
    finally:
        worker.stop()
