"""Which pledges a cycle covers, and each pledge's reporting status: up to date, due, overdue,
inactive after two missed cycles — computed, in a bounded number of queries."""

import datetime

import pytest
import time_machine
from django.contrib.admin import site
from django.template.loader import render_to_string
from django.test import RequestFactory

from pledges.models import Pledge
from reporting.admin_filters import ReportingStatusFilter
from reporting.models import ProgressReport, ReportingCycle
from reporting.selectors.progress import (
    reporting_for_entity,
    reporting_for_pledge,
    reporting_for_pledges,
)
from tests.factories import PledgeFactory

from .cycles import at, make_cycle, make_published_pledge

pytestmark = pytest.mark.django_db

D = datetime.date


def cycles_2023_2024():
    return (
        make_cycle(name_en="2023", period_start=D(2023, 1, 1), period_end=D(2023, 12, 31),
                   opens_on=D(2024, 1, 15), due_on=D(2024, 3, 31)),
        make_cycle(name_en="2024", period_start=D(2024, 1, 1), period_end=D(2024, 12, 31),
                   opens_on=D(2025, 1, 15), due_on=D(2025, 3, 31)),
    )


@pytest.mark.parametrize(("changes", "covered"), [
    ({}, True),
    ({"status": "completed"}, False),
    ({"status": "withdrawn"}, False),
    ({"status": "submitted"}, False),
    ({"start_date": D(2025, 1, 1)}, False),  # starts after the period
    ({"start_date": D(2024, 12, 31)}, True),
    ({"start_date": None}, True),
    ({"published_at": at("2025-01-01", 0)}, False),  # published after the period
    ({"published_at": at("2024-12-31", 23)}, True),
    ({"published_at": None}, True),
])
def test_which_pledges_a_cycle_covers_in_python_and_in_sql(entity, changes, covered):
    cycle = make_cycle()
    pledge = make_published_pledge(entity)
    Pledge.objects.filter(pk=pledge.pk).update(**changes)
    pledge.refresh_from_db()
    assert cycle.covers(pledge) is covered
    assert cycle.covered_pledges().filter(pk=pledge.pk).exists() is covered


def status_on(pledge, day: str) -> str | None:
    return reporting_for_pledge(pledge, today=D.fromisoformat(day)).status


def test_status_moves_from_up_to_date_to_due_overdue_and_inactive(entity):
    first, second = cycles_2023_2024()
    pledge = make_published_pledge(entity, published_on="2023-03-01")
    assert status_on(pledge, "2024-01-14") == "up_to_date"  # no cycle opened yet
    assert status_on(pledge, "2024-01-15") == "due"
    assert status_on(pledge, "2024-03-31") == "due"  # due by the end of the day
    assert status_on(pledge, "2024-04-01") == "overdue"
    assert status_on(pledge, "2025-01-20") == "overdue"  # the next one is due too
    assert status_on(pledge, "2025-04-01") == "inactive"  # two missed in a row

    reporting = reporting_for_pledge(pledge, today=D(2025, 4, 1))
    assert reporting.missed == 2
    assert [item.cycle for item in reporting.to_file] == [first, second]  # oldest first
    assert all(item.overdue for item in reporting.to_file)


def test_a_late_report_brings_the_pledge_back(entity):
    first, second = cycles_2023_2024()
    pledge = make_published_pledge(entity, published_on="2023-03-01")
    ProgressReport.objects.create(pledge=pledge, entity=pledge.entity,
                                  cycle=second, status="submitted")
    assert status_on(pledge, "2025-04-01") == "up_to_date"  # the latest one is filed
    ProgressReport.objects.create(pledge=pledge, entity=pledge.entity, cycle=first, status="draft")
    assert status_on(pledge, "2025-04-01") == "up_to_date"
    reporting = reporting_for_pledge(pledge, today=D(2025, 4, 1))
    assert [item.cycle for item in reporting.to_file] == [first]  # still open for reports
    assert reporting.to_file[0].report is not None  # its draft


