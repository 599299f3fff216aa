"""A pledge's card in the list: its action areas in the framework's order, its regions, its first
countries and how many more, in the page's language. The page reads its pledges with their
entity, areas, countries and regions in one statement (pledges.selectors._cards), whether the
page is found by the database or in the facet bitsets."""

import re

import pytest

from action_areas.models import ActionArea, Country, Region
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

COUNTRIES = ["RWA", "KEN", "FRA", "BRA", "IND", "FJI"]


def _card(html: str, title: str) -> str:
    start = html.index(title)
    return html[start:html.index("</article>", start)]


@pytest.fixture
def pledge():
    pledge = PledgeFactory(published=True, title="Fibre for the Great Lakes",
                           pledge_type="policy")
    pledge.action_areas.set(ActionArea.objects.filter(code__in=["adoption", "access"]))
    pledge.regions.set(Region.objects.filter(code="africa"))
    pledge.countries.set(Country.objects.filter(iso3__in=COUNTRIES))
    PledgeFactory(published=True, title="Another pledge", pledge_type="financial")
    return pledge


@pytest.mark.parametrize("query", ["", "?type=policy", "?type=policy&sort=title",
                                   "?q=fibre&page=1"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_card_names_the_areas_regions_and_first_countries(anonymous, pledge, query, language):
    html = anonymous.get(f"/{language}/pledges/{query}").content.decode()

    card = re.sub(r"\s+", " ", _card(html, "Fibre for the Great Lakes"))
    areas = [ActionArea.objects.get(code=code).name_in(language)
             for code in ("access", "adoption")]  # by their position in the framework
    assert re.search(re.escape(areas[0]) + ".*" + re.escape(areas[1]), card)
    first_four = sorted(Country.objects.filter(iso3__in=COUNTRIES),
                        key=lambda country: country.name_en)[:4]
    for country in first_four:
        assert country.name_in(language) in card
    assert Region.objects.get(code="africa").name_in(language) in card
    assert ("2 more countries" if language == "en" else "2 autres pays") in card
