"""Two beats and two real Celery workers on the real Redis: each request to join that is about to
expire is reminded once to the pledge's administrators, and each one past its time expires once,
the asking side told once.

Each worker is a separate process under the production settings (tests/celery_workers.py,
P2C_JOIN_REQUEST_DAYS=30, P2C_JOIN_REQUEST_REMINDER_DAYS=7 by default), sharing with this test
only the broker and the test database, committed to for real. The periodic task is published
four times, so both workers race for the same rows. Needs REDIS_URL and PostgreSQL: skipped
without them on a developer's machine, a failure under CI=true.
"""

import datetime
import time

import pytest
from django.utils import timezone

from p2c_portal.models import OutboundEmail
from pledges import partnerships
from pledges.models import Partnership
from pledges.tasks import join_requests_expire
from tests.celery_workers import WAIT_SECONDS, logs, wait_until_ready
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

REQUESTS = 3  # about to expire, and as many past their time

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _requests(owner_admin, pledge, age_days: int, label: str) -> list[Partnership]:
    made = []
    for number in range(REQUESTS):
        entity = EntityFactory(name=f"{label} Joiner {number}")
        admin = UserFactory(email=f"{label.lower()}{number}@joiner.example.org",
                            preferred_language="fr" if number % 2 else "en")
        MembershipFactory(user=admin, entity=entity, role="administrator")
        partnership = partnerships.partnership_request(
            actor=admin, pledge_id=pledge.pk, entity_id=entity.pk, role="adopter",
            contribution="We adopt it.")
        Partnership.objects.filter(pk=partnership.pk).update(
            invited_at=timezone.now() - datetime.timedelta(days=age_days))
        made.append(partnership)
    return made


@pytest.mark.usefixtures("publishing_to_redis")
def test_two_beats_and_two_workers_remind_and_expire_each_request_once(two_workers):
    owner = EntityFactory(name="Ministry of ICT of Rwanda")
    owner_admin = UserFactory(email="ada@minict.example.org", preferred_language="fr")
    MembershipFactory(user=owner_admin, entity=owner, role="administrator")
    pledge = PledgeFactory(entity=owner, published=True)
    soon = _requests(owner_admin, pledge, 25, "Soon")
    late = _requests(owner_admin, pledge, 31, "Late")
    OutboundEmail.objects.all().delete()  # the emails of the requests themselves

    wait_until_ready(two_workers)
    for _beat in range(4):
        join_requests_expire.delay()
    expected_emails = REQUESTS * 2  # one reminder to A's administrator, one to each asker
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done = (
            Partnership.objects.filter(pk__in=[p.pk for p in late], status="expired").count()
            == REQUESTS
            and Partnership.objects.filter(pk__in=[p.pk for p in soon],
                                           reminded_at__isnull=False).count() == REQUESTS
            and OutboundEmail.objects.count() >= expected_emails
        )
        if done:
            break
        for worker in two_workers:
            worker.fail_if_exited()
        time.sleep(0.2)
    else:
        pytest.fail(f"not all done within {WAIT_SECONDS:.0f} s:\n{logs(two_workers)}")
    time.sleep(2)  # let the duplicate tasks finish: they must change nothing

    assert OutboundEmail.objects.count() == expected_emails
    reminders = OutboundEmail.objects.filter(template="pledges/join_request_reminder")
    assert sorted(email.to[0] for email in reminders) == ["ada@minict.example.org"] * REQUESTS
    assert all(email.language == "fr" for email in reminders)
    expired = OutboundEmail.objects.filter(template="pledges/join_request_expired")
    assert sorted(email.to[0] for email in expired) == sorted(
        f"late{number}@joiner.example.org" for number in range(REQUESTS))
    assert Partnership.objects.filter(status="requested").count() == REQUESTS  # the soon ones
    # One audit row per expiry, whoever ran it.
    assert sum(p.changes.filter(to_status="expired").count() for p in late) == REQUESTS
    texts = [worker.log() for worker in two_workers]
    assert not any('"level": "ERROR"' in text for text in texts), logs(two_workers)
