"""Real Celery workers for integration tests: separate processes under the production settings,
sharing with the test only the broker (REDIS_URL) and the test database pytest-django created
(PostgreSQL, committed to for real: use `django_db(transaction=True, serialized_rollback=True)`).

Without REDIS_URL or PostgreSQL the test is skipped on a developer's machine and fails under
CI=true (tests.conftest.require_service). Workers write emails to files (EMAIL_URL=filemail://).

Its fixtures (`two_workers`, `pledge_table_lock`) are every test's: tests/conftest.py loads
this module as a plugin.
"""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
import redis
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection

from tests.conftest import require_service

BASE_DIR = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 60.0


def redis_url() -> str:
    """This test process's Redis database: each xdist worker has its own (settings/test.py)."""
    url = settings.REDIS_URL
    require_service(bool(url), "Redis (REDIS_URL)")
    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as error:
        require_service(False, f"Redis at REDIS_URL ({type(error).__name__})")
    return url


def test_database_url() -> str:
    """The database pytest-django created for this session, as a URL another process can use."""
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


test_database_url.__test__ = False  # a helper, not a test, despite its name


@dataclass
class Worker:
    process: subprocess.Popen
    outbox: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()

    def is_ready(self) -> bool:
        return "ready" in self.log()

    def fail_if_exited(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"a worker exited ({self.process.returncode}):\n{self.log()}")

    def stop(self) -> None:
        """Warm shutdown (finishes the task in hand), killed if it takes too long."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def kill(self) -> None:
        """SIGKILL: what an out-of-memory killer or a pulled plug does, mid-task."""
        self.process.kill()
        self.process.wait(timeout=5)


def start_worker(tmp_path: Path, name: str, *, queues: tuple[str, ...] = (),
                 pool: str = "solo", concurrency: int = 1,
                 extra_environment: dict[str, str] | None = None) -> Worker:
    """A worker reading `queues` (all three when empty, as a worker without -Q does) with the
    given pool: "solo" (one process, the task in it) or "prefork" (production's: a parent and
    `concurrency` children, a child killed mid-task replaced)."""
    outbox = tmp_path / f"outbox-{name}"
    outbox.mkdir()
    log_path = tmp_path / f"worker-{name}.log"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "p2c_portal.settings.production",
        "DJANGO_SECRET_KEY": "worker-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url(),
        "EMAIL_URL": f"filemail://{outbox}",
        # The files this test process reads and writes, not var/ nor another worker's.
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMPORT_STORAGE_DIR": str(storages["import_export"].location),
        "DB_CONN_MAX_AGE": "0",  # nothing left connected to the test database when dropped
        **(extra_environment or {}),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "p2c_portal", "worker", f"--pool={pool}",
        f"--concurrency={concurrency}", "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        f"--hostname=p2c-test-{name}-{uuid.uuid4().hex[:8]}@%h",
    ]
    if queues:
        command.append(f"--queues={','.join(queues)}")
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT)
    return Worker(process=process, outbox=outbox, log_path=log_path)


@pytest.fixture
def two_workers(tmp_path):
    """Two solo workers on every queue, racing for the same tasks; stopped after the test."""
    workers = [start_worker(tmp_path, name) for name in ("a", "b")]
    try:
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def messages_written(workers) -> list[str]:
    """Each email the workers wrote (the file backend appends messages to its file)."""
    messages = []
    for worker in workers:
        for path in worker.outbox.iterdir():
            messages += [part for part in path.read_text().split("-" * 79) if "Subject:" in part]
    return messages


def logs(workers) -> str:
    return "\n".join(f"--- {worker.log_path}:\n{worker.log()}" for worker in workers)


def wait_until_ready(workers) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if all(worker.is_ready() for worker in workers):
            return
        for worker in workers:
            worker.fail_if_exited()
        time.sleep(0.1)
    pytest.fail(f"the workers did not start within {WAIT_SECONDS:.0f} s:\n{logs(workers)}")


def wait_for(condition, workers, what: str, seconds: float = WAIT_SECONDS) -> None:
    """Poll `condition()` until true; fail with the workers' logs if it never is."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for worker in workers:
            worker.fail_if_exited()
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {seconds:.0f} s\n{logs(workers)}")


class PledgeTableLock:
    """The pledge table locked against every reader, from a connection of the test's own (not
    Django's): `take()`, then `release()` (also at teardown, whatever happened). A report a
    worker has claimed then waits on its first read of the pledges for as long as the test
    wants, deterministically, like a 70,000-pledge report taking minutes."""

    def __init__(self) -> None:
        self.connection = None

    def take(self) -> None:
        self.connection = psycopg2.connect(test_database_url())
        self.connection.cursor().execute("LOCK TABLE pledges_pledge IN ACCESS EXCLUSIVE MODE")

    def release(self) -> None:
        if self.connection is not None and not self.connection.closed:
            self.connection.rollback()
            self.connection.close()


@pytest.fixture
def pledge_table_lock():
    lock = PledgeTableLock()
    try:
        yield lock
    finally:
        lock.release()
