"""The site reads no request body over MAX_REQUEST_BODY_BYTES (12 MB, the reverse proxy's cap
too): a bigger upload is refused before any of it is read or spooled to a temporary file, while
the import desk's own 10 MB limit still answers with its message for files just over it."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from spreadsheets.files import MAX_FILE_BYTES
from tests.pledges.test_import_limits import _stored_imports

pytestmark = pytest.mark.django_db

IMPORT = "/en/admin/pledges/pledge/import/"


def test_the_limits_fit_together():
    # The largest file a form takes, with its framing, passes the body cap...
    assert MAX_FILE_BYTES + 64 * 1024 < settings.MAX_REQUEST_BODY_BYTES <= 16 * 1024 * 1024
    # ...and form fields of 1 MB each (the hostile-input test sends two) fit in memory.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= 2 * 1_000_000
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_body_over_the_cap_is_refused_before_it_is_read(secretariat_client, anonymous):
    before = _stored_imports()
    huge = SimpleUploadedFile("huge.csv", b"x" * (settings.MAX_REQUEST_BODY_BYTES + 1))
    response = secretariat_client.post(IMPORT, {"resource": "0", "format": "0",
                                                "import_file": huge})
    assert response.status_code == 400
    assert _stored_imports() == before
    # Anyone's: the sign-in page too.
    response = anonymous.post("/en/accounts/login/", {"login": "x" * 13 * 1024 * 1024})
    assert response.status_code == 400
    # Refused before the language is known: the page says why in every language of the site.
    page = response.content.decode()
    assert "a file to import can be at most 10 MB" in page
    assert '<div lang="fr">' in page and "un fichier à importer fait au plus 10 Mo" in page
    assert '<div lang="ar" dir="rtl">' in page


def test_a_file_just_over_the_import_limit_still_gets_its_message(secretariat_client):
    response = secretariat_client.post(IMPORT, {
        "resource": "0", "format": "0",
        "import_file": SimpleUploadedFile("big.csv", b"x" * (MAX_FILE_BYTES + 1024)),
    })
    assert response.status_code == 200
    errors = response.context["form"].errors["import_file"]
    assert "more than the 10 MB an import takes" in " ".join(errors)


def test_a_malformed_length_is_a_bad_request(anonymous):
    response = anonymous.generic("POST", "/en/accounts/login/", b"login=a",
                                 content_type="application/x-www-form-urlencoded",
                                 CONTENT_LENGTH="not-a-number")
    assert response.status_code == 400
