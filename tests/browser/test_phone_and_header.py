"""Phones and the header: a signed-in member's header keeps to one row at 1280 px in every
language; on a phone the pledge list shows its results first, the filters behind a button, and
the member's pledges as cards with their actions in reach."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import SIX_LANGUAGES, log_in, t
from tests.factories import PledgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(("language", "page_locale"), SIX_LANGUAGES)
def test_the_signed_in_header_keeps_to_one_row_at_1280_px(page, checkpoint, member, language):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/{language}/accounts/login/")
    log_in(page, language, member.email)
    page.goto(f"/{language}/me/")
    navigation = page.locator(".site-header .navbar-nav:visible .nav-link")
    tops = {round(box["y"]) for box in (link.bounding_box() for link in navigation.all())}
    assert len(tops) == 1, f"the navigation wraps onto {len(tops)} rows"
    account = page.locator(".account-bar")
    expect(account.get_by_role("button", name=t(language, "Sign out"), exact=True)).to_be_visible()
    expect(account.get_by_role("link", name=t(language, "My pledges"), exact=True)).to_be_visible()
    account_tops = {round(link.bounding_box()["y"])
                    for link in account.locator(".nav-link").all()}
    assert len(account_tops) == 1
    checkpoint("header")


def test_on_a_phone_the_results_come_first_and_the_filters_open_from_a_button(
    page, checkpoint
):
    PledgeFactory(published=True, title="Satellite links for rural schools")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/en/pledges/")
    results = page.get_by_role("heading", name="1 pledge", exact=True)
    expect(results).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Filter pledges", level=2)).to_be_hidden()
    page.locator("#filters-panel > summary").click()
    expect(page.get_by_role("heading", name="Filter pledges", level=2)).to_be_visible()
    # Each checkbox row, its label included, is a tap target of at least 44 px.
    assert page.locator(".facet .form-check").first.bounding_box()["height"] >= 44
    checkpoint("phone-list")


def test_on_a_phone_my_pledges_are_cards_with_their_actions_in_reach(
    page, checkpoint, member, entity
):
    PledgeFactory(entity=entity, title="Connect 500 schools")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/en/accounts/login/")
    log_in(page, "en", member.email)
    page.goto("/en/my-pledges/")
    action = page.get_by_role("link", name="Continue", exact=True)
    box = action.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # no sideways scrolling to reach it
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    checkpoint("phone-my-pledges")


@pytest.mark.parametrize(("language", "page_locale"), [("en", "en-GB"), ("ar", "ar-EG")])
def test_the_indexes_and_notices_read_well_from_the_footer(page, checkpoint, language):
    from action_areas.models import Country
    from tests.factories import EventFactory

    event = EventFactory(slug="kigali-forum", name_en="Kigali forum")
    pledge = PledgeFactory(published=True, event=event, with_defaults=False)
    pledge.countries.set([Country.objects.get(iso3="RWA")])
    page.goto(f"/{language}/")
    footer = page.get_by_role("contentinfo")
    for name, heading in (("Countries", "Countries where pledges act"), ("Events", "Events"),
                          ("Privacy notice", "Privacy notice"), ("Contact", "Contact")):
        footer.get_by_role("link", name=t(language, name), exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t(language, heading))
        checkpoint(f"{language}-{name}")
        page.go_back()


def test_an_entity_s_role_under_each_pledge_stays_clear_of_the_next_row(page, checkpoint, entity):
    """On an entity's profile each card has the entity's role beneath it; a card as tall as
    its row pushed that line over the cards of the next row."""
    for number in range(4):
        PledgeFactory(entity=entity, published=True, title=f"Connect schools, phase {number}",
                      summary="Fibre and satellite links. " * (1 + 6 * (number % 2)))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/en/entities/{entity.pk}/")
    roles = page.locator(".entity-pledge-role")
    expect(roles).to_have_count(4)
    cards = page.locator("[aria-labelledby=entity-pledges-title] .pledge-card").all()
    first_row_bottom = max(role.bounding_box()["y"] + role.bounding_box()["height"]
                           for role in roles.all()[:2])
    second_row_top = min(card.bounding_box()["y"] for card in cards[2:])
    assert first_row_bottom <= second_row_top, "a role line overlaps the next row's cards"
    checkpoint("entity-pledges")
