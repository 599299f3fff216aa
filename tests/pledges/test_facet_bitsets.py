"""The list's facet counts, read from the public pledges' bitsets (pledges.facet_bitsets), are
the grouped query's (pledges.filters.facet_counts, itself checked against the definition in
test_public_facets) for every kind of filter, search and entity; and they follow a change of
the public pledges at once."""

import pytest
from django.core.cache import cache
from django.http import QueryDict

from action_areas.models import Country, CountryGroupMembership
from pledges import campaign_tags, filters, public_cache, selectors
from pledges.models import CampaignTag, Pledge
from tests.factories import EntityFactory, PledgeFactory
from tests.pledges.public_data import bulk_pledges, tag_campaigns
from tests.pledges.test_public_facets import STATES

pytestmark = pytest.mark.django_db

MORE_STATES = [
    "area=access&area=adoption&pillar=affordability&sdg=4&sdg=9",
    "region=africa&region=global&country=KEN&country=RWA",
    "targeting=LDC&targeting=SIDS&beneficiary=youth&type=programme",
    "q=broadband&area=access",
    "q=Kigali+schools",
    "country=FRA",  # a country no pledge names: nothing matches
    "campaign=schools&q=broadband&stakeholder=government",
    "campaign=old-drive",  # an inactive campaign: not offered, the list is unfiltered
    "campaign=schools&entity={entity}&joint=yes",
]


@pytest.mark.parametrize("query", [*STATES, *MORE_STATES])
def test_bitset_counts_are_the_grouped_querys(query):
    entity = EntityFactory(stakeholder_group="government")
    pledges = bulk_pledges(24, entities=[entity, EntityFactory(), EntityFactory()])
    pledges[1].is_global = True
    pledges[1].save()
    tag_campaigns(pledges, bulk_pledges(6, status="submitted"))  # those counted nowhere
    query = query.format(year=pledges[0].published_at.year, entity=entity.pk)
    state = filters.PledgeFilters.from_query(QueryDict(query), selectors.pledge_filter_options())

    counted = selectors.pledge_facets_public(state)

    assert counted == filters.facet_counts(Pledge.objects.public(), state)
    assert counted["total"] == state.apply(Pledge.objects.public()).count()


def test_a_publication_and_a_withdrawal_count_at_once():
    bulk_pledges(5)
    everything = filters.PledgeFilters()
    assert selectors.pledge_facets_public(everything)["total"] == 5
    published = PledgeFactory(published=True, pledge_type="policy")
    counts = selectors.pledge_facets_public(everything)
    assert counts["total"] == 6
    assert counts["counts"]["type"]["policy"] >= 1
    published.status = "withdrawn"
    published.save()
    assert selectors.pledge_facets_public(everything)["total"] == 5


def test_a_deleted_public_pledge_leaves_the_counts_at_once():
    """An operator's deletion (a take-down from a shell: no page deletes a public pledge) leaves
    no row whose updated_at would tell it: the pledges' version, bumped by a trigger, does.
    Deleting a draft leaves the public caches as they are."""
    deleted = PledgeFactory(published=True, pledge_type="policy")
    bulk_pledges(4)  # one of each type, saved later: the latest updated_at is theirs
    everything = filters.PledgeFilters()
    assert selectors.pledge_facets_public(everything)["counts"]["type"]["policy"] == 2
    before = public_cache.public_fingerprint()
    PledgeFactory(status="draft", entity=deleted.entity).delete()
    assert public_cache.public_fingerprint() == before

    deleted.delete()

    assert public_cache.public_fingerprint() != before  # SQLite's trigger too (no bitsets there)
    counts = selectors.pledge_facets_public(everything)
    assert counts["total"] == 4
    assert counts["counts"]["type"]["policy"] == 1


def test_a_cleared_cache_builds_them_again(postgresql, django_assert_max_num_queries):
    """The cache holds the bitsets for every process; a process's own copy is used only while
    the cache confirms it, so that a cleared cache (a deployment, tests) never serves old
    counts. (PostgreSQL builds bitsets; SQLite counts with the grouped query, kept nowhere.)"""
    bulk_pledges(3)
    everything = filters.PledgeFilters()
    assert selectors.pledge_facets_public(everything)["total"] == 3
    Pledge.objects.public().update(status="withdrawn")  # unseen by the fingerprint
    with django_assert_max_num_queries(1):  # the fingerprint only: the kept bitsets serve
        assert selectors.pledge_facets_public(everything)["total"] == 3
    cache.clear()
    assert selectors.pledge_facets_public(everything)["total"] == 0


