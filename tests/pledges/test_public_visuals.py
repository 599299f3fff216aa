"""The home page's world map and charts, the list's map, the country page's locator map and the
Atom feeds: what a visitor sees, and that the pictures say what the counters say."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest

from action_areas.models import Country, Region
from tests.factories import EntityFactory, PledgeFactory
from tests.pledges.public_data import bulk_pledges

pytestmark = pytest.mark.django_db

COUNTRY_LINK = re.compile(
    r'<a href="/en/countries/([A-Z]{3})/" class="world-map__country world-map__shade-(\d)" '
    r'aria-label="([^"]+)">'
)


def _pledge(*, countries=(), regions=(), **fields):
    pledge = PledgeFactory(**fields)
    if countries or regions:
        pledge.countries.set(countries)
        pledge.regions.set(regions)
    return pledge


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _figure(page: str, label: str) -> int:
    """A home counter: the number in the box whose label is `label`."""
    match = re.search(r'<span class="figure-value">([\d,]+)</span> <span class="figure-label">'
                      + label, page)
    assert match, label
    return int(match.group(1).replace(",", ""))


def _map_links(page: str) -> dict[str, tuple[int, str]]:
    return {iso3: (int(shade), unescape(label))
            for iso3, shade, label in COUNTRY_LINK.findall(page)}


def test_each_country_on_the_map_links_to_its_page_with_the_count_that_page_shows(anonymous):
    bulk_pledges(12)
    _pledge(status="draft", countries=[Country.objects.get(iso3="BRA")])
    page = _page(anonymous, "/en/")
    links = _map_links(page)

    assert set(links) == {"RWA", "UGA", "KEN", "FJI", "NPL"}  # not Brazil: its pledge is a draft
    for iso3, (shade, label) in links.items():
        country_page = _page(anonymous, f"/en/countries/{iso3}/")
        shown = int(re.search(r'<span class="figure-value">(\d+)</span> <span class="figure-label">'
                              r"pledges? names? this country", country_page).group(1))
        country = Country.objects.get(iso3=iso3)
        assert label == f"{country.name_en}: {shown} pledge{'s' if shown != 1 else ''}"
        assert 1 <= shade <= 5
    # Countries with no public pledge are drawn, but as land, not as links.
    assert page.count('class="world-map__land"') > 150


def test_the_map_shades_more_pledges_darker_and_says_the_steps_in_its_legend(anonymous):
    rwanda, kenya = Country.objects.get(iso3="RWA"), Country.objects.get(iso3="KEN")
    for _ in range(9):
        _pledge(published=True, countries=[rwanda])
    _pledge(published=True, countries=[kenya])
    page = _page(anonymous, "/en/")
    links = _map_links(page)
    assert links["RWA"][0] == 5
    assert links["KEN"][0] < links["RWA"][0]
    start = page.index("world-map__legend")
    legend = page[start:page.index("</ul>", start)]
    assert "Pledges naming each country:" in legend
    steps = re.findall(r"world-map__shade-(\d)\" aria-hidden=\"true\"></span> ([^<]+)</li>", legend)
    assert steps[0] == ("1", "1") and steps[-1] == ("5", "6 to 9")  # lowest and highest steps


def test_the_map_switches_to_usd_by_a_link_and_its_table_gives_the_same_figures(anonymous):
    rwanda = Country.objects.get(iso3="RWA")
    _pledge(published=True, financial=True, countries=[rwanda],
                  usd_amount=Decimal("2500000"))
    _pledge(published=True, countries=[rwanda])
    page = _page(anonymous, "/en/")
    assert '<a href="?map=usd#map">USD committed</a>' in page
    assert _map_links(page)["RWA"][1] == "Rwanda: 2 pledges"

    usd_page = _page(anonymous, "/en/?map=usd")
    assert _map_links(usd_page)["RWA"][1] == "Rwanda: USD 2.5 million"
    table = usd_page[usd_page.index("The map as a table"):]
    row = re.search(r"<bdi>Rwanda</bdi></a></th><td[^>]*>(\d+)</td><td[^>]*>([^<]+)</td>", table)
    assert row.groups() == ("2", "USD 2.5 million")
    # Anything other than the two measures is the default, never an error.
    assert _map_links(_page(anonymous, "/en/?map=%3Cscript%3E"))["RWA"][1] == "Rwanda: 2 pledges"


def test_global_and_regional_pledges_are_shown_apart_from_the_countries(anonymous):
    PledgeFactory(published=True, is_global=True)
    _pledge(published=True, regions=[Region.objects.get(code="africa")])
    page = _page(anonymous, "/en/")
    assert "1 global pledge" in page
    assert "Africa: 1 pledge for the whole region" in page
    assert _map_links(page) == {}


def test_the_charts_and_their_tables_add_up_to_the_home_counters(anonymous):
    bulk_pledges(20, entities=[EntityFactory(stakeholder_group="government"),
                               EntityFactory(stakeholder_group="academia")])
    page = _page(anonymous, "/en/")
    pledges = _figure(page, "published pledges")
    assert pledges == 20

    def table_rows(caption: str) -> list[tuple[str, int]]:
        table = page[page.index(f"<caption>{caption}</caption>"):]
        table = table[:table.index("</table>")]
        return [(label, int(n)) for label, n in
                re.findall(r'<th scope="row">([^<]+)</th><td class="text-end">(\d+)</td>', table)]

    by_group = table_rows("Bar chart: number of pledges by stakeholder group")
    assert sum(n for _label, n in by_group) == pledges
    assert dict(by_group) == {"Government (incl. local authorities and municipalities)": 10,
                              "Academia and research institutes": 10}
    # The chart draws the same numbers it is described by.
    chart = page[page.index('aria-labelledby="chart-stakeholders-title"'):]
    assert ("Academia and research institutes: 10" in chart[:chart.index("</svg>")])

    by_area = dict(table_rows("Bar chart: number of pledges by action area"))
    for code, name in (("access", "Access"), ("adoption", "Adoption")):
        card = re.search(rf'area={code}">{name}</a>.*?(\d+) pledges', page, re.S)
        assert by_area[name] == int(card.group(1))

    growth = page[page.index("Pledges published each month, and the running totals"):]
    totals = re.findall(r'<td class="text-end">(\d+)</td><td class="text-end">(\d+)</td>',
                        growth[:growth.index("</table>")])
    assert sum(int(new) for new, _total in totals) == pledges
    assert int(totals[-1][1]) == pledges  # the running total ends at the counter


def test_the_timeline_marks_the_events_within_it(anonymous):
    PledgeFactory(published=True, published_at=datetime.datetime(2022, 5, 20, tzinfo=datetime.UTC))
    PledgeFactory(published=True, published_at=datetime.datetime(2023, 2, 1, tzinfo=datetime.UTC))
    page = _page(anonymous, "/en/")
    growth = page[page.index('id="growth-title"'):page.index('id="areas-title"')]
    assert "WTDC-22 Digital Development Roundtable, Kigali (6 June 2022)" in growth
    assert growth.count('class="line-chart__event"') == 2  # on both charts, pledges and USD
    assert "May 2022" in growth and "February 2023" in growth


def test_the_pictures_follow_the_csp_no_inline_style_or_script(anonymous):
    bulk_pledges(8)
    for url in ("/en/", "/en/pledges/", "/en/countries/RWA/"):
        page = _page(anonymous, url)
        for svg in re.findall(r"<svg.*?</svg>", page, re.S):
            assert "style=" not in svg and "<script" not in svg and "onclick" not in svg


def test_the_list_maps_the_listed_pledges_only(anonymous):
    rwanda, kenya = Country.objects.get(iso3="RWA"), Country.objects.get(iso3="KEN")
    _pledge(published=True, pledge_type="policy", countries=[rwanda])
    _pledge(published=True, pledge_type="advocacy", countries=[kenya])
    page = _page(anonymous, "/en/pledges/?type=policy")
    assert "Show these pledges on a map" in page
    links = _map_links(page)
    assert links["RWA"][1] == "Rwanda: 1 pledge"
    assert "KEN" not in links


def test_a_country_page_shows_where_the_country_is(anonymous):
    page = _page(anonymous, "/en/countries/FJI/")
    assert '<svg class="locator-map"' in page
    assert "<title id=\"locator-title\">Map: Fiji among its neighbours</title>" in page


def test_the_atom_feeds_list_published_pledges_and_reports_and_every_page_links_them(anonymous):
    published = PledgeFactory(published=True, title="Fibre for Kigali schools")
    PledgeFactory(status="submitted", title="Secret draft under review")
    response = anonymous.get("/en/pledges/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert "Fibre for Kigali schools" in feed
    assert f"/en/pledges/{published.pk}/" in feed
    assert "Secret draft under review" not in feed

    assert anonymous.get("/en/reports/feed.atom").status_code == 200
    home = _page(anonymous, "/en/")
    assert ('<link rel="alternate" type="application/atom+xml" '
            'title="Newly published pledges (Atom feed)" href="/en/pledges/feed.atom">') in home
    assert 'href="/en/reports/feed.atom"' in home
