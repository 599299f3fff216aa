"""`make test` runs the suite in several pytest-xdist processes: what one test process stores must
not be seen, cleared or consumed by another (p2c_portal/settings/test.py)."""

import os

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
