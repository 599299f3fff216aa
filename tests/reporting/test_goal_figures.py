"""Coalition goals add up exactly: sum or maximum as the indicator says, each target once, only
public pledges, achieved from the latest public report, and country groups as of the date."""

import datetime
from decimal import Decimal

import pytest

from action_areas.models import ActionArea, CoalitionGoal, Country
from reporting.models import ProgressReport, ReportingCycle, TargetProgress
from reporting.selectors.goals import (
    ACTION_AREA,
    STAKEHOLDER_GROUP,
    Slice,
    goal_contributing_pledges,
    goal_figures,
)
from tests.factories import PledgeFactory
from tests.reporting import goal_data
from tests.reporting.goal_data import KIGALI, goal

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 1)


@pytest.fixture
def data():
    return goal_data.build()


def figures(the_goal, *, as_of=TODAY, part=None):
    return goal_figures([(the_goal, part or Slice())], as_of=as_of)[0]


def test_summed_indicator_counts_each_public_target_once(data):
    people = goal("people", indicator=goal_data.indicator("people-connected"))
    result = figures(people)
    # Rwanda 100 (in two areas, with a co-pledger: still once) + Bhutan 50 + Fiji 7; not the
    # withdrawn, submitted or embargoed pledges' 1000 each, nor the free-text target's 5000.
    assert result.committed == Decimal("157")
    assert result.targets == 3 and result.pledges == 3
    # Latest public values: Rwanda 60 (2024 report), Bhutan 20 (its 2024 report is a draft).
    assert result.achieved == Decimal("80")
    assert result.committed_percent == Decimal("15.7")


def test_coverage_indicator_takes_the_maximum(data):
    coverage = goal("coverage", indicator=goal_data.indicator("mobile-broadband-coverage"),
                    target_value=Decimal("100"))
    result = figures(coverage)
    assert result.committed == Decimal("70")
    assert result.achieved == Decimal("65")


def test_as_of_a_date_counts_what_was_published_and_reported_by_then(data):
    people = goal("people", indicator=goal_data.indicator("people-connected"))
    assert figures(people, as_of=KIGALI).committed == Decimal("150")  # not Fiji's, from 2024
    assert figures(people, as_of=KIGALI).achieved == Decimal("0")
    # After the 2023 reports, before the 2024 ones: Rwanda 30, Bhutan 20.
    assert figures(people, as_of=datetime.date(2024, 6, 1)).achieved == Decimal("50")


def test_country_group_scope_uses_the_groupings_of_the_date(data):
    ldc = goal("ldc-people", indicator=goal_data.indicator("people-connected"),
               scope=CoalitionGoal.Scope.COUNTRY_GROUP, country_group="LDC")
    # At Kigali Bhutan was an LDC: Rwanda 100 + Bhutan 50. Since 13 Dec 2023 it is not.
    assert figures(ldc, as_of=KIGALI).committed == Decimal("150")
    assert figures(ldc, as_of=TODAY).committed == Decimal("100")
    assert figures(ldc, as_of=TODAY).achieved == Decimal("60")


def test_region_and_action_area_scopes(data):
    africa = goal("africa", indicator=goal_data.indicator("people-connected"),
                  scope=CoalitionGoal.Scope.REGION, region=data["africa"])
    adoption = goal("adoption", indicator=goal_data.indicator("people-connected"),
                    scope=CoalitionGoal.Scope.ACTION_AREA,
                    action_area=ActionArea.objects.get(code="adoption"))
    assert figures(africa).committed == Decimal("100")
    assert figures(adoption).committed == Decimal("100")
    assert figures(adoption).pledges == 1


def test_slices_split_the_goal(data):
    people = goal("people", indicator=goal_data.indicator("people-connected"))
    access = ActionArea.objects.get(code="access")
    private = figures(people, part=Slice(STAKEHOLDER_GROUP, "private_sector"))
    assert private.committed == Decimal("50")  # Bhutan Telecom's
    in_access = figures(people, part=Slice(ACTION_AREA, access.pk))
    assert in_access.committed == Decimal("157")


def test_not_combinable_indicator_lists_without_adding(data):
    indicator = goal_data.indicator("policies-regulations-adopted")
    indicator.aggregation = "none"
    indicator.save()
    policies = goal("policies", indicator=indicator)
    result = figures(policies)
    assert result.committed is None and result.achieved is None


