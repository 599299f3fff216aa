"""Queues by kind of work, with real workers on the real Redis: an email is delivered while a
report compiles, one worker per queue as in docker-compose.yml (worker-emails, worker-reports).

The report is held mid-compilation, deterministically: this test locks the pledge table from a
connection of its own, so the compiler (which has claimed its run) waits on its first read of the
pledges, for as long as the test wants, like a 70,000-pledge report taking minutes. Meanwhile a
confirmation email is queued and must be sent; then the lock is released and the report finishes.
"""

import pytest

from p2c_portal.mail import email_queue
from p2c_portal.models import OutboundEmail
from reporting.models import ReportRun
from reporting.services.compiled_reports import (
    compiled_report_parameters,
    compiled_report_request,
)
from tests.celery_workers import start_worker, wait_for, wait_until_ready
from tests.factories import PledgeFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def workers(tmp_path):
    """One worker per queue, each with a single process (solo pool): the report worker can do
    nothing but the report while it compiles."""
    started = [
        start_worker(tmp_path, "emails", queues=("emails",)),
        start_worker(tmp_path, "reports", queues=("reports",)),
    ]
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()


def _status(row) -> str:
    row.refresh_from_db()
    return row.status


@pytest.mark.usefixtures("publishing_to_redis")
def test_an_email_is_delivered_while_a_report_compiles(
    workers, entity, pledge_table_lock
):
    emails_worker, reports_worker = workers
    PledgeFactory.create_batch(3, entity=entity, published=True)
    wait_until_ready(workers)

    pledge_table_lock.take()
    run, created = compiled_report_request(
        parameters=compiled_report_parameters(kind=ReportRun.Kind.CUSTOM), languages=["en"],
    )
    assert created
    wait_for(lambda: _status(run) == ReportRun.Status.RUNNING, workers,
             "the report worker claims the report")

    email = email_queue(
        to=["new-member@example.org"], subject="Confirm your email address",
        body_text="Follow this link to confirm your address.", template="tests/isolation",
        language="en",
    )
    wait_for(lambda: _status(email) == OutboundEmail.Status.SENT, workers,
             "the email is sent while the report compiles", seconds=30)
    assert _status(run) == ReportRun.Status.RUNNING  # the report is still compiling meanwhile
    assert len(list(emails_worker.outbox.iterdir())) == 1

    pledge_table_lock.release()
    wait_for(lambda: _status(run) == ReportRun.Status.DONE, workers,
             "the report finishes once the pledges can be read", seconds=120)
    # Each worker worked its own queue only (its banner lists every task: count those received).
    compile_task = "Task reporting.tasks.compiled_report_compile["
    deliver_task = "Task p2c_portal.tasks.outbound_email_deliver["
    assert compile_task in reports_worker.log() and deliver_task not in reports_worker.log()
    assert deliver_task in emails_worker.log() and compile_task not in emails_worker.log()
