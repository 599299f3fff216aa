"""Two beats and two real Celery workers on the real Redis: each follower's weekly digest is
emailed exactly once, in the follower's language.

Each worker is a separate process under the production settings (tests/celery_workers.py),
sharing with this test only the broker and the test database, committed to for real. The
periodic task is published twice (two beats) and every digest's send twice more and a sweep,
so both workers race for the same rows. Needs REDIS_URL and PostgreSQL: skipped without them on
a developer's machine, a failure under CI=true.
"""

import datetime
import time

import pytest
from django.utils import timezone

from following.models import Digest, Follow, Follower
from following.services import last_whole_week
from following.tasks import digest_send, digests_create_due, digests_sweep
from p2c_portal.models import OutboundEmail
from tests.celery_workers import WAIT_SECONDS, logs, messages_written, wait_until_ready
from tests.factories import PledgeFactory

FOLLOWERS = 5

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.usefixtures("publishing_to_redis")
def test_two_beats_and_two_workers_send_each_weekly_digest_once(two_workers):
    week_start = last_whole_week()
    in_the_week = timezone.make_aware(
        datetime.datetime.combine(week_start + datetime.timedelta(days=2), datetime.time(10)))
    pledge = PledgeFactory(published=True, title="Solar-powered school networks")
    pledge.published_at = in_the_week
    pledge.save(update_fields=["published_at"])
    addresses = []
    for number in range(FOLLOWERS):
        language = "fr" if number % 2 else "en"
        follower = Follower.objects.create(email=f"follower{number}@example.net",
                                           language=language)
        Follow.objects.create(follower=follower, kind="pledge", pledge=pledge,
                              confirmed_at=in_the_week - datetime.timedelta(days=20))
        addresses.append(follower.email)

    wait_until_ready(two_workers)
    digests_create_due.delay()
    digests_create_due.delay()
    deadline = time.monotonic() + WAIT_SECONDS
    while Digest.objects.count() < FOLLOWERS and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Digest.objects.count() == FOLLOWERS, logs(two_workers)
    for digest_id in Digest.objects.values_list("pk", flat=True):
        digest_send.delay(digest_id)
        digest_send.delay(digest_id)
    digests_sweep.delay()

    while time.monotonic() < deadline:
        done = (Digest.objects.filter(status=Digest.Status.SENT).count() == FOLLOWERS
                and OutboundEmail.objects.count() >= FOLLOWERS
                and not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists())
        if done:
            break
        for worker in two_workers:
            worker.fail_if_exited()
        time.sleep(0.2)
    else:
        pytest.fail(f"not all sent within {WAIT_SECONDS:.0f} s:\n{logs(two_workers)}")
    time.sleep(2)  # let the duplicate tasks finish: they must change nothing

    assert Digest.objects.count() == FOLLOWERS
    assert OutboundEmail.objects.count() == FOLLOWERS
    written = messages_written(two_workers)
    recipients = sorted(line.removeprefix("To: ").strip()
                        for message in written for line in message.splitlines()
                        if line.startswith("To: "))
    assert recipients == sorted(addresses), logs(two_workers)
    assert all("Solar-powered school networks" in message for message in written)
    assert all("List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message
               for message in written)
    # Each in its follower's language.
    french = OutboundEmail.objects.filter(language="fr")
    assert french.count() == 2
    assert all(email.subject.startswith("Ce qui a changé") for email in french)
    texts = [worker.log() for worker in two_workers]
    assert all("following.tasks" in text for text in texts), logs(two_workers)
    assert not any('"level": "ERROR"' in text for text in texts), logs(two_workers)
