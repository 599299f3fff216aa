"""A visitor who uses the keyboard reaches a country through the home page's world map, and
switches the map to USD, in English and in Arabic (right to left): every country with pledges is
a link in the tab order with its figure as its name, visibly focused; axe finds nothing."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from action_areas.models import Country
from pledges.public_visuals import measure_text
from tests.browser.support import t
from tests.factories import PledgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _pledge_in(iso3: str, **fields):
    pledge = PledgeFactory(published=True, with_defaults=False, **fields)
    pledge.countries.set([Country.objects.get(iso3=iso3)])
    return pledge


@pytest.mark.parametrize(("language", "page_locale"), [("en", "en-GB"), ("ar", "ar")])
def test_a_keyboard_user_reaches_a_country_from_the_map(page, checkpoint, language):
    _pledge_in("RWA", title="Fibre for Kigali")
    _pledge_in("FJI", title="Cables for Suva")
    _pledge_in("FJI", title="Clinics online in Fiji")

    page.goto(f"/{language}/")
    world_map = page.locator("svg.world-map")
    expect(world_map).to_be_visible()
    links = world_map.locator("a.world-map__country")
    expect(links).to_have_count(2)
    checkpoint("01-home-map")

    # Tab from the switch links into the map: each country is the next stop, named with its
    # figure, and its outline changes as it takes the focus.
    with translation.override(language):
        fiji = Country.objects.get(iso3="FJI").name
        fiji_label = gettext("%(country)s: %(figure)s") % {
            "country": fiji, "figure": measure_text("pledges", 2)}
        rwanda = Country.objects.get(iso3="RWA").name
    in_name_order = [iso3 for _name, iso3 in sorted([(fiji, "FJI"), (rwanda, "RWA")])]
    fiji_link = world_map.get_by_role("link", name=fiji_label, exact=True)
    expect(fiji_link).to_be_visible()
    page.get_by_role("link", name=t(language, "USD committed")).focus()
    fill_before = fiji_link.evaluate("a => getComputedStyle(a).fill")
    reached = []
    for _ in range(2):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
    # In the order of their names.
    assert reached == [f"/{language}/countries/{iso3}/" for iso3 in in_name_order]
    if in_name_order[0] == "FJI":  # back to Fiji
        page.keyboard.press("Shift+Tab")
    assert fiji_link.evaluate("a => a === document.activeElement")
    assert fiji_link.evaluate("a => getComputedStyle(a).fill") != fill_before
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('/' + language + '/')[0]}/{language}/countries/FJI/")
    expect(page.locator("svg.locator-map")).to_be_visible()
    checkpoint("02-country-locator")

    # Back home, the map shaded by USD, by a link.
    page.goto(f"/{language}/")
    page.get_by_role("link", name=t(language, "USD committed")).click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?map=usd#map")
    expect(page.locator("#map strong[aria-current]")).to_have_text(t(language, "USD committed"))
    checkpoint("03-home-map-usd")
