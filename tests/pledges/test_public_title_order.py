"""The public pledge list sorted by title ("Title (A to Z)"): accents and case count only after
the letters, in Unicode's root order (titles are written in every language), on PostgreSQL from
the index pledge_public_title (ICU "und-x-icu") and on SQLite with the pyuca collation."""

import pytest

from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


TITLES_IN_ORDER = ["apple orchards online", "Eagle broadband", "Égalité numérique",
                   "eHealth links", "Zeta schools", "Zürich fibre"]


# Unfiltered, the database reads the page from its index; filtered, the page is found in the
# facet bitsets' copy of the title order (pledges.facet_bitsets), which must be the same.
@pytest.mark.parametrize("filtered", ["", "&type=policy"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pledge_list_sorted_by_title_ignores_accents_and_case(anonymous, language, filtered):
    for title in reversed(TITLES_IN_ORDER):
        PledgeFactory(published=True, title=title, pledge_type="policy")
    PledgeFactory(published=True, title="Beta", financial=True)
    response = anonymous.get(f"/{language}/pledges/?sort=title{filtered}")
    titles = [pledge.title for pledge in response.context["page"].items]
    expected = TITLES_IN_ORDER if filtered else [TITLES_IN_ORDER[0], "Beta", *TITLES_IN_ORDER[1:]]
    assert titles == expected
