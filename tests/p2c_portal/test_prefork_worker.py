"""Production's worker pool (prefork: a parent process and its children) on the real Redis: a
child killed with SIGKILL in the middle of a report, as an out-of-memory killer does. The run's
row is recovered by the job machinery (its lease expires, the sweep puts it back to PENDING and
queues it) and compiled exactly once: one set of files, one "compiled" line, DONE.

The report is held mid-compilation as in test_queue_isolation.py: a lock on the pledge table,
taken from this test's own connection, keeps the child waiting while the test kills it.
"""

import os
import signal
from pathlib import Path

import pytest
from django.utils import timezone

from reporting.models import ReportFile, ReportRun
from reporting.services.compiled_reports import (
    STALE_AFTER,
    compiled_report_parameters,
    compiled_report_request,
    compiled_reports_sweep,
)
from tests.celery_workers import start_worker, wait_for, wait_until_ready
from tests.factories import PledgeFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def prefork_worker(tmp_path):
    worker = start_worker(tmp_path, "prefork", queues=("reports",), pool="prefork",
                          concurrency=1)
    try:
        yield worker
    finally:
        worker.stop()


def _children(pid: int) -> list[int]:
    """The pool's child processes (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _status(run: ReportRun) -> str:
    run.refresh_from_db()
    return run.status


@pytest.mark.usefixtures("publishing_to_redis")
def test_a_child_killed_mid_report_is_recovered_and_the_report_compiled_once(
    prefork_worker, entity, pledge_table_lock
):
    workers = [prefork_worker]
    PledgeFactory.create_batch(3, entity=entity, published=True)
    wait_until_ready(workers)
    (first_child,) = _children(prefork_worker.process.pid)

    pledge_table_lock.take()
    run, _created = compiled_report_request(
        parameters=compiled_report_parameters(kind=ReportRun.Kind.CUSTOM), languages=["en"],
    )
    wait_for(lambda: _status(run) == ReportRun.Status.RUNNING, workers,
             "the child claims the report")
    os.kill(first_child, signal.SIGKILL)  # mid-task: waiting on the pledges

    # The parent stays up and replaces the child; the killed task's message (acks_late,
    # reject_on_worker_lost) comes back to the new child, which finds the run still claimed
    # by the dead one and does nothing.
    wait_for(lambda: [pid for pid in _children(prefork_worker.process.pid) if pid != first_child],
             workers, "the parent starts a new child")
    wait_for(lambda: "compiled_report.skipped" in prefork_worker.log(), workers,
             "the redelivered task finds the run claimed")
    assert _status(run) == ReportRun.Status.RUNNING
    assert prefork_worker.process.poll() is None
    pledge_table_lock.release()

    # The beat's sweep, once the dead child's lease has expired: the run goes back to PENDING
    # and is queued again, then compiled by the new child.
    queued = compiled_reports_sweep(now=timezone.now() + STALE_AFTER + STALE_AFTER / 10)
    assert queued == 1
    wait_for(lambda: _status(run) == ReportRun.Status.DONE, workers,
             "the recovered run is compiled", seconds=120)
    # A second sweep (beat's next tick) and the work are idempotent: nothing more happens.
    assert compiled_reports_sweep(now=timezone.now() + STALE_AFTER * 2) == 0

    run.refresh_from_db()
    assert run.attempts == 2  # the killed one and the one that finished
    files = list(ReportFile.objects.filter(run=run).values_list("format", "language"))
    assert len(files) == len(set(files)) == len(ReportFile.Format.values)  # one set, in English
    assert prefork_worker.log().count('"compiled_report.compiled"') == 1
