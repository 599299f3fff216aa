"""Files of import previews that were never confirmed are deleted a day after their upload by a
periodic task, not only when someone uploads again (issue #15): an import desk nobody uses again
keeps no spreadsheet of pledges or contacts on disk."""

import datetime
import os

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from p2c_portal.celery import app as celery_app
from spreadsheets.admin_desk import IMPORT_FOLDER
from spreadsheets.tasks import import_files_remove_abandoned
from tests.admin_import import csv_bytes, upload


@pytest.fixture
def import_dir(tmp_path):
    """A temporary IMPORT_STORAGE_DIR, as settings.STORAGES builds it."""
    storages = {**settings.STORAGES, "import_export": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }}
    with override_settings(STORAGES=storages):
        yield tmp_path


def _waiting_file(directory, name: str, *, age: datetime.timedelta) -> str:
    folder = directory / IMPORT_FOLDER
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(b"entity,title\nMinistry,Connect schools\n")
    moment = (timezone.now() - age).timestamp()
    os.utime(path, (moment, moment))
    return str(path)


def test_beat_runs_the_cleanup_every_hour():
    [entry] = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] == "spreadsheets.tasks.import_files_remove_abandoned"]
    assert entry["schedule"] <= 3600
    assert entry["task"] in celery_app.tasks  # the worker knows it by that name


def test_previews_older_than_a_day_are_removed_and_recent_ones_kept(import_dir):
    abandoned = _waiting_file(import_dir, "abandoned", age=datetime.timedelta(days=1, hours=1))
    old = _waiting_file(import_dir, "older", age=datetime.timedelta(days=30))
    recent = _waiting_file(import_dir, "recent", age=datetime.timedelta(hours=23))
    outside = import_dir / "not-an-import.txt"  # only the import folder is the task's
    outside.write_text("keep me")
    os.utime(outside, (0, 0))

    assert import_files_remove_abandoned.delay().get() == 2
    assert not os.path.exists(abandoned) and not os.path.exists(old)
    assert os.path.exists(recent) and outside.exists()
    # Run again (a second beat, a redelivered task): nothing more to do, nothing fails.
    assert import_files_remove_abandoned.delay().get() == 0
    assert os.path.exists(recent)


def test_an_empty_or_missing_import_directory_is_no_error(import_dir):
    assert import_files_remove_abandoned.delay().get() == 0  # the folder was never created
    (import_dir / IMPORT_FOLDER).mkdir()
    assert import_files_remove_abandoned.delay().get() == 0


@pytest.mark.django_db
def test_a_preview_waiting_less_than_a_day_is_kept(
    import_dir, secretariat_client, entity
):
    from tests.pledges.test_import_export import paper_rows

    preview = upload(secretariat_client, "pledges/pledge", csv_bytes(paper_rows(entity)))
    name = preview.context["confirm_form"].initial["import_file_name"]
    stored = import_dir / IMPORT_FOLDER / name
    assert stored.exists()  # the upload went to the temporary IMPORT_STORAGE_DIR
    assert import_files_remove_abandoned.delay().get() == 0
    assert stored.exists()
