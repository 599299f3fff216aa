"""pytest: whatever DATABASE_URL/REDIS_URL point to (CI: the real PostgreSQL and Redis).

`make test` runs the suite in TEST_WORKERS processes (pytest-xdist). What tests share must belong
to one process, or a test sees another's data: pytest-django gives each worker its own test
database (test_<name>_gw0, …); here each worker also gets its own Redis database (the cache,
whole public pages included, and the broker of the real-worker tests) and its own directories
for uploaded and imported files.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_SOCKET_TIMEOUT, REDIS_URL, STORAGES, redis_cache

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run tasks in-process; the worker integration test starts a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True

# "gw0", "gw1", … in a pytest-xdist worker (set before settings are read); "" in a serial run.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(XDIST_WORKER.removeprefix("gw")) if XDIST_WORKER else None
REDIS_DATABASES = 16  # Redis's default `databases`


def worker_redis_url(url: str, worker_index: int | None) -> str:
    """REDIS_URL for one xdist worker: database base + 1 + index (the run's REDIS_URL names the
    base: CI's 12 gives 13, 14). A serial run uses the base itself."""
    if worker_index is None:
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + 1 + worker_index
    if database >= REDIS_DATABASES:
        raise ImproperlyConfigured(
            f"Test worker {worker_index} would use Redis database {database}, beyond Redis's "
            f"{REDIS_DATABASES}: name a lower database in REDIS_URL (CI uses 12) or run fewer "
            f"workers (TEST_WORKERS)."
        )
    return parts._replace(path=f"/{database}").geturl()


# SQLite (no DATABASE_URL): each process's test database in its memory, as Django makes it by
# default. Said here because pytest-django gives an xdist worker "test_<NAME>_gw0" unless the
# engine is exactly Django's sqlite3, and django-prometheus's wrapper (settings.base) is not:
# "test_/…/var/db.sqlite3_gw0", in a directory that does not exist ("unable to open database").
if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"  # noqa: F405

# PostgreSQL: a commit does not wait for its WAL to reach the disk. A test database needs no
# durability, and the browser journeys' live server commits every write (autocommit): ~3 ms of
# fsync each on CI's disk, ~0.2 ms without. What other connections see is unchanged.
if DATABASES["default"]["ENGINE"].endswith(".postgresql"):  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()

if REDIS_URL:
    REDIS_URL = worker_redis_url(REDIS_URL, WORKER_INDEX)
    CACHES = {"default": redis_cache(REDIS_URL, socket_timeout=REDIS_SOCKET_TIMEOUT)}
    # Keep test keys apart from a developer's running site on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "p2c-test"
    CELERY_BROKER_URL = REDIS_URL

# Uploaded files (MEDIA_ROOT) and spreadsheets waiting between an import's preview and its
# confirmation: a directory of this process's own, never var/ (the developer's site). Created by
# the first file saved; tests/conftest.py empties it when the session starts and removes it at the
# end. (Named, not made here: xdist's controller process reads these settings too.)
TEST_FILES_DIR = Path(tempfile.gettempdir()) / f"p2c-tests-{XDIST_WORKER or 'serial'}-{os.getpid()}"
MEDIA_ROOT = TEST_FILES_DIR / "media"
OPEN_DATA_DIR = TEST_FILES_DIR / "open-data"  # emptied before each test (tests/conftest.py)
STORAGES = {
    **STORAGES,
    "import_export": {
        **STORAGES["import_export"],
        "OPTIONS": {**STORAGES["import_export"].get("OPTIONS", {}),
                    "location": TEST_FILES_DIR / "import-files"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Task-succeeded lines from eager Celery drown test output; warnings and errors still show.
LOGGING["loggers"]["celery"]["level"] = "WARNING"  # noqa: F405
# As in local.py: SQLite ignores the covering index's INCLUDE columns (models.W040).
SILENCED_SYSTEM_CHECKS = ["models.W040"]
