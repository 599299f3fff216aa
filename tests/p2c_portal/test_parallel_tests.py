"""`make test` runs the suite in several pytest-xdist processes: what one test process stores must
not be seen, cleared or consumed by another (p2c_portal/settings/test.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages

from p2c_portal.settings.test import worker_redis_url


def test_each_worker_takes_the_redis_database_after_the_runs_own():
    assert worker_redis_url("redis://127.0.0.1:6379/12", None) == "redis://127.0.0.1:6379/12"
    assert worker_redis_url("redis://127.0.0.1:6379/12", 0) == "redis://127.0.0.1:6379/13"
    assert worker_redis_url("redis://127.0.0.1:6379/12", 1) == "redis://127.0.0.1:6379/14"
    assert worker_redis_url("redis://:pw@redis:6380", 0) == "redis://:pw@redis:6380/1"


def test_a_worker_beyond_redis_databases_is_refused_with_what_to_do():
    with pytest.raises(ImproperlyConfigured, match=r"database 16.*CI uses 12.*TEST_WORKERS"):
        worker_redis_url("redis://127.0.0.1:6379/14", 1)


def test_this_process_uses_its_own_redis_database_for_the_cache_and_the_broker():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not settings.REDIS_URL:
        pytest.skip("no REDIS_URL: the cache is in this process's memory")
    run_url = os.environ["REDIS_URL"]
    expected = worker_redis_url(run_url, int(worker.removeprefix("gw")) if worker else None)
    assert expected == settings.REDIS_URL
    assert settings.CACHES["default"]["LOCATION"] == expected
    assert expected == settings.CELERY_BROKER_URL


def test_files_are_written_in_this_processs_own_directory_not_var():
    own = settings.TEST_FILES_DIR
    assert own.name.endswith(str(os.getpid()))
    assert os.environ.get("PYTEST_XDIST_WORKER", "serial") in own.name
    assert not own.is_relative_to(settings.VAR_DIR)
    stored = default_storage.save("uploads/parallel.txt", ContentFile(b"x"))
    assert default_storage.path(stored).startswith(str(own / "media"))
    assert str(storages["import_export"].location).startswith(str(own / "import-files"))


# What pytest-django does to the settings of xdist worker gw1, then the name Django gives its
# test database.
WORKER_TEST_DATABASE = """
import django
django.setup()
from pytest_django.fixtures import _set_suffix_to_test_databases
_set_suffix_to_test_databases("gw1")
from django.db import connection
print(connection.creation._get_test_db_name())
"""


def test_on_sqlite_each_worker_has_its_own_test_database_in_memory():
    """`make test` without DATABASE_URL (a newcomer's SQLite): a worker's test database can be
    opened, not a file under a "test_/…" directory that does not exist."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("DATABASE_URL", "REDIS_URL", "CI")}
    env.update(DJANGO_SETTINGS_MODULE="p2c_portal.settings.test", PYTEST_XDIST_WORKER="gw1")
    done = subprocess.run([sys.executable, "-c", WORKER_TEST_DATABASE], env=env, text=True,
                          capture_output=True, cwd=Path(__file__).resolve().parents[2],
                          timeout=120, check=True)
    assert done.stdout.strip() == "file:memorydb_default?mode=memory&cache=shared"
