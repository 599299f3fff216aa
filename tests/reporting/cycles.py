"""Data builders for the reporting tests: moments in the reporting calendar, a reporting cycle,
a pledge published when a cycle covers it, and a progress report filed on it.

The fixtures of conftest.py are built from these; tests that need other dates call them
directly."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import time_machine

from reporting.models import ProgressReport, ReportingCycle, TargetProgress
from tests.factories import PledgeFactory

UTC = datetime.UTC


def at(day: str, hour: int = 6, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


@contextmanager
def moment(day: str, hour: int = 6, minute: int = 0):
    """Time stands still at this moment (UTC, the portal's time zone)."""
    with time_machine.travel(at(day, hour, minute), tick=False):
        yield


def make_cycle(**kwargs) -> ReportingCycle:
    defaults = dict(
        name_en="2024 annual report", name_translations={"fr": "Rapport annuel 2024"},
        period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 12, 31),
        opens_on=datetime.date(2025, 1, 15), due_on=datetime.date(2025, 3, 31),
    )
    defaults.update(kwargs)
    return ReportingCycle.objects.create(**defaults)


def make_published_pledge(entity, *, created_by=None, published_on="2024-06-01", **kwargs):
    pledge = PledgeFactory(entity=entity, published=True, created_by=created_by, **kwargs)
    pledge.published_at = at(published_on, 12)
    pledge.save(update_fields=["published_at"])
    return pledge


def file_report(pledge, cycle, *, achieved=("450",), percent=40, entity=None,
                **fields) -> ProgressReport:
    """A submitted progress report of `pledge` for `cycle`, with a value per target: the
    pledging entity's, or `entity`'s (a partner's own share)."""
    fields.setdefault("narrative", "Connected schools in the Northern Province.")
    fields.setdefault("submitted_at", at("2025-03-20", 10))
    report = ProgressReport.objects.create(
        pledge=pledge, entity=entity or pledge.entity,
        cycle=cycle, status="submitted", implementation_status="on_track",
        percent_complete=percent, evidence_links=["https://example.org/report.pdf"],
        **fields,
    )
    for position, (target, value) in enumerate(zip(pledge.targets.all(), achieved, strict=False)):
        TargetProgress.objects.create(
            report=report, target=target, indicator=target.indicator, unit=target.unit,
            baseline=target.baseline, target_value=target.target_value,
            achieved_value=Decimal(value), position=position,
        )
    return report
