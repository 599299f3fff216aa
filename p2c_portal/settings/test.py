"""pytest: whatever DATABASE_URL/REDIS_URL point to (CI: the real PostgreSQL and Redis)."""

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run tasks in-process; the worker integration test starts a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
if REDIS_URL:
    # Keep test keys apart from a developer's running site on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "p2c-test"
# Task-succeeded lines from eager Celery drown test output; warnings and errors still show.
LOGGING["loggers"]["celery"]["level"] = "WARNING"  # noqa: F405
# As in local.py: SQLite ignores the covering index's INCLUDE columns (models.W040).
SILENCED_SYSTEM_CHECKS = ["models.W040"]
