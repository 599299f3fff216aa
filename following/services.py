"""Following by email: every write, and the weekly digest on the job machinery (DESIGN.md §3).

1. `follow_request`: a visitor asks to follow something; the address gets a confirmation email
   (double opt-in). Nothing else is ever sent to an address that did not confirm.
2. `follow_confirm`, `follow_stop`, `follower_stop_all`: the links in the emails. Stopping all
   deletes the address and everything about it.
3. `digests_create_due` (periodic, hourly): for the last whole week, a Digest row per follower
   with a confirmed follow (get_or_create on (follower, week): a rerun or a second beat creates
   nothing), queued after commit.
4. `digest_deliver` (one task per row): claims the row (PENDING → RUNNING) and, in one short
   transaction that re-checks the claim, writes the email into the outbox (p2c_portal.mail,
   which delivers it once) and marks the row SENT, or SKIPPED when nothing changed. No network
   I/O inside, so the hand-over is safely redone if its worker dies: the sweep puts the row back.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from p2c_portal.jobs import JobKind
from p2c_portal.languages import offered_language
from p2c_portal.mail import email_send_templated

from .models import Digest, Follow, Follower
from .selectors import follower_news, followers_with_confirmed_follows

logger = logging.getLogger(__name__)

DIGEST_JOBS = JobKind(
    Digest,
    task="following.tasks.digest_send",
    event="digest",
    running=Digest.Status.RUNNING,
    lease=datetime.timedelta(seconds=900),  # longer than the task's hard time limit (360 s)
    requeue_after=datetime.timedelta(seconds=600),  # longer than the longest retry backoff
)


def _unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: the mail program's own "unsubscribe" button, one click."""
    return {"List-Unsubscribe": f"<{settings.SITE_URL}{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _target_field(target) -> tuple[str, dict]:
    name = type(target).__name__.lower()
    kind = {"pledge": Follow.Kind.PLEDGE, "entity": Follow.Kind.ENTITY,
            "country": Follow.Kind.COUNTRY}[name]
    return kind, {name: target}


@transaction.atomic
def follow_request(*, email: str, target, language: str) -> Follow:
    """Record the wish to follow `target` (a public pledge, approved entity or country, which
    the caller looked up through following.selectors) and email the confirmation link, unless
    it is confirmed already. The answer to the visitor is the same either way: whether an
    address follows something is never told."""
    email = email.strip().lower()
    language = offered_language(language)
    follower, _created = Follower.objects.get_or_create(email=email,
                                                        defaults={"language": language})
    kind, target_field = _target_field(target)
    follow, _created = Follow.objects.get_or_create(follower=follower, kind=kind, **target_field)
    if follow.confirmed_at is None:
        with translation.override(language):
            stop_url = reverse("following:follow_stop", args=[follow.token])
        email_send_templated(
            template="following/confirm", to=[follower.email], language=language,
            context={"follow": follow, "target": target},
            headers=_unsubscribe_headers(stop_url),
        )
    return follow


@transaction.atomic
def follow_confirm(*, token: str, language: str) -> Follow | None:
    """The confirmation link: the follow is confirmed (once; a second click changes nothing),
    and the follower's emails are written in the language of the page they confirmed on."""
    follow = Follow.objects.select_for_update().select_related("follower").filter(
        token=token).first()
    if follow is None:
        return None
    if follow.confirmed_at is None:
        follow.confirmed_at = timezone.now()
        follow.save(update_fields=["confirmed_at"])
    follower = follow.follower
    follower.language = offered_language(language)
    follower.save(update_fields=["language"])
    return follow


@transaction.atomic
def follow_stop(*, token: str) -> bool:
    """Stop one follow; the address is forgotten when it follows nothing more."""
    follow = Follow.objects.filter(token=token).select_related("follower").first()
    if follow is None:
        return False
    follower = follow.follower
    follow.delete()
    if not follower.follows.exists():
        follower.delete()
    return True


@transaction.atomic
def follower_stop_all(*, token: str) -> bool:
    """Stop every email to the address, and forget it (its follows and digests go with it)."""
    deleted, _by_model = Follower.objects.filter(token=token).delete()
    return bool(deleted)


# --- The weekly digest ------------------------------------------------------------------------


def last_whole_week(now: datetime.datetime | None = None) -> datetime.date:
    """The Monday that started the last whole week (Monday to Monday, local time)."""
    today = timezone.localdate(now or timezone.now())
    return today - datetime.timedelta(days=today.weekday() + 7)


def _week_bounds(week_start: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(week_start, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(
        week_start + datetime.timedelta(days=7), datetime.time.min))
    return start, end


def digests_create_due(*, now: datetime.datetime | None = None) -> int:
    """Create the last whole week's digest rows (reruns create nothing) and queue every pending
    row never queued, after commit. Returns how many rows were created."""
    week_start = last_whole_week(now)
    _start, end = _week_bounds(week_start)
    created = 0
    with transaction.atomic():
        for follower_id in (followers_with_confirmed_follows()
                            .filter(follows__confirmed_at__lt=end)
                            .values_list("pk", flat=True)):
            _digest, was_created = Digest.objects.get_or_create(follower_id=follower_id,
                                                                week_start=week_start)
            created += was_created
        transaction.on_commit(DIGEST_JOBS.enqueue_waiting)
    if created:
        logger.info("digests.created", extra={"count": created, "week": week_start.isoformat()})
    return created


def digest_deliver(*, digest_id: int) -> bool:
    """Claim the row, then hand the email to the outbox. False when another worker had it."""
    return DIGEST_JOBS.work(digest_id,
                            lambda claim: digest_hand_over(digest_id=digest_id, claim=claim))


def digest_hand_over(*, digest_id: int, claim: uuid.UUID) -> bool:
    """In one transaction that re-checks the claim: the email into the outbox and the row SENT,
    or SKIPPED when nothing the follower follows changed that week."""
    with transaction.atomic():
        digest = Digest.objects.select_for_update().select_related("follower").get(pk=digest_id)
        if digest.status != Digest.Status.RUNNING or digest.claim != claim:
            return False
        follower = digest.follower
        start, end = _week_bounds(digest.week_start)
        with translation.override(follower.language):
            news = [item for item in follower_news(follower, start, end) if not item.is_empty]
            stop_url = reverse("following:follower_stop_all", args=[follower.token])
        if not news:
            return DIGEST_JOBS.finish(digest_id, claim, Digest.Status.SKIPPED, last_error="")
        email = email_send_templated(
            template="following/digest", to=[follower.email], language=follower.language,
            context={"follower": follower, "news": news, "week_start": digest.week_start,
                     "week_end": digest.week_start + datetime.timedelta(days=6)},
            headers=_unsubscribe_headers(stop_url),
        )
        return DIGEST_JOBS.finish(digest_id, claim, Digest.Status.SENT, email_id=email.pk,
                                  last_error="")


def digests_sweep() -> int:
    return DIGEST_JOBS.sweep()


def digest_resend(*, digest_id: int) -> bool:
    """Secretariat action: a FAILED digest back in the queue."""
    return DIGEST_JOBS.reset(digest_id)
