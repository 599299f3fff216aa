"""The countries page: every country a public pledge names, by ITU-D region, with counts and
the groupings of the day, in a constant number of queries."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from action_areas.models import Country
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _pledge_in(*iso3s: str, **fields):
    pledge = PledgeFactory(published=True, with_defaults=False, **fields)
    pledge.countries.set(Country.objects.filter(iso3__in=iso3s))
    return pledge


def test_countries_with_public_pledges_are_listed_by_region_with_counts(anonymous):
    _pledge_in("RWA", "KEN")
    _pledge_in("RWA")
    _pledge_in("FRA", status="draft", reference=None, published_at=None)  # not public
    html = _html(anonymous.get("/en/countries/"))
    assert re.search(r'Rwanda</bdi></a>\s*<span[^>]*>· 2 pledges</span>', html)
    assert re.search(r'Kenya</bdi></a>\s*<span[^>]*>· 1 pledge</span>', html)
    assert "France" not in html  # only a draft names it
    assert 'href="/en/countries/RWA/"' in html
    africa = html.index(">Africa</h2>")
    assert africa < html.index("Kenya") < html.index("Rwanda")  # by name inside the region
    # Rwanda is an LDC and an LLDC today; Kenya is neither.
    rwanda = html[html.index("Rwanda</bdi>"):html.index("</li>", html.index("Rwanda</bdi>"))]
    assert ">LDC</abbr>" in rwanda and ">LLDC</abbr>" in rwanda
    kenya = html[html.index("Kenya</bdi>"):html.index("</li>", html.index("Kenya</bdi>"))]
    assert "abbr" not in kenya


def test_the_groupings_are_those_of_the_day(anonymous):
    _pledge_in("BTN")
    assert ">LDC</abbr>" not in _html(anonymous.get("/en/countries/"))  # graduated 13 Dec 2023
    with time_machine.travel(datetime.datetime(2023, 12, 12, 12, tzinfo=datetime.UTC)):
        cache.clear()
        assert ">LDC</abbr>" in _html(anonymous.get("/en/countries/"))


def test_the_countries_page_is_in_the_visitors_language(anonymous):
    _pledge_in("RWA")
    html = _html(anonymous.get("/fr/countries/"))
    assert "Pays où agissent les engagements" in html
    assert "Afrique" in html


def test_the_countries_page_costs_the_same_queries_for_few_or_many_countries(anonymous):
    """Counted with an empty cache each time (the facet bitsets, which give the numbers, built
    again): the same queries for one country as for eight."""
    def cold_queries() -> tuple[int, str]:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            html = _html(anonymous.get("/en/countries/"))
        return len(queries), html

    _pledge_in("RWA")
    few, _html_few = cold_queries()
    for iso3 in ("KEN", "FRA", "BRA", "IND", "FJI", "BTN", "NPL"):
        _pledge_in(iso3)
    many, html = cold_queries()
    assert "Fiji" in html and "Nepal" in html
    assert many == few


def test_the_footer_links_to_the_indexes_and_the_notices(anonymous):
    html = _html(anonymous.get("/en/"))
    for address in ("/en/countries/", "/en/events/", "/en/privacy/", "/en/contact/"):
        assert f'href="{address}"' in html
