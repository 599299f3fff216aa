"""Reporting fixtures: a cycle, a published pledge it covers, reminder settings, the beat run at a
given moment, the Kigali roundtable's pledges, a campaign, and the clock stopped at the module's
NOW. The data builders live in cycles.py, kigali.py and goal_data.py."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache

from action_areas import services as catalogue_services
from action_areas.models import Campaign
from reporting.models import ReminderSettings

from . import goal_data
from .cycles import make_cycle, make_published_pledge, moment
from .kigali import kigali_pledges


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


@pytest.fixture
def frozen(request):
    """The clock stopped at the test module's NOW, with nothing cached from another moment (a
    module asks for it with `pytest.mark.usefixtures("frozen")`)."""
    with time_machine.travel(request.module.NOW, tick=False):
        cache.clear()
        yield


@pytest.fixture
def schools(secretariat) -> Campaign:
    """A campaign for 2025, named in English and French, whose goal counts schools connected."""
    return catalogue_services.campaign_save(
        actor=secretariat, campaign_id=None,
        values={"slug": "schools", "name_en": "Connect every school",
                "name_translations": {"fr": "Connecter chaque école"},
                "description_en": "Giga's drive.", "starts_on": datetime.date(2025, 1, 1),
                "ends_on": datetime.date(2025, 12, 31)},
        indicators=[goal_data.indicator("schools-connected")])


@pytest.fixture
def kigali(db):
    """The Kigali roundtable's pledges (kigali.py): four in a Kigali report, five left out."""
    return kigali_pledges()