@pytest.mark.parametrize("query", [
    "type=financial&page=2", "area=access&sort=usd&page=3", "q=broadband&sort=usd",
    "region=africa&sort=title&page=2", "entity={entity}&page=2", "country=FRA",
    "type=policy&page=40",
])
def test_a_filtered_page_lists_what_the_database_lists_in_the_same_order(query):
    """A filtered page is found in the bitsets' copy of the list's orders (or, sorted by title,
    from the matching pledges named by id): the same pledges, in the same order, as the
    database's own ordered and filtered list."""
    entity = EntityFactory()
    pledges = bulk_pledges(50, entities=[entity, EntityFactory()])
    Pledge.objects.filter(pk__in=[p.pk for p in pledges[:10]]).update(
        published_at=pledges[0].published_at)  # ties: broken by id, as in the database
    state = filters.PledgeFilters.from_query(
        QueryDict(query.format(entity=entity.pk)), selectors.pledge_filter_options())

    page = selectors.pledge_page_public(state, page_size=7)

    start = (state.page - 1) * 7
    expected = list(selectors.pledge_list_public(state)[start:start + 8])
    assert [p.pk for p in page.items] == [p.pk for p in expected[:7]]
    assert page.has_next == (len(expected) > 7)


def test_a_campaign_counts_its_confirmed_public_pledges_and_a_confirmation_at_once(secretariat):
    pledges = bulk_pledges(12)
    tag_campaigns(pledges, bulk_pledges(2, status="submitted"))
    everything = filters.PledgeFilters()
    # Proposed, declined, unpublished and inactive-campaign tags count nowhere.
    assert selectors.pledge_facets_public(everything)["counts"]["campaign"] == {
        "schools": 6, "ai-for-good": 7}
    proposed = CampaignTag.objects.get(status="proposed")
    campaign_tags.campaign_tag_transition(actor=secretariat, tag_id=proposed.pk, name="confirm")
    assert selectors.pledge_facets_public(everything)["counts"]["campaign"]["schools"] == 7
    schools = filters.PledgeFilters.from_query(QueryDict("campaign=schools"),
                                               selectors.pledge_filter_options())
    assert {p.pk for p in selectors.pledge_page_public(schools, page_size=50).items} == {
        p.pk for p in [*pledges[:7]]}


def test_a_grouping_entered_in_the_admin_counts_at_once(postgresql):
    """The LDC facet counts a pledge by its countries' groupings of the day: a graduation or a
    new membership entered by the secretariat is a change of the public data (the groupings'
    version in public_cache.public_fingerprint), so the next list counts it, not the one after
    the next pledge change."""
    pledge = PledgeFactory(published=True)
    country = Country.objects.exclude(group_memberships__group="LDC").first()
    pledge.countries.set([country])
    ldc = filters.PledgeFilters.from_query(QueryDict("targeting=LDC"),
                                           selectors.pledge_filter_options())
    assert selectors.pledge_facets_public(ldc)["total"] == 0

    CountryGroupMembership.objects.create(country=country, group="LDC")

    assert selectors.pledge_facets_public(ldc)["total"] == 1


def _totals_by_definition(state) -> dict:
    pledges = list(state.apply(Pledge.objects.public()))
    committed = [p.usd_committed for p in pledges if p.usd_committed is not None]
    return {
        "pledges": len(pledges),
        "usd": sum(committed) if committed else None,
        "awaiting_rate": sum(1 for p in pledges if p.pledge_type == "financial"
                             and p.amount_month and p.usd_amount is None),
        "entities": len({p.entity_id for p in pledges}),
    }


@pytest.mark.parametrize("query", [
    "", "country=KEN", "country=FRA", "event=wtdc-22-kigali", "region=global",
    "type=advocacy", "q=broadband&area=access", "entity={entity}",
])
def test_a_country_s_or_an_event_s_totals_are_their_pledges_sums(postgresql, query):
    """The totals of a country's and an event's page, summed from the bitsets' per-pledge
    values: the number of pledges, the USD committed (a financial pledge's own amount plus its
    funders' contributions, a funded programme's contributions, in cents exactly), those
    awaiting a rate, and the entities that made them."""
    entity = EntityFactory()
    pledges = bulk_pledges(16, entities=[entity, EntityFactory(), EntityFactory()])
    Pledge.objects.filter(pk=pledges[0].pk).update(contributions_usd="250000.55")  # financial
    Pledge.objects.filter(pk=pledges[2].pk).update(contributions_usd="0.45")  # policy
    Pledge.objects.filter(pk=pledges[4].pk).update(  # financial, in a currency without a rate
        usd_amount=None, amount_month="2026-11-01", currency="KES")
    Pledge.objects.filter(pk=pledges[1].pk).update(is_global=True)
    PledgeFactory(status="submitted", pledge_type="financial")  # counted nowhere
    selectors.facet_bitsets.forget()
    cache.clear()
    state = filters.PledgeFilters.from_query(QueryDict(query.format(entity=entity.pk)),
                                             selectors.pledge_filter_options())

    totals = selectors.pledge_totals_public(state)

    assert totals == _totals_by_definition(state)
    if not query:
        assert totals["usd"] == sum(p.usd_committed or 0 for p in Pledge.objects.public())
        assert totals["usd"] % 1 == 0  # the cents of 250,000.55 and 0.45 add up to a dollar
        assert totals["awaiting_rate"] == 1
