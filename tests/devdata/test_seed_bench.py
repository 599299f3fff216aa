"""seed_bench: deterministic synthetic data, every type/status/area, progress reports, and never
over real data."""

import re

import pytest
from django.core.management import CommandError, call_command

from action_areas.models import ActionArea, CoalitionGoal
from devdata.management.commands.seed_bench import (
    BENCH_PREFIX,
    bench_digest,
    bench_entities,
    bench_pledges,
)
from members.models import Entity, StakeholderGroup
from pledges.models import Pledge, PledgeType, Target
from reporting.models import ProgressReport, ReportingCycle, TargetProgress
from reporting.selectors.progress import ReportingStatus, reporting_for_pledges
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def seed(**options):
    call_command("seed_bench", stdout=_Sink(), **options)


class _Sink:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    seed(pledges=120, seed=7)
    first = bench_digest()
    reports = list(ProgressReport.objects.order_by("pledge__reference", "cycle__period_start")
                   .values_list("pledge__reference", "cycle__name_en", "percent_complete"))
    assert len(reports) > 10
    seed(flush_bench=True, pledges=120, seed=7)
    assert bench_digest() == first
    assert list(ProgressReport.objects.order_by("pledge__reference", "cycle__period_start")
                .values_list("pledge__reference", "cycle__name_en", "percent_complete")) == reports
    # The digest covers the progress reports, down to the value achieved on one target.
    row = TargetProgress.objects.order_by("pk").first()
    TargetProgress.objects.filter(pk=row.pk).update(achieved_value=row.achieved_value + 1)
    assert bench_digest() != first
    seed(flush_bench=True, pledges=120, seed=8)
    assert bench_digest() != first


def test_small_run_has_every_type_status_area_and_group():
    seed(pledges=200, seed=1)
    pledges = bench_pledges()
    assert pledges.count() == 200
    assert set(pledges.values_list("pledge_type", flat=True)) == set(PledgeType.values)
    assert set(pledges.values_list("status", flat=True)) == set(Pledge.Status.values)
    areas = set(Pledge.action_areas.through.objects.filter(pledge__in=pledges)
                .values_list("actionarea__code", flat=True))
    assert areas == set(ActionArea.objects.values_list("code", flat=True))
    groups = set(bench_entities().values_list("stakeholder_group", flat=True))
    assert groups == set(StakeholderGroup.values)
    assert Pledge.objects.public().count() > 100
    # Every pledge is quantified, financial ones carry an amount and its USD equivalent.
    assert not pledges.exclude(pk__in=Target.objects.values("pledge_id")).exists()
    financial = pledges.filter(pledge_type=PledgeType.FINANCIAL)
    assert not financial.filter(usd_amount__isnull=True).exists()
    assert financial.values("currency").distinct().count() > 1
    assert Pledge.countries.through.objects.filter(pledge__in=pledges).exists()
    assert Pledge.history.model.objects.count() == 0  # no per-row signals


