"""A report's figures and PDFs written by a forked child beside the pledge lists
(p2c_portal.forked_snapshot): the same files as in one process, the same database snapshot as the
parent, and a child that fails or hangs fails the run instead of leaving it waiting.

Transactional: a child reads through a connection of its own, which sees committed rows only.
pytest-xdist's workers carry an I/O thread of execnet's, idle on its socket; the child runs no
code of it, so these tests count the process as single-threaded, as a Celery worker's is."""

import os
import signal
import time

import psycopg2
import pytest
from django.db import connection, transaction

from action_areas.models import Country
from p2c_portal import forked_snapshot
from pledges.models import Event
from reporting.models import ReportRun
from reporting.services import compiled_reports

from .kigali import KIGALI_CUTOFF

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Forking exists on PostgreSQL only (snapshots): skipped on a newcomer's SQLite, required
    # under CI=true.
    pytest.mark.usefixtures("postgresql"),
]


@pytest.fixture
def forks(monkeypatch):
    monkeypatch.setattr(forked_snapshot, "single_threaded", lambda: True)
    started = []
    real_start = forked_snapshot.ForkedWork.start

    def start(self):
        started.append(self)
        real_start(self)

    monkeypatch.setattr(forked_snapshot.ForkedWork, "start", start)
    return started


def _files(run: ReportRun) -> dict:
    return {(f.format, f.language): (f.size, f.sha256) for f in run.files.all()}


def test_a_report_compiled_with_a_forked_child_has_the_files_of_one_compiled_in_process(
    kigali, forks, monkeypatch
):
    parameters = compiled_reports.compiled_report_parameters(
        kind="event", event=Event.objects.get(slug="wtdc-22-kigali"), cutoff=KIGALI_CUTOFF)
    forked, _created = compiled_reports.compiled_report_request(parameters=parameters)
    forked.refresh_from_db()
    assert forked.status == ReportRun.Status.DONE, forked.error
    assert len(forks) == 1  # the figures and PDFs were written by the child

    monkeypatch.setattr(compiled_reports, "can_fork", lambda: False)
    in_process = compiled_reports.compiled_report_rebuild(run=forked)
    in_process.refresh_from_db()
    assert in_process.status == ReportRun.Status.DONE, in_process.error
    assert len(forks) == 1
    assert in_process.figures == forked.figures
    assert _files(in_process) == _files(forked)
    assert len(_files(forked)) == 4 * len(forked.languages)


def _in_own_snapshot():
    """What compiled reports do: an outermost REPEATABLE READ transaction."""
    atomic = transaction.atomic()
    atomic.__enter__()
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    return atomic


def test_the_child_reads_the_parents_snapshot_not_what_was_committed_since(forks):
    atomic = _in_own_snapshot()
    try:
        before = Country.objects.count()
        settings = connection.settings_dict
        other = psycopg2.connect(dbname=settings["NAME"], user=settings["USER"],
                                 host=settings["HOST"] or None, port=settings["PORT"] or None)
        with other, other.cursor() as cursor:  # committed after the parent's first read
            cursor.execute("UPDATE action_areas_country SET name_en = 'Renamed' "
                           "WHERE id = (SELECT min(id) FROM action_areas_country)")
            cursor.execute("DELETE FROM action_areas_countrygroupmembership "
                           "WHERE country_id = (SELECT min(id) FROM action_areas_country)")
        other.close()
        assert forked_snapshot.can_fork()
        work = forked_snapshot.ForkedWork(
            lambda: (Country.objects.count(),
                     Country.objects.filter(name_en="Renamed").count()), timeout=60)
        work.start()
        assert work.result() == (before, 0)
        # The parent's own connection is intact after the child left.
        assert Country.objects.filter(name_en="Renamed").count() == 0
    finally:
        atomic.__exit__(None, None, None)
    assert Country.objects.filter(name_en="Renamed").count() == 1


def test_a_child_that_raises_gives_its_traceback_to_the_parent(forks):
    atomic = _in_own_snapshot()
    try:
        work = forked_snapshot.ForkedWork(lambda: Country.objects.get(iso3="XXX"), timeout=60)
        work.start()
        with pytest.raises(forked_snapshot.ForkedWorkFailed, match="DoesNotExist"):
            work.result()
        assert Country.objects.exists()  # and the parent's connection still works
    finally:
        atomic.__exit__(None, None, None)


def test_a_child_that_hangs_is_killed_at_the_time_limit(forks):
    atomic = _in_own_snapshot()
    try:
        work = forked_snapshot.ForkedWork(lambda: time.sleep(600), timeout=1)
        work.start()
        pid = work.pid
        with pytest.raises(forked_snapshot.ForkedWorkFailed, match="more than 1 s"):
            work.result()
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # killed and reaped
        assert work.output.closed  # its result file too, not left to the garbage collector
    finally:
        atomic.__exit__(None, None, None)


def test_a_failing_child_fails_the_report_with_its_error(kigali, forks, monkeypatch):
    def broken(run, languages, pdfs):
        raise RuntimeError("the PDF writer broke")

    monkeypatch.setattr(compiled_reports, "_figures_and_pdfs", broken)
    run, _created = compiled_reports.compiled_report_request(
        parameters=compiled_reports.compiled_report_parameters(
            kind="event", event=Event.objects.get(slug="wtdc-22-kigali"), cutoff=KIGALI_CUTOFF))
    run.refresh_from_db()
    assert len(forks) == 1
    assert run.status == ReportRun.Status.FAILED
    assert "the PDF writer broke" in run.error
    assert not run.files.exists()


def test_no_fork_inside_a_savepoint_or_from_a_threaded_process(monkeypatch):
    atomic = _in_own_snapshot()
    try:
        monkeypatch.setattr(forked_snapshot, "single_threaded", lambda: True)
        assert forked_snapshot.can_fork()
        with transaction.atomic():  # a savepoint: its snapshot cannot be exported
            assert not forked_snapshot.can_fork()
        monkeypatch.setattr(forked_snapshot, "single_threaded", lambda: False)
        assert not forked_snapshot.can_fork()
    finally:
        atomic.__exit__(None, None, None)


def test_a_child_whose_parent_is_killed_stops_instead_of_holding_its_snapshot(forks):
    """Celery's hard time limit kills the worker with SIGKILL: no `stop()` runs, and the child,
    left running, would keep a CPU and a connection holding the report's old snapshot."""
    atomic = _in_own_snapshot()
    try:
        Country.objects.exists()  # the snapshot is taken
        read_end, write_end = os.pipe()
        parent = os.fork()
        if parent == 0:  # the worker, killed with its child running
            try:
                os.close(read_end)
                work = forked_snapshot.ForkedWork(lambda: time.sleep(600), timeout=600)
                work.start()
                os.write(write_end, str(work.pid).encode())
            finally:
                os.kill(os.getpid(), signal.SIGKILL)
        os.close(write_end)
        child = int(os.read(read_end, 20))  # (not to the end: the child holds the pipe too)
        os.close(read_end)
        os.waitpid(parent, 0)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(child, signal.SIGKILL)
            pytest.fail("the child outlived its killed parent")
    finally:
        atomic.__exit__(None, None, None)
