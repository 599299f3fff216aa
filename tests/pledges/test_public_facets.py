"""The facet counts, computed in one grouped query, agree with their definition: for each value
of a facet, the public pledges matching every other facet, the search and the entity, and that
value."""

import pytest
from django.http import QueryDict

from pledges import filters, selectors
from pledges.models import Pledge
from tests.factories import EntityFactory
from tests.pledges.public_data import CAMPAIGN_STATES, bulk_pledges, tag_campaigns

pytestmark = pytest.mark.django_db

STATES = [
    "",
    "type=financial&type=policy",
    "type=financial&area=access&region=africa",
    "region=global&targeting=LDC&sdg=4",
    "q=schools&stakeholder=government&country=RWA",
    "year={year}&event=wtdc-22-kigali&pillar=affordability",
    "entity={entity}&beneficiary=youth",
    "entity=999999",
    *CAMPAIGN_STATES,
]


def _by_definition(public, state: filters.PledgeFilters) -> dict:
    counts = {}
    for name in filters.FACET_NAMES:
        base = state.apply(public, skip=name)
        values = {}
        for value, _label in selectors.pledge_filter_options().get(name, []):
            n = base.filter(filters.FILTERS[name]([value])).count()
            if n:
                values[value] = n
        if name == "year":
            for year in range(2015, 2035):
                n = base.filter(filters.FILTERS[name]([str(year)])).count()
                if n:
                    values[str(year)] = n
        counts[name] = values
    return {"total": state.apply(public).count(), "counts": counts}


@pytest.mark.parametrize("query", STATES)
def test_grouped_counts_agree_with_the_definition(query):
    entity = EntityFactory(stakeholder_group="government")
    pledges = bulk_pledges(24, entities=[entity, EntityFactory(), EntityFactory()])
    pledges[1].is_global = True
    pledges[1].save()
    tag_campaigns(pledges, bulk_pledges(6, status="submitted"))  # those counted nowhere
    query = query.format(year=pledges[0].published_at.year, entity=entity.pk)
    state = filters.PledgeFilters.from_query(QueryDict(query), selectors.pledge_filter_options())
    public = Pledge.objects.public()

    assert filters.facet_counts(public, state) == _by_definition(public, state)
