"""Every public page costs a fixed number of queries, however many pledges there are."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from action_areas.reference_memo import reference_data
from reporting.selectors.progress import opened_cycles
from tests.factories import EntityFactory
from tests.pledges.public_data import bulk_pledges

pytestmark = pytest.mark.django_db

PAGES = {
    # name: (url, most queries with a cold cache: reference lists 7, counters and facets 16,
    # the page of pledges 1, with its entities, areas, countries and regions)
    # home: its counters, and 4 grouped queries for its map (by country, regional) and timeline
    # (by month, events), none per country; 2 for the needs open and met (matchmaking)
    "home": ("/en/", 15),
    "list": ("/en/pledges/", 23),
    "list filtered": (
        "/en/pledges/?type=financial&type=policy&area=access&area=adoption&region=africa"
        "&targeting=LDC&stakeholder=government&year={year}&sort=usd", 23),
    "list searched": ("/en/pledges/?q=schools+broadband&sort=title", 24),
    "list page 2": ("/en/pledges/?page=2", 23),
    # the pledge; its links to the reference data (from the memo, action_areas.reference_memo)
    # with whether it has revisions, partners, campaigns, progress reports, needs, and the
    # versions; its targets. Its partners, revisions, progress reports and needs only when it
    # has some; its goals, campaigns and the reporting cycles (its reporting status) from the
    # memos.
    "detail": ("/en/pledges/{pledge}/", 3),
    # the entity, its pledges' ids, its first pledges with their links (one statement on
    # PostgreSQL, as a list's cards: 4 in all; SQLite prefetches the links), their count
    "entity": ("/en/entities/{entity}/", 5),
    # country and event: their pages are found in the facet bitsets (pledges.facet_bitsets),
    # which a cold cache builds (the public fingerprint, read once per request, the build's
    # setting and statement); their totals summed from the bitsets too; a page's cards read
    # in one statement; the country itself from the memo
    "country": ("/en/countries/RWA/", 7),
    "event": ("/en/events/wtdc-22-kigali/", 7),
}


def _queries(client, url) -> int:
    cache.clear()  # the expensive parts are cached: count them too
    # The reference data is read once per process and per change of it (its memo), not per page;
    # so are the reporting cycles.
    opened_cycles(timezone.localdate(), reference_data().versions)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    assert "Bulk pledge" in response.content.decode(), f"{url} shows no pledge"
    return len(context)


@pytest.mark.parametrize("page", PAGES)
def test_query_count_is_bounded_and_does_not_grow_with_the_pledges(
    anonymous, page, django_assert_max_num_queries
):
    entity = EntityFactory()
    pledges = bulk_pledges(30, entities=[entity])
    year = pledges[0].published_at.year
    template, most = PAGES[page]
    url = template.format(pledge=pledges[0].pk, entity=entity.pk, year=year)

    with_30 = _queries(anonymous, url)
    bulk_pledges(270, entities=[entity, EntityFactory(), EntityFactory()])
    with_300 = _queries(anonymous, url)

    assert with_300 == with_30, f"{page}: {with_30} queries with 30 pledges, {with_300} with 300"
    cache.clear()
    opened_cycles(timezone.localdate(), reference_data().versions)
    with django_assert_max_num_queries(most):
        anonymous.get(url)


def test_a_warm_cache_spares_the_counters_and_facets(anonymous):
    bulk_pledges(30)
    cold = _queries(anonymous, "/en/pledges/")
    with CaptureQueriesContext(connection) as warm:
        anonymous.get("/en/pledges/")
    assert len(warm) <= 2 < cold  # the page of pledges (one statement) and the fingerprint


@pytest.mark.usefixtures("postgresql")
@pytest.mark.parametrize(("sort", "index"), [("newest", "pledge_public_newest"),
                                             ("usd", "pledge_public_usd"),
                                             ("title", "pledge_public_title")])
def test_postgresql_reads_a_page_in_index_order_without_sorting_every_pledge(sort, index):
    from pledges.filters import PledgeFilters
    from pledges.selectors import pledge_list_public

    bulk_pledges(30)
    page = pledge_list_public(PledgeFilters(sort=sort))[:21]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        try:
            plan = page.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    assert f"Index Scan using {index}" in plan, plan


def _fingerprint_reads(queries) -> int:
    return sum("MIN(embargo_until)" in query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize("url", ["/en/countries/RWA/", "/en/events/wtdc-22-kigali/",
                                 "/en/pledges/?area=access", "/en/"])
def test_a_page_reads_the_public_fingerprint_once(anonymous, postgresql, url):
    """A country page wants it for its pledges, its totals and the global totals; one read
    serves the whole GET request."""
    bulk_pledges(8)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert anonymous.get(url).status_code == 200
    assert _fingerprint_reads(queries) == 1


def test_outside_a_request_every_reading_sees_a_change_at_once(postgresql):
    from pledges import filters, selectors

    bulk_pledges(4)
    everything = filters.PledgeFilters()
    assert selectors.pledge_totals_public(everything)["pledges"] == 4
    bulk_pledges(1)
    assert selectors.pledge_totals_public(everything)["pledges"] == 5


def test_after_a_download_code_outside_the_request_reads_the_fingerprint_afresh(anonymous,
                                                                              postgresql):
    """A streamed download left unread (its request not finished) must not leave its
    fingerprint to what runs next in the thread: a task, a test."""
    from pledges import filters, selectors

    bulk_pledges(3)
    anonymous.get("/en/pledges/export.csv")
    bulk_pledges(1)
    assert selectors.pledge_totals_public(filters.PledgeFilters())["pledges"] == 4


@pytest.mark.parametrize("url", ["/en/countries/RWA/", "/en/"])
def test_a_page_served_over_asgi_reads_the_public_fingerprint_once(postgresql, url):
    """p2c_portal.asgi serves the same pages through the same middleware."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    bulk_pledges(4)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = async_to_sync(AsyncClient().get)(url)
    assert response.status_code == 200
    assert _fingerprint_reads(queries) == 1
