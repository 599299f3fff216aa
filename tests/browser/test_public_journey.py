"""A visitor browses the public site in each of the six UN languages, without an account: the
home page's figures, the pledge list, a filter, a search, a pledge, its country, the open-data
page and a CSV download. Every page gets an axe check, a check that no English is
left and a check that the browser logged no error.
"""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from action_areas.models import Country
from tests.browser.support import SIX_LANGUAGES, in_language, open_menu_if_collapsed, t
from tests.factories import EntityFactory, PledgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

def make_pledges():
    ministry = EntityFactory(name="Ministry of ICT of Rwanda")
    PledgeFactory(published=True, financial=True, entity=ministry,
                  title="Satellite links for 500 rural schools",
                  summary="Connect rural schools by satellite.", description="",
                  usd_amount=Decimal("25000000"))
    PledgeFactory(published=True, title="Digital skills for 10,000 teachers",
                  summary="Train teachers.", description="")
    policy = PledgeFactory(published=True, pledge_type="policy", title="Open access law for Fiji",
                           summary="A law.", description="", with_defaults=False)
    policy.countries.set([Country.objects.get(iso3="FJI")])
    PledgeFactory(title="A draft nobody may see")


@pytest.mark.parametrize(("language", "page_locale"), SIX_LANGUAGES)
def test_visitor_browses_filters_searches_reads_and_downloads(page, checkpoint, language):
    make_pledges()
    h1 = page.get_by_role("heading", level=1)
    main = page.get_by_role("main")

    # Home: the coalition in figures.
    page.goto(f"/{language}/")
    figures = page.get_by_role("region", name=t(language, "The coalition in figures"))
    expect(figures).to_contain_text("3")
    expect(page.locator("progress.goal-progress")).to_have_attribute("max", "100")
    checkpoint("01-home")

    # The pledge list, from the menu.
    open_menu_if_collapsed(page)
    page.get_by_role("banner").get_by_role("link", name=t(language, "Pledges"), exact=True).click()
    expect(h1).to_have_text(t(language, "Pledges"))
    expect(main).to_contain_text("Satellite links for 500 rural schools")
    expect(main).not_to_contain_text("A draft nobody may see")
    checkpoint("02-list")

    # Filter: financial pledges only.
    page.get_by_label(re.compile(rf"^{re.escape(t(language, 'Financial'))} \(1\)$")).check()
    page.get_by_role("button", name=t(language, "Apply filters")).click()
    expect(page).to_have_url(re.compile(r"[?&]type=financial"))
    expect(main).to_contain_text("Satellite links for 500 rural schools")
    expect(main).not_to_contain_text("Digital skills for 10,000 teachers")
    checkpoint("03-filtered")

    # Search within the filtered list.
    search = page.get_by_label(t(language, "Search pledges"))
    search.fill("satellite")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q=satellite"))
    expect(page).to_have_url(re.compile(r"type=financial"))
    checkpoint("04-searched")

    # Open the pledge, then the country it acts in.
    main.get_by_role("link", name="Satellite links for 500 rural schools").click()
    expect(h1).to_have_text("Satellite links for 500 rural schools")
    expect(main).to_contain_text("Ministry of ICT of Rwanda")
    with translation.override(language):  # the group's acronym in the page's language
        ldc = translation.pgettext("country group acronym", "LDC")
    expect(main.locator("abbr", has_text=ldc).first).to_be_visible()
    checkpoint("05-pledge")
    rwanda = in_language(language, Country.objects.get(iso3="RWA"))
    main.get_by_role("link", name=rwanda, exact=True).click()
    expect(page).to_have_url(re.compile(r"/countries/RWA/$"))
    expect(main).to_contain_text("Satellite links for 500 rural schools")
    checkpoint("06-country")

    # An empty search says what to do.
    page.goto(f"/{language}/pledges/?q=zzzz-nothing")
    expect(main).to_contain_text(t(language, "No pledge matches this search and these filters."))
    checkpoint("07-empty")

    # Open data: the page, then the CSV of the financial pledges.
    page.goto(f"/{language}/pledges/?type=financial")
    with page.expect_download() as download_info:
        main.get_by_role("link", name=t(language, "CSV"), exact=True).click()
    download = download_info.value
    assert download.suggested_filename.startswith("p2c-pledges-")
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["title"] for row in rows] == ["Satellite links for 500 rural schools"]
    assert rows[0]["usd_amount"] == "25000000.00"
    main.get_by_role("link", name=t(language, "About the data and its licence")).click()
    expect(h1).to_have_text(t(language, "Open data"))
    expect(main).to_contain_text("CC BY 4.0")
    checkpoint("08-open-data")