def test_usd_goal_sums_public_financial_pledges_and_their_latest_disbursement(data):
    usd = CoalitionGoal.objects.get(code="usd-100-billion")
    funded = goal_data.public_pledge(financial=True, countries=("NPL",))
    PledgeFactory(financial=True, submitted=True)  # not public: not counted
    goal_data.report(funded, ReportingCycle.objects.get(name_en="2024 annual report"), {},
                     submitted_on="2025-03-01", usd_disbursed=Decimal("250000"))
    result = figures(usd)
    assert result.committed == Decimal("1000000.00")
    assert result.achieved == Decimal("250000")
    assert figures(usd, as_of=datetime.date(2024, 12, 31)).achieved == Decimal("0")


def test_contributing_pledges_with_their_share(data):
    people = goal("people", indicator=goal_data.indicator("people-connected"))
    pledges = list(goal_contributing_pledges(people, as_of=TODAY))
    assert {p.pk: p.goal_value for p in pledges} == {
        data["rwanda"].pk: Decimal("100"), data["bhutan"].pk: Decimal("50"),
        data["later"].pk: Decimal("7")}


def test_figures_cost_the_same_queries_for_many_goals(data, django_assert_max_num_queries):
    goals = [goal(f"g{n}", indicator=goal_data.indicator("people-connected")) for n in range(8)]
    goals.append(CoalitionGoal.objects.get(code="usd-100-billion"))
    # Per measure: committed, achieved; and, for a past date, the targets of pledges amended since.
    with django_assert_max_num_queries(2 + 2 + 1):
        results = goal_figures([(g, Slice()) for g in goals], as_of=TODAY)
    assert results[0].committed == Decimal("157")


def test_a_compiled_report_states_the_goals_as_of_its_date(data):
    from reporting.compiled_report_document import compiled_report_document
    from reporting.compiled_report_figures import compiled_report_figures
    from reporting.models import ReportRun

    goal("people", name_en="Connect people", name_translations={"fr": "Connecter"},
         indicator=goal_data.indicator("people-connected"))
    run = ReportRun(kind=ReportRun.Kind.CUSTOM, as_of=KIGALI, filter_query="")
    figures = compiled_report_figures(run, today=TODAY)
    people = next(item for item in figures["goals"] if item["code"] == "people")
    assert (people["committed"], people["achieved"], people["pledges"]) == ("150.00", "0.00", 2)
    document = compiled_report_document(figures, title="Kigali", language="fr")
    line = next(g for g in document.goals if g.label == "Connecter")
    assert line.committed == "150 personnes"
    assert line.goal == "1\u202f000 personnes d’ici le 31 décembre 2026"


def test_an_amendment_approved_later_leaves_the_goals_of_an_earlier_date_unchanged(
    data, secretariat,
):
    """Goals as of a date count each target as it stood then (the revision keeps what it
    replaced, catalogue indicator included), so that a compiled report rebuilt after an
    amendment states the same goals; from the day of approval on, the amended target counts."""
    from pledges import amendment_workflow
    from tests.factories import MembershipFactory, UserFactory

    people = goal("people", indicator=goal_data.indicator("people-connected"))
    coverage = goal("coverage", indicator=goal_data.indicator("mobile-broadband-coverage"),
                    target_value=Decimal("100"))
    rwanda = data["rwanda"]
    member = UserFactory()
    MembershipFactory(user=member, entity=rwanda.entity, role="editor")
    rows = [{"catalogue_indicator": target.catalogue_indicator, "indicator": target.indicator,
             "unit": target.unit, "baseline": target.baseline, "target_date": target.target_date,
             "target_value": {"people-connected": Decimal("300"),
                              "mobile-broadband-coverage": Decimal("90")}.get(
                 getattr(target.catalogue_indicator, "code", None), target.target_value)}
            for target in rwanda.targets.all()]
    amendment = amendment_workflow.amendment_propose(
        user=member, pledge_id=rwanda.pk, values={"targets": rows}, reason="Scaled up.")
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="Approved.")
    before = figures(people), figures(coverage)
    assert (before[0].committed, before[0].targets, before[0].pledges) == (Decimal("157"), 3, 3)
    assert before[1].committed == Decimal("70")
    assert figures(people, as_of=KIGALI).committed == Decimal("150")
    today = datetime.date.today()
    assert figures(people, as_of=today).committed == Decimal("357")
    assert figures(coverage, as_of=today).committed == Decimal("90")


