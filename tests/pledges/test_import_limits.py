"""Spreadsheet uploads of the secretariat's import (issue #15, finding 6): the file's size is
checked before it is read, blank rows count toward the row limit, a workbook that unpacks to far
more than it weighs is refused before parsing, no cell is longer than Excel allows, and the file
waits for confirmation on disk, never in Redis."""

import time

import pytest
from django.core.cache import cache
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from pledges.models import Pledge
from spreadsheets.admin_desk import IMPORT_FOLDER
from spreadsheets.files import MAX_FILE_BYTES
from tests.admin_import import confirm, csv_bytes, form_errors, upload
from tests.spreadsheet_workbooks import (
    text_row,
    workbook,
    workbook_with_a_huge_cell,
    workbook_with_blank_rows,
)

pytestmark = pytest.mark.django_db

PATH = "pledges/pledge"
HEADER = ["entity", "title", "summary", "pledge_type"]


def _stored_imports() -> list[str]:
    storage = storages["import_export"]
    if not storage.exists(IMPORT_FOLDER):
        return []
    return storage.listdir(IMPORT_FOLDER)[1]


def test_blank_rows_count_toward_the_row_limit(secretariat_client, entity):
    content = workbook_with_blank_rows(HEADER, [entity.name, "One pledge", "S", "policy"],
                                       blank_rows=3_000_000)
    assert len(content) < 10_000  # a few kilobytes of zip...
    started = time.monotonic()
    preview = upload(secretariat_client, PATH, content, "blank.xlsx")
    assert "more than 2,000 rows" in " ".join(form_errors(preview))  # ...stopped at the limit
    assert time.monotonic() - started < 10
    assert not Pledge.objects.exists()


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused_before_parsing(
    secretariat_client, entity
):
    content = workbook_with_a_huge_cell(HEADER, entity.name, megabytes=101)
    assert len(content) < 1024 * 1024
    preview = upload(secretariat_client, PATH, content, "bomb.xlsx")
    assert "unpacks to more than 100 MB" in " ".join(form_errors(preview))
    assert not Pledge.objects.exists()


def test_a_cell_longer_than_excel_allows_is_refused(secretariat_client, entity):
    long_text = "x" * 32_768
    content = workbook([text_row(1, HEADER), text_row(2, [entity.name, "T", long_text, "policy"])])
    preview = upload(secretariat_client, PATH, content, "long.xlsx")
    assert "Line 2 of the sheet “Sheet1” has a cell longer than 32,767 characters" in " ".join(
        form_errors(preview))
    preview = upload(secretariat_client, PATH,
                     csv_bytes([HEADER, [entity.name, "T", long_text, "policy"]]), "long.csv")
    assert "Line 2 has a cell longer than 32,767 characters" in " ".join(form_errors(preview))


def test_a_file_over_the_cap_is_refused_from_its_size_and_never_stored(secretariat_client):
    before = _stored_imports()
    oversized = SimpleUploadedFile("big.csv", b"entity,title\n" + b"x" * MAX_FILE_BYTES)
    response = secretariat_client.post(
        f"/en/admin/{PATH}/import/",
        {"resource": "0", "format": "0", "import_file": oversized},
    )
    assert response.status_code == 200
    assert "more than the 10 MB an import takes" in " ".join(form_errors(response))
    assert _stored_imports() == before


def test_the_previewed_file_waits_on_disk_not_in_redis_and_is_removed_once_imported(
    secretariat_client, entity
):
    from tests.pledges.test_import_export import paper_rows

    content = csv_bytes(paper_rows(entity))
    preview = upload(secretariat_client, PATH, content, "pledges.csv")
    name = preview.context["confirm_form"].initial["import_file_name"]
    assert cache.get(f"django-import-export-{name}") is None  # not in the broker's Redis
    storage = storages["import_export"]
    with storage.open(f"{IMPORT_FOLDER}/{name}", "rb") as waiting:
        assert waiting.read() == content
    confirm(secretariat_client, PATH, preview)
    assert Pledge.objects.count() == 2
    assert not storage.exists(f"{IMPORT_FOLDER}/{name}")
