"""Settings of `make bench-import` (bench/imports.py): the production settings of bench.settings,
less the static files' manifest. The import is driven through Django's test client, in-process,
without `collectstatic`; the page links its CSS by plain names instead of hashed ones, which
changes nothing of what is measured."""

from bench.settings import *  # noqa: F403
from bench.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
