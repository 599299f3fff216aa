"""A visitor reads the coalition goals in English, French and Arabic: the Goals page from the
menu, a goal's bar and table, its drill-down and contributing pledges, an earlier date, and the
pledge page naming the goals it counts toward. Every page gets an axe check."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from action_areas.models import CoalitionGoal, Indicator
from pledges import workflow
from reporting.models import ReportingCycle
from tests.browser.support import (
    LANGUAGES,
    date_text,
    form_label,
    in_language,
    log_in,
    number_text,
    open_menu_if_collapsed,
    t,
)
from tests.factories import PledgeFactory, TargetFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DRAFT_TITLE = "Fibre to 1,000 homes in Kigali"
EARLIER_TITLE = "Fibre to 400 homes in Huye"
GOAL_NAMES = {"en": "Fibre to 10,000 households", "fr": "La fibre dans 10 000 ménages"}


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


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_a_new_indicator_and_goal_count_a_members_target_and_its_progress(
    page, checkpoint, checkpoint_of, person_browser, language, entity, member, secretariat,
):
    """The issue's "done when", end to end: the secretariat adds an indicator and a goal in the
    admin; a member's pledge target picks the indicator on the pledge form; once the pledge is
    published the Goals page shows the committed figure grown by that target; the member's
    progress report moves "achieved"; figures as of the day before move neither."""
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    tr = lambda message, **values: t(language, message, **values)  # noqa: E731
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    draft = PledgeFactory(entity=entity, created_by=member, title=DRAFT_TITLE)
    cycle = ReportingCycle.objects.create(
        name_en=f"{today.year} annual report",
        name_translations={"fr": f"Rapport annuel {today.year}"},
        period_start=datetime.date(today.year, 1, 1), period_end=datetime.date(today.year, 12, 31),
        opens_on=yesterday, due_on=today + datetime.timedelta(days=30))

    # --- The secretariat adds the indicator, then the goal, in the admin. ----------------------
    desk = person_browser("secretariat", language)
    desk.goto(f"/{language}/admin/action_areas/indicator/add/")
    log_in(desk, language, secretariat.email)
    desk.locator("#id_code").fill("households-fibre")
    desk.locator("#id_name_en").fill("Households connected to fibre")
    desk.locator("#id_name_in_fr").fill("Ménages raccordés à la fibre")
    desk.locator("#id_unit_en").fill("households")
    desk.locator("#id_unit_in_fr").fill("ménages")
    desk.locator("#id_definition_en").fill("Homes with a working fibre connection.")
    desk.locator("#id_aggregation").select_option("sum")
    checkpoint_of(desk, "01-admin-indicator")
    desk.locator("input[name=_save]").click()
    expect(desk.locator(".messagelist")).to_have_count(1)
    indicator = Indicator.objects.get(code="households-fibre")

    # An older pledge already counts 400 households (published last year, before this page).
    earlier = PledgeFactory(published=True, title=EARLIER_TITLE, with_defaults=False)
    earlier.published_at = timezone.now() - datetime.timedelta(days=365)
    earlier.save(update_fields=["published_at"])
    TargetFactory(pledge=earlier, catalogue_indicator=indicator,
                  indicator="Households connected to fibre", unit="households",
                  target_value=Decimal("400"))

    desk.goto(f"/{language}/admin/action_areas/coalitiongoal/add/")
    desk.locator("#id_code").fill("fibre-homes")
    desk.locator("#id_name_en").fill(GOAL_NAMES["en"])
    desk.locator("#id_name_in_fr").fill(GOAL_NAMES["fr"])
    desk.locator("#id_measure").select_option("indicator")
    desk.locator("#id_indicator").select_option(str(indicator.pk))
    desk.locator("#id_target_value").fill("10000")
    desk.locator("#id_target_date").fill("2030-12-31")
    desk.locator("#id_scope").select_option("all")
    checkpoint_of(desk, "02-admin-goal")
    desk.locator("input[name=_save]").click()
    expect(desk.locator(".messagelist")).to_have_count(1)
    assert CoalitionGoal.objects.filter(code="fibre-homes", indicator=indicator).exists()

    goal_name = GOAL_NAMES[language]
    unit = {"en": "households", "fr": "ménages"}[language]
    figures = page.get_by_role("region", name=tr("%(goal)s: the figures of the chart",
                                                 goal=goal_name))

    def expect_figures(committed: str, achieved: str) -> None:
        """After a reload: anonymous pages are kept 15 s (p2c_portal/page_cache.py), the
        visitor sees a change once that has passed, which the test does not wait for."""
        cache.clear()
        page.reload()
        committed_row = figures.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=tr("Committed"), exact=True))
        achieved_row = figures.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=tr("Achieved (latest reports)"), exact=True))
        for row, value in ((committed_row, committed), (achieved_row, achieved)):
            # "1,400 households (14%)": the figure, its unit, then its share of the goal.
            expect(row.get_by_role("cell")).to_have_text(
                re.compile(rf"^{re.escape(number_text(language, value))} {unit} \("))

    # The public Goals page: the goal, committed 400 households by the earlier pledge.
    page.goto(f"/{language}/goals/")
    page.get_by_role("main").get_by_role("link", name=goal_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(goal_name)
    expect_figures("400", "0")
    checkpoint("03-goal-before")

    # --- The member's draft: its target picks the new indicator on the pledge form. -----------
    desk_member = person_browser("member", language)
    desk_member.goto(f"/{language}/my-pledges/{draft.pk}/edit/targets/")
    log_in(desk_member, language, member.email)
    target = desk_member.get_by_role("group", name=tr("Target %(number)s", number=1))
    indicator_name = {"en": "Households connected to fibre",
                      "fr": "Ménages raccordés à la fibre"}[language]
    other_indicator = target.get_by_label(form_label(language, "Other indicator"))
    expect(other_indicator).to_be_visible()
    target.get_by_label(form_label(language, "Indicator")).select_option(label=indicator_name)
    # The indicator's own name and unit are the target's: the fields for another one go away.
    expect(other_indicator).to_be_hidden()
    expect(target.get_by_label(form_label(language, "Unit"))).to_be_hidden()
    target.get_by_label(form_label(language, "Target value")).fill(number_text(language, "1000"))
    checkpoint_of(desk_member, "04-target-picks-indicator")
    desk_member.get_by_role("button", name=tr("Save and continue"), exact=True).click()
    expect(desk_member.get_by_role("status")).to_contain_text(tr("Draft saved."))
    desk_member.goto(f"/{language}/my-pledges/{draft.pk}/review/")
    checkpoint_of(desk_member, "05-review")
    desk_member.get_by_role("button", name=tr("Submit for review")).click()
    expect(desk_member.get_by_role("status")).to_be_visible()
    (chosen,) = draft.targets.all()
    assert chosen.catalogue_indicator_id == indicator.pk

    # Not published yet: the goal has not moved.
    expect_figures("400", "0")

    # The secretariat publishes it (its review desk has its own journey).
    workflow.pledge_transition(pledge_id=draft.pk, name="publish", actor=secretariat)
    expect_figures("1400", "0")
    expect(page.get_by_role("main")).to_contain_text(DRAFT_TITLE)
    checkpoint("06-goal-grown-by-the-target")

    # --- The member reports 250 households connected: "achieved" moves. ----------------------
    desk_member.goto(f"/{language}/my-pledges/{draft.pk}/progress/{cycle.pk}/")
    expect(desk_member.get_by_role("heading", level=1)).to_have_text(
        tr("Progress report for %(cycle)s", cycle=in_language(language, cycle)))
    desk_member.get_by_label(tr("On track"), exact=True).check()
    desk_member.get_by_label(
        re.compile(rf"^\s*{re.escape(tr('Percentage complete'))}")).fill("25")
    achieved = desk_member.get_by_role("group", name=tr("Values achieved so far"))
    achieved.get_by_role("textbox").first.fill("250")
    desk_member.get_by_label(tr("What happened"), exact=True).fill(
        "The first 250 homes are connected.")
    checkpoint_of(desk_member, "07-progress-report")
    desk_member.get_by_role("button", name=tr("Submit the report"), exact=True).click()
    expect(desk_member.get_by_role("status")).to_contain_text(tr(
        "Thank you: your progress report for “%(cycle)s” has been submitted.",
        cycle=in_language(language, cycle)))

    expect_figures("1400", "250")
    checkpoint("08-goal-achieved-moved")

    # --- Figures as of yesterday: neither the target nor the report had happened. ------------
    page.get_by_label(tr("Figures as of")).fill(yesterday.isoformat())
    page.get_by_role("button", name=tr("Show"), exact=True).click()
    expect(page.get_by_role("main")).to_contain_text(
        tr("Figures as of %(date)s.", date=date_text(language, yesterday)))
    expect_figures("400", "0")
    expect(page.get_by_role("main")).not_to_contain_text(DRAFT_TITLE)
    checkpoint("09-goal-as-of-yesterday")

    # On a phone the same page fits the screen: its tables scroll in their own box.
    page.set_viewport_size({"width": 390, "height": 844})
    expect_figures("400", "0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    checkpoint("10-phone-goal-as-of-yesterday")
