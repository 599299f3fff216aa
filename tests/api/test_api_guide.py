"""The API's guide is a page of the site in every language, linked from the open-data page; its
interactive reference runs from the package's own files under the site's CSP."""

import re

import pytest
from django.conf import settings


@pytest.mark.django_db
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_guide_is_there_in_every_language(client, language):
    page = client.get(f"/{language}/api/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/api/v1/reference/"' in html and 'href="/api/v1/schema/"' in html
    assert "CC BY 4.0" in html and "curl" in html and "import requests" in html
    if language != "en":
        assert "Paging and syncing" not in html


@pytest.mark.django_db
def test_the_open_data_page_links_the_guide_and_the_data_package(client):
    html = client.get("/fr/open-data/").content.decode()
    assert 'href="/fr/api/"' in html
    assert 'href="/fr/open-data/datapackage.json"' in html


@pytest.mark.django_db
def test_the_interactive_reference_needs_no_inline_script_nor_cdn(client):
    page = client.get("/api/v1/reference/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/") for source in sources), sources
    script = client.get("/api/v1/reference/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
