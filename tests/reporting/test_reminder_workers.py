"""Two beats and two real Celery workers on the real Redis: every due reminder is emailed once.

Each worker is a separate process under the production settings (as in
tests/p2c_portal/test_celery_worker.py), sharing with this test only the broker and the test
database, committed to for real. The periodic task is published twice (two beats) and every
reminder's send is published twice more, so both workers race for the same rows.

Needs REDIS_URL and PostgreSQL (DATABASE_URL): skipped without them on a developer's machine,
a failure under CI=true.
"""

import datetime
import time

import pytest
from django.utils import timezone

from p2c_portal.models import OutboundEmail
from reporting.models import Reminder, ReminderSettings, ReportingCycle
from reporting.tasks import reminder_send, reminders_create_due, reminders_sweep
from tests.celery_workers import WAIT_SECONDS, logs, messages_written, wait_until_ready
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

PLEDGES = 6

pytestmark = [
    pytest.mark.integration,
    # Committed for real (the workers must see the rows); the rollback restores the reference
    # data seeded by migrations that the flush afterwards would delete.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.usefixtures("publishing_to_redis")
def test_two_beats_and_two_workers_email_each_due_reminder_once(two_workers):
    today = timezone.localdate()
    settings_row = ReminderSettings.load()
    for name in ("draft_untouched", "changes_requested", "report_due_soon", "report_overdue",
                 "weekly_digest"):
        setattr(settings_row, f"{name}_enabled", False)
    settings_row.report_due_today_enabled = True
    settings_row.save()
    ReportingCycle.objects.create(
        name_en="Worker test cycle", period_start=today - datetime.timedelta(days=400),
        period_end=today - datetime.timedelta(days=30),
        opens_on=today - datetime.timedelta(days=20), due_on=today,
    )
    entity = EntityFactory()
    authors = []
    for number in range(PLEDGES):
        author = UserFactory(email=f"reporter{number}@example.org")
        MembershipFactory(user=author, entity=entity, role="editor")
        pledge = PledgeFactory(entity=entity, published=True, created_by=author,
                               start_date=today - datetime.timedelta(days=365))
        pledge.published_at = timezone.now() - datetime.timedelta(days=60)
        pledge.save(update_fields=["published_at"])
        authors.append(author.email)

    wait_until_ready(two_workers)
    # Two beats wake the periodic task at the same moment; both workers run it.
    reminders_create_due.delay()
    reminders_create_due.delay()
    deadline = time.monotonic() + WAIT_SECONDS
    while Reminder.objects.count() < PLEDGES and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Reminder.objects.count() == PLEDGES, logs(two_workers)
    # Every send queued twice more, and a sweep: the workers race for every row.
    for reminder_id in Reminder.objects.values_list("pk", flat=True):
        reminder_send.delay(reminder_id)
        reminder_send.delay(reminder_id)
    reminders_sweep.delay()

    while time.monotonic() < deadline:
        done = (
            Reminder.objects.filter(status=Reminder.Status.SENT).count() == PLEDGES
            and OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).count() == 0
            and OutboundEmail.objects.count() >= PLEDGES
        )
        if done:
            break
        for worker in two_workers:
            worker.fail_if_exited()
        time.sleep(0.2)
    else:
        pytest.fail(f"not all sent within {WAIT_SECONDS:.0f} s:\n{logs(two_workers)}")
    time.sleep(2)  # let the duplicate tasks finish: they must change nothing

    assert Reminder.objects.count() == PLEDGES
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    assert OutboundEmail.objects.count() == PLEDGES
    written = messages_written(two_workers)
    recipients = sorted(
        line.removeprefix("To: ").strip()
        for message in written for line in message.splitlines() if line.startswith("To: ")
    )
    assert recipients == sorted(authors), logs(two_workers)
    assert all("is due today" in message for message in written)
    # Both workers took part (the race was real), and neither logged an error.
    texts = [worker.log() for worker in two_workers]
    assert all("reporting.tasks" in text for text in texts), logs(two_workers)
    assert not any('"level": "ERROR"' in text for text in texts), logs(two_workers)


@pytest.mark.usefixtures("publishing_to_redis")
def test_the_owner_and_each_accepted_partner_are_reminded_once_by_two_workers(two_workers):
    """Shared delivery (issue 18): every entity with a report due — the pledging entity and each
    accepted partner, not an invited one — gets its reminder once, whatever the races."""
    from pledges.models import Partnership

    today = timezone.localdate()
    settings_row = ReminderSettings.load()
    for name in ("draft_untouched", "changes_requested", "report_due_soon", "report_overdue",
                 "weekly_digest"):
        setattr(settings_row, f"{name}_enabled", False)
    settings_row.report_due_today_enabled = True
    settings_row.save()
    ReportingCycle.objects.create(
        name_en="Shared worker cycle", period_start=today - datetime.timedelta(days=400),
        period_end=today - datetime.timedelta(days=30),
        opens_on=today - datetime.timedelta(days=20), due_on=today,
    )
    owner = EntityFactory()
    author = UserFactory(email="owner@example.org")
    MembershipFactory(user=author, entity=owner, role="editor")
    pledge = PledgeFactory(entity=owner, published=True, created_by=author,
                           start_date=today - datetime.timedelta(days=365))
    pledge.published_at = timezone.now() - datetime.timedelta(days=60)
    pledge.save(update_fields=["published_at"])
    expected = ["owner@example.org"]
    for number, status in enumerate(["accepted", "accepted", "invited"]):
        partner = EntityFactory()
        email = f"partner{number}@example.org"
        MembershipFactory(user=UserFactory(email=email), entity=partner, role="editor")
        Partnership.objects.create(pledge=pledge, entity=partner, status=status,
                                   accepted_at=timezone.now() if status == "accepted" else None)
        if status == "accepted":
            pledge.co_pledgers.add(partner)
            expected.append(email)

    wait_until_ready(two_workers)
    reminders_create_due.delay()
    reminders_create_due.delay()
    deadline = time.monotonic() + WAIT_SECONDS
    while Reminder.objects.count() < len(expected) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Reminder.objects.count() == len(expected), logs(two_workers)
    for reminder_id in Reminder.objects.values_list("pk", flat=True):
        reminder_send.delay(reminder_id)
        reminder_send.delay(reminder_id)
    while time.monotonic() < deadline:
        if (Reminder.objects.filter(status=Reminder.Status.SENT).count() == len(expected)
                and OutboundEmail.objects.count() >= len(expected)
                and not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()):
            break
        for worker in two_workers:
            worker.fail_if_exited()
        time.sleep(0.2)
    else:
        pytest.fail(f"not all sent within {WAIT_SECONDS:.0f} s:\n{logs(two_workers)}")
    time.sleep(2)  # the duplicate tasks must change nothing

    assert Reminder.objects.count() == len(expected)
    assert OutboundEmail.objects.count() == len(expected)
    recipients = sorted(
        line.removeprefix("To: ").strip()
        for message in messages_written(two_workers) for line in message.splitlines()
        if line.startswith("To: ")
    )
    assert recipients == sorted(expected), logs(two_workers)
