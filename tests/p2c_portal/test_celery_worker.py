"""A real Celery worker, on the real Redis, with the production settings, delivers an email.

The worker is a separate process (`celery -A p2c_portal worker`), so it shares nothing with the
test but the broker and the database: the test database pytest-django created, committed to for
real (transactional test). It writes emails to files (EMAIL_URL=filemail://...).

Needs REDIS_URL and PostgreSQL (DATABASE_URL): an in-memory SQLite test database cannot be opened
by a second process. Skipped without them on a developer's machine; under CI=true it fails.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from django.test import override_settings

from p2c_portal import celery_app
from p2c_portal.mail import email_queue
from p2c_portal.models import OutboundEmail
from tests.conftest import require_service

BASE_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30.0

pytestmark = [
    pytest.mark.integration,
    # Committed for real (the worker must see the rows); the flush afterwards would also delete
    # the reference data seeded by migrations (countries, action areas) without the rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    require_service(bool(url), "Redis (REDIS_URL)")
    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as error:
        require_service(False, f"Redis at REDIS_URL ({type(error).__name__})")
    return url


def _test_database_url() -> str:
    """The database pytest-django created for this session, as a URL another process can use."""
    require_service(
        connection.vendor == "postgresql",
        "PostgreSQL (DATABASE_URL) for a worker sharing the test database",
    )
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def worker(tmp_path):
    """A Celery worker process under the production settings; killed at teardown."""
    redis_url = _redis_url()
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    log_path = tmp_path / "worker.log"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "p2c_portal.settings.production",
        "DJANGO_SECRET_KEY": "worker-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"filemail://{outbox}",
        "DB_CONN_MAX_AGE": "0",  # nothing left connected to the test database when it is dropped
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "p2c_portal",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--hostname=p2c-test-{uuid.uuid4().hex[:8]}@%h",
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield process, outbox, log_path
    finally:
        process.terminate()  # warm shutdown: finishes the task in hand, then exits
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def publishing_to_redis():
    """This test process publishes to the broker for real instead of running tasks eagerly."""
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        celery_app._after_fork()  # drop connections made for eager mode
        try:
            yield
        finally:
            celery_app._after_fork()


def _wait_until_sent(email: OutboundEmail, process, log_path: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.status == OutboundEmail.Status.SENT:
            return
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}):\n{log_path.read_text()}")
        time.sleep(0.1)
    pytest.fail(
        f"not sent within {WAIT_SECONDS:.0f} s (status {email.status}):\n{log_path.read_text()}"
    )


@pytest.mark.usefixtures("publishing_to_redis")
def test_a_real_worker_delivers_a_queued_email_once(worker):
    process, outbox, log_path = worker

    email = email_queue(  # outside any atomic block: committed, then queued right away
        to=["worker-check@example.org"],
        subject="Your pledge was published",
        body_text="Thank you for pledging to Partner2Connect.",
        template="tests/worker",
        language="en",
    )
    email.refresh_from_db()
    assert email.queued_at is not None  # the broker took it

    _wait_until_sent(email, process, log_path)

    assert email.attempts == 1
    assert email.sent_at is not None
    files = list(outbox.iterdir())
    assert len(files) == 1
    written = files[0].read_text()
    assert "Subject: Your pledge was published" in written
    assert "To: worker-check@example.org" in written
    assert "Thank you for pledging to Partner2Connect." in written
    # The worker logs JSON lines like the web process (and does not lose its own lines).
    logged = [json.loads(line) for line in log_path.read_text().splitlines() if line[:1] == "{"]
    messages = [(entry["logger"], entry["message"]) for entry in logged]
    assert any(logger == "celery.apps.worker" and "ready" in m for logger, m in messages)
    assert any(
        logger == "celery.app.trace" and "outbound_email_deliver" in m and "succeeded" in m
        for logger, m in messages
    )
