"""Today's goal figures from memory (reporting.selectors.goal_state) are the SQL figures: for every
kind of goal (summed, maximised, not combinable, USD; over all pledges or a scope) and every slice
of the drill-down; and they change the moment a pledge is published, a progress report filed, a
goal edited or a cycle's period moved. The Goals page then costs the same queries whatever the
number of goals and pledges."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from action_areas.models import ActionArea, CoalitionGoal, Country, Region
from action_areas.services import goal_save
from members.models import StakeholderGroup
from reporting.models import ProgressReport, ReportingCycle, ReportRun, TargetProgress
from reporting.selectors import goal_state, goals
from reporting.selectors.goals import Slice, goal_contributing_pledges, goal_figures
from reporting.services import compiled_reports
from tests.factories import EntityFactory, PledgeFactory
from tests.reporting import goal_data
from tests.reporting.goal_data import goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(postgresql):
    built = goal_data.build()
    # A financial pledge with an accepted funder's contribution and a disbursement, one without a
    # USD equivalent's report, and a partner's own latest value on Rwanda's first target: each
    # entity's latest value counts once.
    funded = goal_data.public_pledge(financial=True, countries=("NPL",), areas=("adoption",))
    type(funded).objects.filter(pk=funded.pk).update(contributions_usd=Decimal("500"))
    cycle = ReportingCycle.objects.get(name_en="2024 annual report")
    goal_data.report(funded, cycle, {}, submitted_on="2025-03-01",
                     usd_disbursed=Decimal("250000"))
    partner = EntityFactory(name="Partner Ministry")
    partner_report = ProgressReport.objects.create(
        pledge=built["rwanda"], entity=partner, cycle=cycle, status="submitted",
        submitted_at=goal_data.at("2025-04-01", 10))
    first = built["rwanda"].targets.order_by("position").first()
    TargetProgress.objects.create(
        report=partner_report, target=first, indicator=first.indicator, unit=first.unit,
        target_value=first.target_value, achieved_value=Decimal("7"))
    built["cycle"] = cycle
    return built


def every_kind_of_goal(data) -> list[CoalitionGoal]:
    people = goal_data.indicator("people-connected")
    policies = goal_data.indicator("policies-regulations-adopted")
    policies.aggregation = "none"
    policies.save()
    return [
        goal("people", indicator=people),
        goal("coverage", indicator=goal_data.indicator("mobile-broadband-coverage"),
             target_value=Decimal("100")),
        goal("policies", indicator=policies),
        goal("ldc", indicator=people, scope=CoalitionGoal.Scope.COUNTRY_GROUP,
             country_group="LDC"),
        goal("africa", indicator=people, scope=CoalitionGoal.Scope.REGION,
             region=data["africa"]),
        goal("adoption", indicator=people, scope=CoalitionGoal.Scope.ACTION_AREA,
             action_area=ActionArea.objects.get(code="adoption")),
        CoalitionGoal.objects.get(code="usd-100-billion"),
    ]


def drilldown_slices() -> list[Slice]:
    return [Slice(),
            *(Slice(goals.ACTION_AREA, pk)
              for pk in ActionArea.objects.values_list("pk", flat=True)),
            *(Slice(goals.COUNTRY_GROUP, group) for group in ("LDC", "LLDC", "SIDS")),
            *(Slice(goals.REGION, pk) for pk in Region.objects.values_list("pk", flat=True)),
            *(Slice(goals.STAKEHOLDER_GROUP, group) for group in StakeholderGroup.values)]


def read(cells, the_goals):
    return ([(f.committed, f.achieved, f.targets, f.pledges) for f in goal_figures(cells)],
            {g.code: [(p.pk, getattr(p, "goal_value", None))
                      for p in goal_contributing_pledges(g)] for g in the_goals})


def in_sql(monkeypatch, cells, the_goals):
    with monkeypatch.context() as patched:
        patched.setattr(goal_state, "available", lambda: False)
        return read(cells, the_goals)


def test_figures_from_memory_are_the_sql_figures_for_every_goal_and_slice(data, monkeypatch):
    the_goals = every_kind_of_goal(data)
    cells = [(g, part) for g in the_goals for part in drilldown_slices()]
    in_memory = read(cells, the_goals)
    assert in_memory == in_sql(monkeypatch, cells, the_goals)
    by_code = dict(zip([g.code for g in the_goals],
                       in_memory[0][::len(drilldown_slices())], strict=True))
    # Rwanda's 100 once (two areas, a co-pledger), Bhutan 50, Fiji 7; not the withdrawn,
    # submitted or embargoed pledges' 1000 each. Achieved: Rwanda 60 + its partner's 7, Bhutan 20.
    assert by_code["people"] == (Decimal("157"), Decimal("87"), 3, 3)
    assert by_code["coverage"][:2] == (Decimal("70"), Decimal("65"))
    assert by_code["policies"][:2] == (None, None)
    assert by_code["usd-100-billion"][:2] == (Decimal("1000500"), Decimal("250000"))
    assert dict(in_memory[1]["people"]) == {
        data["rwanda"].pk: Decimal("100"), data["bhutan"].pk: Decimal("50"),
        data["later"].pk: Decimal("7")}


def test_a_publication_a_report_a_goal_edit_and_a_cycle_change_show_at_once(data, secretariat):
    people = goal("people", indicator=goal_data.indicator("people-connected"))

    def figures():
        result = goal_figures([(people, Slice())])[0]
        return result.committed, result.achieved

    assert figures() == (Decimal("157"), Decimal("87"))
    fiji = goal_data.public_pledge(countries=("FJI",), targets=[("people-connected", "40")])
    assert figures() == (Decimal("197"), Decimal("87"))  # published: counted at once

    goal_data.report(fiji, data["cycle"], {0: "25"}, submitted_on="2025-03-02")
    assert figures() == (Decimal("197"), Decimal("112"))  # its report: achieved at once

    fiji.status = "withdrawn"
    fiji.save(update_fields=["status", "updated_at"])
    assert figures() == (Decimal("157"), Decimal("87"))

    # Rwanda's 2023 report (30) becomes its latest when the 2024 cycle is moved before it.
    ReportingCycle.objects.filter(pk=data["cycle"].pk).update(
        period_start=datetime.date(2022, 1, 1), period_end=datetime.date(2022, 12, 31))
    assert figures() == (Decimal("157"), Decimal("57"))

    # The goal narrowed to Africa by the secretariat: Rwanda's alone, at once.
    people = goal_save(actor=secretariat, goal_id=people.pk, values={
        "scope": CoalitionGoal.Scope.REGION, "region": data["africa"]})
    assert figures() == (Decimal("100"), Decimal("37"))


def test_a_draft_report_saved_does_not_rebuild_the_state_a_submission_does(data, monkeypatch):
    """Drafts count in no figure: saving one (entities save them all through a reporting cycle)
    must not make the next Goals page pay a rebuild (seconds at 100,000 pledges)."""
    people = goal("people", indicator=goal_data.indicator("people-connected"))
    fiji = goal_data.public_pledge(countries=("FJI",), targets=[("people-connected", "40")])
    builds = []
    real_build = goal_state.build
    monkeypatch.setattr(goal_state, "build", lambda *args: builds.append(1) or real_build(*args))
    assert goal_figures([(people, Slice())])[0].achieved == Decimal("87")
    built = len(builds)
    draft = goal_data.report(fiji, data["cycle"], {0: "20"}, submitted_on="2025-03-03",
                             status="draft")
    draft.save()  # saved again, as the form does at each change
    assert goal_figures([(people, Slice())])[0].achieved == Decimal("87")
    assert len(builds) == built  # the same state
    draft.status = "submitted"
    draft.save()
    assert goal_figures([(people, Slice())])[0].achieved == Decimal("107")
    assert len(builds) == built + 1


def test_a_country_leaving_a_region_is_not_mistaken_for_the_same_state(data):
    """The facet bitsets read today's links: a pledge's countries changed (its save) count."""
    people = goal("africa", indicator=goal_data.indicator("people-connected"),
                  scope=CoalitionGoal.Scope.REGION, region=data["africa"])
    assert goal_figures([(people, Slice())])[0].committed == Decimal("100")
    rwanda = data["rwanda"]
    rwanda.countries.set(Country.objects.filter(iso3="NPL"))
    rwanda.save(update_fields=["updated_at"])  # as the pledge services save it
    assert goal_figures([(people, Slice())])[0].committed == Decimal("0")


def test_goals_page_costs_the_same_queries_with_more_goals_and_pledges(data, anonymous):
    def queries(address: str) -> int:
        anonymous.get(address + "&warm=1")  # a changed state is built once, then read
        with CaptureQueriesContext(connection) as captured:
            assert anonymous.get(address).status_code == 200
        return len(captured)

    few = queries("/en/goals/?v=1")
    assert len(every_kind_of_goal(data)) == 7  # seven goals shown instead of one
    for number in range(5):
        goal_data.public_pledge(countries=("KEN",), targets=[("people-connected", str(number))])
    PledgeFactory(published=True)
    many = queries("/en/goals/?v=2")
    assert many == few


def test_contributing_pledges_from_a_state_being_rebuilt_are_public_ones_only(data, monkeypatch):
    """While one request builds the state after a change, the others get the previous one
    (goal_state.current): its list of a goal's pledges must not name a pledge withdrawn (or of
    a suspended entity) a moment ago, as the pledge list does not."""
    people = goal("people", indicator=goal_data.indicator("people-connected"))
    previous = goal_state.current(goals._reporting_fingerprint(), goals._state_rows)
    bhutan = data["bhutan"]
    bhutan.status = "withdrawn"
    bhutan.save(update_fields=["status", "updated_at"])
    monkeypatch.setattr(goal_state, "current", lambda *args: previous)
    listed = list(goal_contributing_pledges(people))
    assert bhutan.pk not in [pledge.pk for pledge in listed]
    assert data["rwanda"].pk in [pledge.pk for pledge in listed]


def test_a_compiled_report_reads_its_goals_in_its_snapshot_not_from_the_state(
    data, monkeypatch, django_capture_on_commit_callbacks
):
    """A report's figures are read in one database snapshot with its pledge list; the state is
    now's, and building it in the report's (forked) process cost 36 MB at 100,000 pledges."""
    every_kind_of_goal(data)

    def refused(*args, **kwargs):
        raise AssertionError("a compiled report read the in-memory goal state")

    monkeypatch.setattr(goal_state, "current", refused)
    with django_capture_on_commit_callbacks(execute=True):
        run, _created = compiled_reports.compiled_report_request(
            parameters=compiled_reports.compiled_report_parameters(kind="custom"))
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    people = next(goal for goal in run.figures["goals"] if goal["code"] == "people")
    assert Decimal(people["committed"]) == Decimal("157")