def test_progress_reports_of_the_pledges_the_cycles_cover(anonymous):
    seed(pledges=300, seed=5)
    cycles = list(ReportingCycle.objects.order_by("period_start"))
    assert [c.name_en for c in cycles] == [f"{BENCH_PREFIX}2022 annual report",
                                           f"{BENCH_PREFIX}2023 annual report"]
    reports = list(ProgressReport.objects.select_related("pledge", "cycle")
                   .prefetch_related("target_progress", "pledge__targets"))
    submitted = [r for r in reports if r.status == "submitted"]
    assert {r.cycle for r in submitted} == set(cycles)
    assert any(r.status == "draft" for r in reports)  # a few only started
    for report in reports:
        pledge, cycle = report.pledge, report.cycle
        assert pledge.status in ("published", "completed")
        assert pledge.start_date <= cycle.period_end
        assert pledge.published_at.date() <= cycle.period_end
        assert 0 <= report.percent_complete <= 100
        rows = list(report.target_progress.all())
        assert [(r.target, r.indicator, r.target_value) for r in rows] == [
            (t, t.indicator, t.target_value) for t in pledge.targets.all()]
        if report.status == "submitted":
            assert report.submitted_at.date() >= cycle.opens_on
            assert report.narrative and report.implementation_status
            assert all(r.achieved_value is not None for r in rows)
            if pledge.pledge_type == PledgeType.FINANCIAL:
                assert report.amount_disbursed <= pledge.amount
                assert report.currency == pledge.currency and report.usd_disbursed is not None
    # A realistic share of the pledges a cycle covers reported on it, not all of them.
    for cycle in cycles:
        covered = cycle.covered_pledges(bench_pledges()).count()
        filed = sum(1 for r in submitted if r.cycle == cycle)
        assert 0.5 * covered < filed < 0.95 * covered, (cycle, filed, covered)
    # Hence every reporting status of past cycles among the published pledges.
    published = bench_pledges().filter(status="published")
    statuses = {r.status for r in reporting_for_pledges(published).values()}
    assert statuses == {ReportingStatus.UP_TO_DATE, ReportingStatus.OVERDUE,
                        ReportingStatus.INACTIVE}
    assert ProgressReport.history.model.objects.count() == 0  # no per-row signals
    # The public page of a pledge shows its timeline.
    report = next(r for r in submitted if r.pledge.is_public() and r.cycle == cycles[1])
    html = anonymous.get(f"/en/pledges/{report.pledge.pk}/").content.decode()
    assert f"{BENCH_PREFIX}2023 annual report" in html
    assert re.search(rf'<progress [^>]*value="{report.percent_complete}"', html)


def test_refuses_a_database_with_real_data_unless_forced():
    real = EntityFactory(name="Ministry of ICT of Rwanda")
    with pytest.raises(CommandError, match="real data"):
        seed(pledges=50, seed=1)
    assert not bench_pledges().exists()
    seed(pledges=50, seed=1, force=True)
    assert bench_pledges().count() == 50
    assert ProgressReport.objects.exists()
    seed(flush_bench=True, force=True)  # removes the bench rows, and only them
    assert not bench_pledges().exists()
    assert list(Entity.objects.all()) == [real]
    assert not Entity.objects.filter(name__startswith=BENCH_PREFIX).exists()
    assert not ProgressReport.objects.exists() and not TargetProgress.objects.exists()
    assert not ReportingCycle.objects.exists()
    assert ProgressReport.history.model.objects.count() == 0  # raw deletes: no history rows


def test_rerun_is_a_no_op_with_the_same_parameters_and_refused_with_others():
    seed(pledges=40, seed=3)
    digest = bench_digest()
    seed(pledges=40, seed=3)
    assert bench_digest() == digest
    assert bench_pledges().count() == 40
    with pytest.raises(CommandError, match="flush-bench"):
        seed(pledges=60, seed=3)


def test_maps_most_targets_to_the_catalogue_and_sets_a_goal_of_every_kind():
    seed(pledges=150, seed=5)
    targets = Target.objects.filter(pledge__in=bench_pledges())
    mapped = targets.filter(catalogue_indicator__isnull=False)
    # About three in four, each to the indicator its text names; the rest stay free text.
    assert 0.6 < mapped.count() / targets.count() < 0.9
    assert set(mapped.filter(indicator="Schools connected")
               .values_list("catalogue_indicator__code", flat=True)) == {"schools-connected"}
    goals = CoalitionGoal.objects.shown()
    assert goals.count() == 13  # nine indicators, three scoped, the USD goal
    assert set(goals.values_list("scope", flat=True)) == {
        "all", "action_area", "country_group", "region"}
    assert goals.filter(measure="usd").count() == 1
    digest = bench_digest()
    seed(pledges=150, seed=5)  # a rerun adds nothing and draws no other mapping
    assert bench_digest() == digest and CoalitionGoal.objects.shown().count() == 13
