"""Arabic, written right to left: the direction of every layout, Bootstrap's RTL build, logical
CSS, and what people wrote kept in its own direction (a Latin title on an Arabic page)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

BOOTSTRAP = '/static/bootstrap/css/bootstrap.min.css"'
BOOTSTRAP_RTL = '/static/bootstrap/css/bootstrap.rtl.min.css"'


@pytest.mark.parametrize("url", ["/ar/", "/ar/pledges/", "/ar/accounts/login/", "/ar/nowhere/"])
def test_arabic_pages_are_right_to_left_with_bootstraps_rtl_build(anonymous, url):
    html = anonymous.get(url).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert BOOTSTRAP_RTL in html and BOOTSTRAP not in html


@pytest.mark.parametrize("language", ["en", "es", "fr", "ru", "zh-hans"])
def test_other_languages_are_left_to_right(anonymous, language):
    html = anonymous.get(f"/{language}/").content.decode()
    assert f'<html lang="{language}" dir="ltr">' in html
    assert BOOTSTRAP in html and BOOTSTRAP_RTL not in html


def test_the_admin_in_arabic_is_right_to_left_with_the_desks_styles(secretariat_client):
    html = secretariat_client.get("/ar/admin/").content.decode()
    assert 'dir="rtl"' in html.split("<head>")[0]
    # The desk's stylesheet comes before the admin's rtl.css, which may override it.
    assert html.index("/static/css/admin.css") < html.index("/static/admin/css/rtl.css")


def test_the_sites_own_css_has_no_physical_left_or_right():
    physical = re.compile(
        r"(?:margin|padding|border)-(?:left|right)|(?<![\w-])(?:left|right)\s*:"
        r"|text-align:\s*(?:left|right)|float:\s*(?:left|right)"
    )
    for name in ("site.css", "admin.css"):
        css = (Path(settings.BASE_DIR) / "static" / "css" / name).read_text()
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        assert not physical.findall(css), name


def test_templates_use_bootstraps_logical_utilities():
    # Bootstrap 5 spells sides start/end (ms-, pe-, text-start, float-end), which its RTL build
    # mirrors; the Bootstrap 4 names would not be.
    physical = re.compile(r'class="[^"]*\b(?:(?:float|text)-(?:left|right)|[mp][lr]-\d)\b')
    for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        assert not physical.findall(template.read_text()), template


def test_a_latin_title_and_name_keep_their_direction_on_an_arabic_page(anonymous):
    pledge = PledgeFactory(published=True, title="Connect 500 schools",
                           entity__name="Connect Foundation")
    listed = anonymous.get("/ar/pledges/").content.decode()
    assert "<bdi>Connect 500 schools</bdi>" in listed
    assert "<bdi>Connect Foundation</bdi>" in listed
    assert '<p class="card-text" dir="auto">Connect rural schools' in listed

    page = anonymous.get(pledge.get_absolute_url().replace("/en/", "/ar/")).content.decode()
    assert re.search(r'<h1 id="pledge-title" class="pledge-title" dir="auto">\s*Connect 500', page)
    assert '<p class="lead" dir="auto">' in page


def test_the_bdi_filter_isolates_and_escapes():
    template = engines["django"].from_string("{% load bidi %}{{ name|bdi }}")
    assert template.render({"name": "<Ana & Co>"}) == "<bdi>&lt;Ana &amp; Co&gt;</bdi>"
