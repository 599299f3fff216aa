"""A real Celery worker, on the real Redis, with the production settings, delivers an email.

The worker is a separate process (`celery -A p2c_portal worker`), so it shares nothing with the
test but the broker and the database: the test database pytest-django created, committed to for
real (transactional test). It writes emails to files (EMAIL_URL=filemail://...).

Needs REDIS_URL and PostgreSQL (DATABASE_URL): an in-memory SQLite test database cannot be opened
by a second process. Skipped without them on a developer's machine; under CI=true it fails.
"""

import json
import time

import pytest

from p2c_portal.mail import email_queue
from p2c_portal.models import OutboundEmail
from tests.celery_workers import Worker, start_worker, wait_until_ready

WAIT_SECONDS = 30.0

pytestmark = [
    pytest.mark.integration,
    # Committed for real (the worker must see the rows); the flush afterwards would also delete
    # the reference data seeded by migrations (countries, action areas) without the rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker(tmp_path):
    """A Celery worker process under the production settings; stopped at teardown."""
    worker = start_worker(tmp_path, "mail")
    try:
        yield worker
    finally:
        worker.stop()


def _wait_until_sent(email: OutboundEmail, worker: Worker) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.status == OutboundEmail.Status.SENT:
            return
        worker.fail_if_exited()
        time.sleep(0.1)
    pytest.fail(f"not sent within {WAIT_SECONDS:.0f} s (status {email.status}):\n{worker.log()}")


@pytest.mark.usefixtures("publishing_to_redis")
def test_a_real_worker_delivers_a_queued_email_once(worker):
    wait_until_ready([worker])

    email = email_queue(  # outside any atomic block: committed, then queued right away
        to=["worker-check@example.org"],
        subject="Your pledge was published",
        body_text="Thank you for pledging to Partner2Connect.",
        template="tests/worker",
        language="en",
    )
    email.refresh_from_db()
    assert email.queued_at is not None  # the broker took it

    _wait_until_sent(email, worker)

    assert email.attempts == 1
    assert email.sent_at is not None
    files = list(worker.outbox.iterdir())
    assert len(files) == 1
    written = files[0].read_text()
    assert "Subject: Your pledge was published" in written
    assert "To: worker-check@example.org" in written
    assert "Thank you for pledging to Partner2Connect." in written
    assert f"Message-ID: {email.message_id}" in written  # made with the row, sent as is
    # The worker logs JSON lines like the web process (and does not lose its own lines).
    logged = [json.loads(line) for line in worker.log().splitlines() if line[:1] == "{"]
    messages = [(entry["logger"], entry["message"]) for entry in logged]
    assert any(logger == "celery.apps.worker" and "ready" in m for logger, m in messages)
    assert any(
        logger == "celery.app.trace" and "outbound_email_deliver" in m and "succeeded" in m
        for logger, m in messages
    )
