"""Reporting fixtures: a cycle, a published pledge it covers, reminder settings, and helpers
that run the beat at a given moment."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from reporting.models import ReminderSettings, ReportingCycle
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
        name_en="2024 annual report", name_fr="Rapport annuel 2024",
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


@pytest.fixture
def cycle(db):
    return make_cycle()


@pytest.fixture
def pledge(entity, member):
    """Published in 2024 by `member` (an editor): the 2024 cycle covers it."""
    return make_published_pledge(entity, created_by=member)


@pytest.fixture
def financial_pledge(entity, member):
    """A EUR 2,000,000 financial pledge, published in 2024 by `member`."""
    pledge = make_published_pledge(entity, created_by=member, financial=True)
    pledge.amount = Decimal("2000000.00")
    pledge.currency = "EUR"
    pledge.save(update_fields=["amount", "currency"])
    return pledge


@pytest.fixture
def reminder_settings(db):
    return ReminderSettings.load()


@pytest.fixture
def only_kind(reminder_settings):
    """Turn every reminder kind off but one: only_kind("report_due_soon")."""

    def choose(kind: str) -> ReminderSettings:
        for name in ("draft_untouched", "changes_requested", "report_due_soon",
                     "report_due_today", "report_overdue", "weekly_digest"):
            setattr(reminder_settings, f"{name}_enabled", name == kind)
        reminder_settings.save()
        return reminder_settings

    return choose


@pytest.fixture
def run_beat(django_capture_on_commit_callbacks):
    """Run the periodic task at a moment, with everything it queues after commit (eager)."""
    from reporting.tasks import reminders_create_due

    def run(day: str, hour: int = 6) -> int:
        with moment(day, hour), django_capture_on_commit_callbacks(execute=True):
            return reminders_create_due.delay().get()

    return run


def today() -> datetime.date:
    return timezone.localdate()