def test_a_draft_does_not_count_and_a_closed_cycle_cannot_be_filed(entity):
    first, _second = cycles_2023_2024()
    ReportingCycle.objects.filter(pk=first.pk).update(closes_on=D(2024, 6, 30))
    pledge = make_published_pledge(entity, published_on="2023-03-01")
    ProgressReport.objects.create(pledge=pledge, entity=pledge.entity, cycle=first, status="draft")
    reporting = reporting_for_pledge(pledge, today=D(2024, 7, 1))
    assert reporting.status == "overdue"
    assert reporting.to_file == []  # closed to reports


def test_only_published_pledges_have_a_reporting_status(entity):
    cycles_2023_2024()
    draft = PledgeFactory(entity=entity)
    completed = make_published_pledge(entity, published_on="2023-03-01")
    Pledge.objects.filter(pk=completed.pk).update(status="completed")
    completed.refresh_from_db()
    statuses = reporting_for_pledges([draft, completed], today=D(2025, 4, 1))
    assert statuses[draft.pk].status is None
    assert statuses[completed.pk].status is None


def test_statuses_cost_the_same_queries_for_one_pledge_or_many(entity,
                                                               django_assert_num_queries):
    cycles_2023_2024()
    for _ in range(12):
        make_published_pledge(entity, published_on="2023-03-01")
    with django_assert_num_queries(3):  # the pledges, the cycles, their reports
        statuses = reporting_for_entity(entity.pk, today=D(2025, 4, 1))
    assert {s.status for s in statuses.values()} == {"inactive"}


def test_the_admin_filter_selects_pledges_by_reporting_status(entity, other_entity):
    _first, second = cycles_2023_2024()
    late = make_published_pledge(entity, published_on="2024-03-01")
    filed = make_published_pledge(other_entity, published_on="2024-03-01")
    ProgressReport.objects.create(pledge=filed, entity=filed.entity,
                                  cycle=second, status="submitted")
    draft = PledgeFactory(entity=entity)
    request = RequestFactory().get("/")
    model_admin = site._registry[Pledge]
    with time_machine.travel(at("2025-04-02"), tick=False):
        def pick(value):
            flt = ReportingStatusFilter(request, {"reporting": [value]}, Pledge, model_admin)
            return set(flt.queryset(request, Pledge.objects.all()))

        assert pick("overdue") == {late}
        assert pick("up_to_date") == {filed}
        assert pick("inactive") == set()
        assert draft in pick("nonsense")  # an unknown value filters nothing
        flt = ReportingStatusFilter(request, {}, Pledge, model_admin)
        assert [value for value, _label in flt.lookups(request, model_admin)] == [
            "up_to_date", "due", "overdue", "inactive"]


# --- The member include -------------------------------------------------------------------------


def render_status(pledges, user, **extra) -> str:
    request = RequestFactory().get("/en/my-pledges/")
    request.user = user
    return "".join(
        render_to_string("reporting/includes/pledge_reporting_status.html",
                         {"pledge": pledge, "user": user, **extra}, request=request)
        for pledge in pledges
    )


def test_the_include_shows_the_status_and_the_call_to_action(entity, member, viewer):
    _first, second = cycles_2023_2024()
    pledge = make_published_pledge(entity, published_on="2024-03-01")
    with time_machine.travel(at("2025-02-01"), tick=False):
        html = render_status([pledge], member)
        assert "Report due" in html
        assert f'href="/en/my-pledges/{pledge.pk}/progress/{second.pk}/"' in html
        assert "Report progress for <bdi>2024" in html
        viewer_html = render_status([pledge], viewer)
        assert "Report due" in viewer_html
        assert f"/progress/{second.pk}/" not in viewer_html
        assert "Administrators and editors of the entity file progress reports." in viewer_html
        compact = render_status([pledge], member, compact=True)
        assert "Report progress for <bdi>2024" in compact and "<section" not in compact
    assert render_status([PledgeFactory(entity=entity)], member).strip() == ""


def test_the_include_costs_a_fixed_number_of_queries_on_a_list(entity, member,
                                                               django_assert_max_num_queries):
    cycles_2023_2024()
    pledges = [make_published_pledge(entity, published_on="2024-03-01") for _ in range(10)]
    with django_assert_max_num_queries(5):  # statuses (3) and the person's role (1)
        html = render_status(pledges, member, compact=True)
    assert html.count("badge") == 10
