"""A real worker killed in the middle of compiling a report: no file is left, the run does not stay
"compiling" for ever, and once recovered it has exactly one set of files.

The worker is a separate process on the real Redis and the test database (tests/celery_workers.py).
To kill it at a known moment, the test holds an exclusive lock on the report-file table: the
worker computes everything, then blocks on inserting the files, inside the transaction that would
mark the run DONE. The test kills it there (SIGKILL), releases the lock, and checks what is left.
"""

import datetime

import psycopg2
import pytest
from django.db import connection

from pledges.models import Event
from reporting.models import ReportFile, ReportRun
from reporting.services import compiled_reports
from reporting.tasks import compiled_report_compile
from tests.celery_workers import start_worker, test_database_url, wait_for, wait_until_ready

from .kigali import KIGALI_CUTOFF

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _blocked_on_report_files() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
            [ReportFile._meta.db_table],
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def lock_on_report_files():
    """A second connection holding ACCESS EXCLUSIVE on the report-file table until released."""
    test_database_url()  # skips without PostgreSQL (fails under CI) before connecting to it
    settings = connection.settings_dict
    holder = psycopg2.connect(dbname=settings["NAME"], user=settings["USER"],
                              password=settings["PASSWORD"] or None,
                              host=settings["HOST"] or None, port=settings["PORT"] or None)
    holder.autocommit = False
    with holder.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {ReportFile._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    try:
        yield holder
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.usefixtures("publishing_to_redis")
def test_a_worker_killed_mid_compilation_leaves_no_orphan_and_the_run_recovers(
    kigali, tmp_path, lock_on_report_files
):
    first = start_worker(tmp_path, "first")
    second = None
    try:
        wait_until_ready([first])
        parameters = compiled_reports.compiled_report_parameters(
            kind="event", event=Event.objects.get(slug="wtdc-22-kigali"), cutoff=KIGALI_CUTOFF)
        run, _created = compiled_reports.compiled_report_request(parameters=parameters)

        wait_for(_blocked_on_report_files, [first], "the worker reaching the file insert")
        run.refresh_from_db()
        assert run.status == ReportRun.Status.RUNNING
        first.kill()
        lock_on_report_files.rollback()  # the dead worker's transaction is rolled back

        def no_longer_waiting() -> bool:
            return not _blocked_on_report_files()

        wait_for(no_longer_waiting, [], "the killed worker's transaction ending")
        run.refresh_from_db()
        assert run.status == ReportRun.Status.RUNNING  # as a killed worker leaves it...
        assert not ReportFile.objects.filter(run=run).exists()  # ...with no file at all

        # The sweep (beat, every five minutes) finds it silent for too long and queues it again.
        later = run.heartbeat_at + compiled_reports.STALE_AFTER + datetime.timedelta(seconds=1)
        assert compiled_reports.compiled_reports_sweep(now=later) == 1
        second = start_worker(tmp_path, "second")
        wait_until_ready([second])

        def done() -> bool:
            run.refresh_from_db()
            return run.status == ReportRun.Status.DONE

        wait_for(done, [second], "the run compiled again")
        # Delivered again (a redelivery, a second beat): nothing more is written.
        compiled_report_compile.delay(run.pk)
        compiled_report_compile.delay(run.pk)
        wait_for(lambda: second.log().count("compiled_report.skipped") >= 2, [second],
                 "the duplicate deliveries handled")
        assert ReportFile.objects.filter(run=run).count() == 4 * 6
        assert run.attempts == 2
        assert run.figures["totals"]["pledges"] == 4
    finally:
        first.stop()
        if second is not None:
            second.stop()
