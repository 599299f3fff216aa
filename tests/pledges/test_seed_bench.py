"""seed_bench: deterministic synthetic data, every type/status/area, and never over real data."""

import pytest
from django.core.management import CommandError, call_command

from action_areas.models import ActionArea
from members.models import Entity, StakeholderGroup
from pledges.management.commands.seed_bench import (
    BENCH_PREFIX,
    bench_digest,
    bench_entities,
    bench_pledges,
)
from pledges.models import Pledge, PledgeType, Target
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
    seed(flush_bench=True, pledges=120, seed=7)
    assert bench_digest() == first
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


def test_refuses_a_database_with_real_data_unless_forced():
    real = EntityFactory(name="Ministry of ICT of Rwanda")
    with pytest.raises(CommandError, match="real data"):
        seed(pledges=50, seed=1)
    assert not bench_pledges().exists()
    seed(pledges=50, seed=1, force=True)
    assert bench_pledges().count() == 50
    seed(flush_bench=True, force=True)  # removes the bench rows, and only them
    assert not bench_pledges().exists()
    assert list(Entity.objects.all()) == [real]
    assert not Entity.objects.filter(name__startswith=BENCH_PREFIX).exists()


def test_rerun_is_a_no_op_with_the_same_parameters_and_refused_with_others():
    seed(pledges=40, seed=3)
    digest = bench_digest()
    seed(pledges=40, seed=3)
    assert bench_digest() == digest
    assert bench_pledges().count() == 40
    with pytest.raises(CommandError, match="flush-bench"):
        seed(pledges=60, seed=3)
