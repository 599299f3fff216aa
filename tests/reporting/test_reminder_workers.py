"""Two beats and two real Celery workers on the real Redis: every due reminder is emailed once.

Each worker is a separate process under the production settings (as in
tests/p2c_portal/test_celery_worker.py), sharing with this test only the broker and the test
database, committed to for real. The periodic task is published twice (two beats) and every
reminder's send is published twice more, so both workers race for the same rows.

Needs REDIS_URL and PostgreSQL (DATABASE_URL): skipped without them on a developer's machine,
a failure under CI=true.
"""

import datetime
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
from django.utils import timezone

from p2c_portal import celery_app
from p2c_portal.models import OutboundEmail
from reporting.models import Reminder, ReminderSettings, ReportingCycle
from reporting.tasks import reminder_send, reminders_create_due, reminders_sweep
from tests.conftest import require_service
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60.0
PLEDGES = 6

pytestmark = [
    pytest.mark.integration,
    # Committed for real (the workers must see the rows); the rollback restores the reference
    # data seeded by migrations that the flush afterwards would delete.
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
    require_service(
        connection.vendor == "postgresql",
        "PostgreSQL (DATABASE_URL) for workers sharing the test database",
    )
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _start_worker(tmp_path: Path, name: str, redis_url: str, database_url: str):
    outbox = tmp_path / f"outbox-{name}"
    outbox.mkdir()
    log_path = tmp_path / f"worker-{name}.log"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "p2c_portal.settings.production",
        "DJANGO_SECRET_KEY": "worker-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"filemail://{outbox}",
        "DB_CONN_MAX_AGE": "0",  # nothing left connected to the test database when dropped
    }
    command = [
        sys.executable, "-m", "celery", "-A", "p2c_portal", "worker", "--pool=solo",
        "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        f"--hostname=p2c-reminders-{name}-{uuid.uuid4().hex[:8]}@%h",
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT)
    return process, outbox, log_path


@pytest.fixture
def two_workers(tmp_path):
    redis_url = _redis_url()
    database_url = _test_database_url()
    workers = [_start_worker(tmp_path, name, redis_url, database_url) for name in ("a", "b")]
    try:
        yield workers
    finally:
        for process, _outbox, _log in workers:
            process.terminate()  # warm shutdown: finishes the task in hand
        for process, _outbox, _log in workers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture
def publishing_to_redis():
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        celery_app._after_fork()
        try:
            yield
        finally:
            celery_app._after_fork()


def _logs(workers) -> str:
    return "\n".join(f"--- {log}:\n{log.read_text()}" for _p, _o, log in workers)


def _messages_written(workers) -> list[str]:
    """Each email the workers wrote (the file backend appends messages to its file)."""
    messages = []
    for _process, outbox, _log in workers:
        for path in outbox.iterdir():
            messages += [part for part in path.read_text().split("-" * 79) if "Subject:" in part]
    return messages


def _wait_until_ready(workers) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if all("ready" in log.read_text() for _p, _o, log in workers):
            return
        for process, _outbox, _log in workers:
            if process.poll() is not None:
                pytest.fail(f"a worker exited ({process.returncode}):\n{_logs(workers)}")
        time.sleep(0.1)
    pytest.fail(f"the workers did not start within {WAIT_SECONDS:.0f} s:\n{_logs(workers)}")


@pytest.mark.usefixtures("publishing_to_redis")
def test_two_beats_and_two_workers_email_each_due_reminder_once(two_workers):
    today = timezone.localdate()
    settings_row = ReminderSettings.load()
    for name in ("draft_untouched", "changes_requested", "report_due_soon", "report_overdue",
                 "weekly_digest"):
        setattr(settings_row, f"{name}_enabled", False)
    settings_row.report_due_today_enabled = True
    settings_row.save()
    ReportingCycle.objects.create(
        name_en="Worker test cycle", period_start=today - datetime.timedelta(days=400),
        period_end=today - datetime.timedelta(days=30),
        opens_on=today - datetime.timedelta(days=20), due_on=today,
    )
    entity = EntityFactory()
    authors = []
    for number in range(PLEDGES):
        author = UserFactory(email=f"reporter{number}@example.org")
        MembershipFactory(user=author, entity=entity, role="editor")
        pledge = PledgeFactory(entity=entity, published=True, created_by=author,
                               start_date=today - datetime.timedelta(days=365))
        pledge.published_at = timezone.now() - datetime.timedelta(days=60)
        pledge.save(update_fields=["published_at"])
        authors.append(author.email)

    _wait_until_ready(two_workers)
    # Two beats wake the periodic task at the same moment; both workers run it.
    reminders_create_due.delay()
    reminders_create_due.delay()
    deadline = time.monotonic() + WAIT_SECONDS
    while Reminder.objects.count() < PLEDGES and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Reminder.objects.count() == PLEDGES, _logs(two_workers)
    # Every send queued twice more, and a sweep: the workers race for every row.
    for reminder_id in Reminder.objects.values_list("pk", flat=True):
        reminder_send.delay(reminder_id)
        reminder_send.delay(reminder_id)
    reminders_sweep.delay()

    while time.monotonic() < deadline:
        done = (
            Reminder.objects.filter(status=Reminder.Status.SENT).count() == PLEDGES
            and OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).count() == 0
            and OutboundEmail.objects.count() >= PLEDGES
        )
        if done:
            break
        for process, _outbox, _log in two_workers:
            if process.poll() is not None:
                pytest.fail(f"a worker exited ({process.returncode}):\n{_logs(two_workers)}")
        time.sleep(0.2)
    else:
        pytest.fail(f"not all sent within {WAIT_SECONDS:.0f} s:\n{_logs(two_workers)}")
    time.sleep(2)  # let the duplicate tasks finish: they must change nothing

    assert Reminder.objects.count() == PLEDGES
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    assert OutboundEmail.objects.count() == PLEDGES
    written = _messages_written(two_workers)
    recipients = sorted(
        line.removeprefix("To: ").strip()
        for message in written for line in message.splitlines() if line.startswith("To: ")
    )
    assert recipients == sorted(authors), _logs(two_workers)
    assert all("is due today" in message for message in written)
    # Both workers took part (the race was real), and neither logged an error.
    logs = [log.read_text() for _p, _o, log in two_workers]
    assert all("reporting.tasks" in text for text in logs), _logs(two_workers)
    assert not any('"level": "ERROR"' in text for text in logs), _logs(two_workers)
