"""A visitor whose browser speaks Arabic reads the site right to left, on a desktop and on a
phone, then switches to French from the pledge list with a search in it and back to Arabic.
Every page gets an axe check and a check that the browser logged no error."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import EntityFactory, PledgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page_locale() -> str:
    return "ar"


@pytest.mark.parametrize("width", [1280, 390])
def test_an_arabic_reader_gets_a_right_to_left_site_and_switches_language(page, checkpoint, width):
    page.set_viewport_size({"width": width, "height": 900})
    PledgeFactory(published=True, title="Satellite links for 500 rural schools",
                  entity=EntityFactory(name="Ministry of ICT of Rwanda"))
    def switcher():
        """The language switcher, named in the page's language."""
        with translation.override(page.locator("html").get_attribute("lang")):
            return page.get_by_role("navigation", name=translation.gettext("Language"))

    # The browser's language decides the address without a prefix.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/ar/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator('link[href*="bootstrap.rtl.min.css"]')).to_have_count(1)
    # The switcher is visible without opening the phone menu; the current language is marked.
    expect(switcher().get_by_role("link", name="العربية")).to_have_attribute("aria-current", "true")
    expect(switcher().get_by_role("link", name="Français")).to_be_visible()
    # The page reads from the right: the main heading's right edge is the container's.
    heading = page.get_by_role("heading", level=1).bounding_box()
    main = page.get_by_role("main").bounding_box()
    assert main["x"] + main["width"] - (heading["x"] + heading["width"]) < 40
    checkpoint(f"01-home-ar-{width}")

    page.goto("/ar/pledges/?q=Satellite")
    expect(page.get_by_role("main")).to_contain_text("Satellite links for 500 rural schools")
    checkpoint(f"02-list-ar-{width}")

    # To French: the same page with its search, left to right.
    switcher().get_by_role("link", name="Français").click()
    expect(page).to_have_url(re.compile(r"/fr/pledges/\?q=Satellite$"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Engagements")
    checkpoint(f"03-list-fr-{width}")

    # The cookie remembers French for addresses without a prefix, whatever the browser says.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/fr/$"))

    page.goto("/fr/pledges/?q=Satellite")
    switcher().get_by_role("link", name="العربية").click()
    expect(page).to_have_url(re.compile(r"/ar/pledges/\?q=Satellite$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
