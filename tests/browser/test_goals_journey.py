"""A visitor reads the coalition goals in English, French and Arabic: the Goals page from the
menu, a goal's bar and table, its drill-down and contributing pledges, an earlier date, and the
pledge page naming the goals it counts toward. Every page gets a screenshot and an axe check."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from action_areas.models import CoalitionGoal, Indicator
from tests.browser.support import open_menu_if_collapsed, t
from tests.factories import PledgeFactory, TargetFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_visitor_reads_the_goals(page, checkpoint, language):
    connected = Indicator.objects.get(code="people-connected")
    CoalitionGoal.objects.create(
        code="connect", name_en="Connect one million people",
        name_translations={"fr": "Connecter un million de personnes",
                           "ar": "ربط مليون شخص"},
        indicator=connected, target_value=Decimal("1000000"),
        target_date=datetime.date(2030, 12, 31))
    pledge = PledgeFactory(published=True, title="Community networks in 150 villages",
                           with_defaults=False)
    TargetFactory(pledge=pledge, catalogue_indicator=connected, indicator="People newly "
                  "connected", unit="people", target_value=Decimal("250000"))
    h1 = page.get_by_role("heading", level=1)
    main = page.get_by_role("main")

    page.goto(f"/{language}/")
    open_menu_if_collapsed(page)
    page.get_by_role("banner").get_by_role("link", name=t(language, "Goals"), exact=True).click()
    expect(h1).to_have_text(t(language, "Coalition goals"))
    goal_name = {"en": "Connect one million people", "fr": "Connecter un million de personnes",
                 "ar": "ربط مليون شخص"}[language]
    expect(main).to_contain_text(goal_name)
    expect(main.locator("svg.goal-chart").first).to_be_visible()
    checkpoint("01-goals")

    main.get_by_role("link", name=goal_name).click()
    expect(h1).to_have_text(goal_name)
    expect(main).to_contain_text(t(language, "Contributing pledges"))
    expect(main).to_contain_text("Community networks in 150 villages")
    checkpoint("02-goal")

    page.get_by_label(t(language, "Figures as of")).fill("2022-06-30")
    page.get_by_role("button", name=t(language, "Show"), exact=True).click()
    expect(main).to_contain_text(t(language, "No published pledge counts toward this goal yet."))
    checkpoint("03-goal-as-of")

    page.goto(f"/{language}/goals/connect/")
    main.get_by_role("link", name="Community networks in 150 villages").click()
    expect(main).to_contain_text(t(language, "Counts toward coalition goals"))
    expect(main.get_by_role("link", name=goal_name)).to_be_visible()
    checkpoint("04-pledge")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_visitor_reads_a_campaign(page, checkpoint, language):
    """A campaign's page: theme, period, its goal's bar and table counting its confirmed
    pledges, the pledges themselves; the pledge page names the campaign."""
    from action_areas.models import Campaign
    from pledges.models import CampaignTag

    today = datetime.date.today()
    schools = Indicator.objects.get(code="schools-connected")
    campaign = Campaign.objects.create(
        slug="schools", name_en="Connect every school",
        name_translations={"fr": "Connecter chaque école"},
        description_en="Giga's drive to connect every school.",
        description_translations={"fr": "L’initiative Giga pour connecter chaque école."},
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=90))
    campaign.indicators.add(schools)
    CoalitionGoal.objects.create(
        code="schools-campaign", name_en="10 000 schools in the campaign",
        name_translations={"fr": "10 000 écoles dans la campagne"}, indicator=schools,
        target_value=Decimal("10000"), target_date=today + datetime.timedelta(days=365),
        scope="campaign", campaign=campaign)
    pledge = PledgeFactory(published=True, title="Fibre to 1 200 rural schools",
                           with_defaults=False)
    TargetFactory(pledge=pledge, catalogue_indicator=schools, indicator="Schools connected",
                  unit="schools", target_value=Decimal("1200"))
    CampaignTag.objects.create(pledge=pledge, campaign=campaign, status="confirmed",
                               decided_at=pledge.published_at)
    theme = {"en": "Connect every school", "fr": "Connecter chaque école"}[language]
    h1 = page.get_by_role("heading", level=1)
    main = page.get_by_role("main")

    page.goto(f"/{language}/campaigns/")
    expect(h1).to_have_text(t(language, "Campaigns"))
    checkpoint("01-campaigns")

    main.get_by_role("link", name=theme).click()
    expect(h1).to_have_text(theme)
    expect(main.locator("svg.goal-chart").first).to_be_visible()
    expect(main).to_contain_text(t(language, "Pledges in this campaign"))
    checkpoint("02-campaign")

    main.get_by_role("link", name="Fibre to 1 200 rural schools").click()
    expect(main.get_by_role("link", name=theme)).to_be_visible()
    checkpoint("03-pledge")


def test_on_a_phone_the_goals_tables_scroll_in_their_own_box_not_the_page(page, checkpoint):
    """390 px, French: goal values written with no-break spaces ("100 000 000 000") are wider
    than the screen; their tables scroll inside a focusable box, the page never sideways."""
    connected = Indicator.objects.get(code="people-connected")
    CoalitionGoal.objects.create(
        code="connect", name_en="Connect one hundred billion people",
        name_translations={"fr": "Connecter cent milliards de personnes"},
        indicator=connected, target_value=Decimal("100000000000"),
        target_date=datetime.date(2030, 12, 31))
    pledge = PledgeFactory(published=True, title="Community networks in 150 villages",
                           with_defaults=False)
    TargetFactory(pledge=pledge, catalogue_indicator=connected, indicator="People newly "
                  "connected", unit="people", target_value=Decimal("25000000000"))
    page.set_viewport_size({"width": 390, "height": 844})
    for path, step in (("/fr/goals/", "phone-goals"), ("/fr/goals/connect/", "phone-goal")):
        page.goto(path)
        expect(page.get_by_role("main")).to_contain_text("Connecter cent milliards de personnes")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, step
        for box in page.locator("main .table-responsive").all():
            assert box.get_attribute("tabindex") == "0"  # a keyboard scrolls it too
        checkpoint(step)