def test_today_read_as_now_gives_the_figures_of_the_versions_in_force(
    postgresql, data, secretariat, monkeypatch,
):
    """As of today the figures read the pledges as they are now (own columns, link tables,
    Pledge.contributions_usd) and the latest reports sorted once (DISTINCT ON): the Goals page's
    speed at 100,000 pledges. They must be exactly what the versions in force and a correlated
    "latest report" subquery give, on data with an amendment approved today, a funder's
    contribution, an ended funder, a partner's own report, scoped goals and every slice.
    (PostgreSQL: on SQLite the versions in force read a funded pledge's USD as 0, before this
    change as after it.)"""
    from types import SimpleNamespace

    from pledges import amendment_workflow
    from pledges.models import Partnership
    from reporting.selectors import goals as goals_module
    from tests.factories import EntityFactory, MembershipFactory, UserFactory

    today = datetime.date.today()
    people = goal("people", indicator=goal_data.indicator("people-connected"))
    cells_goals = [
        people,
        goal("coverage", indicator=goal_data.indicator("mobile-broadband-coverage"),
             target_value=Decimal("100")),
        goal("ldc", indicator=goal_data.indicator("people-connected"),
             scope=CoalitionGoal.Scope.COUNTRY_GROUP, country_group="LDC"),
        goal("africa", indicator=goal_data.indicator("people-connected"),
             scope=CoalitionGoal.Scope.REGION, region=data["africa"]),
        goal("adoption", indicator=goal_data.indicator("people-connected"),
             scope=CoalitionGoal.Scope.ACTION_AREA,
             action_area=ActionArea.objects.get(code="adoption")),
        CoalitionGoal.objects.get(code="usd-100-billion"),
    ]
    rwanda = data["rwanda"]
    member = UserFactory()
    MembershipFactory(user=member, entity=rwanda.entity, role="editor")
    rows = [{"catalogue_indicator": target.catalogue_indicator, "indicator": target.indicator,
             "unit": target.unit, "baseline": target.baseline, "target_date": target.target_date,
             "target_value": target.target_value * 3} for target in rwanda.targets.all()]
    amendment = amendment_workflow.amendment_propose(
        user=member, pledge_id=rwanda.pk,
        values={"targets": rows, "countries": list(Country.objects.filter(iso3="NPL"))},
        reason="Scaled up.")
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="Approved.")
    cycle = ReportingCycle.objects.get(name_en="2024 annual report")
    funded = goal_data.public_pledge(financial=True, countries=("NPL",))
    ended = EntityFactory(name="Ended Funder")
    for entity, status, usd in ((EntityFactory(name="Funder"), "accepted", Decimal("500")),
                                (ended, "ended", Decimal("900"))):
        Partnership.objects.create(
            pledge=funded, entity=entity, role="funder", status=status, usd_amount=usd,
            accepted_at=funded.published_at,
            ended_at=funded.published_at if status == "ended" else None,
            end_reason="Funding moved." if status == "ended" else "")
    # What pledges.partnerships writes with an accepted funder: its contribution, once.
    type(funded).objects.filter(pk=funded.pk).update(contributions_usd=Decimal("500"))
    goal_data.report(funded, cycle, {}, submitted_on="2025-03-01",
                     usd_disbursed=Decimal("250000"))
    # A partner's own report on Rwanda's first target (each entity's latest value adds up).
    partner_report = ProgressReport.objects.create(
        pledge=rwanda, entity=ended, cycle=cycle, status="submitted",
        submitted_at=goal_data.at("2025-04-01", 10))
    first = rwanda.targets.order_by("position").first()
    TargetProgress.objects.create(
        report=partner_report, target=first, indicator=first.indicator, unit=first.unit,
        target_value=first.target_value, achieved_value=Decimal("7"))

    drilldown_slices = [
        part for parts in (
            [Slice(ACTION_AREA, area.pk) for area in ActionArea.objects.all()],
            [Slice(goals_module.COUNTRY_GROUP, group) for group in ("LDC", "LLDC", "SIDS")],
            [Slice(goals_module.REGION, data["africa"].pk)],
            [Slice(STAKEHOLDER_GROUP, "private_sector")],
        ) for part in parts]
    cells = [(g, part) for g in cells_goals for part in [Slice(), *drilldown_slices]]

    def read():
        return ([(f.committed, f.achieved, f.targets, f.pledges)
                 for f in goal_figures(cells, as_of=today)],
                {g.code: sorted((p.pk, p.goal_value) for p in
                                goal_contributing_pledges(g, as_of=today))
                 for g in cells_goals})

    as_now = read()
    monkeypatch.setattr(goals_module, "_reads_as_now", lambda as_of: False)
    monkeypatch.setattr(goals_module, "connection", SimpleNamespace(vendor="other"))
    in_force = read()
    assert as_now == in_force
    by_code = dict(zip([g.code for g in cells_goals],
                       as_now[0][::len(drilldown_slices) + 1], strict=True))
    assert by_code["people"][0] == Decimal("357")  # Rwanda's 100 tripled, Bhutan 50, Fiji 7
    assert by_code["usd-100-billion"][0] == Decimal("1000500.00")  # the ended funder: not
    assert by_code["usd-100-billion"][1] == Decimal("250000")
    assert by_code["africa"][0] == Decimal("0")  # Rwanda now acts in Nepal only
