"""The Celery app. Configuration lives in settings (CELERY_*), read here by namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p2c_portal.settings.local")

app = Celery("p2c_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
