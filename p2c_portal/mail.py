"""The one email-sending path of the whole site.

Every email — ours and django-allauth's — is rendered now, stored as an OutboundEmail row, and
delivered by a Celery task queued after the transaction commits. If the broker is down the row
stays PENDING and the periodic sweep (p2c_portal.tasks.outbound_email_sweep) queues it later.
"""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboundEmail
from .queueing import task_enqueue

logger = logging.getLogger(__name__)


def email_queue(
    *,
    to: Iterable[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    template: str = "",
    language: str = "",
) -> OutboundEmail:
    """Store an already-rendered email and queue its delivery once the transaction commits."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    email = OutboundEmail.objects.create(
        to=recipients,
        subject=" ".join(subject.split())[:255],  # headers are one line
        body_text=body_text,
        body_html=body_html,
        template=template,
        language=language,
    )
    transaction.on_commit(lambda: email_enqueue_delivery(email_id=email.pk))
    return email


def email_send_templated(
    *,
    template: str,
    to: Iterable[str],
    context: Mapping[str, Any],
    language: str | None = None,
) -> OutboundEmail:
    """Render templates/emails/<template>_{subject,body}.txt (+ optional _body.html) and queue.

    `template` is "<app>/<name>", e.g. "members/entity_approved". Rendered in the recipient's
    language, which the caller passes (the request's language is not the recipient's).
    """
    language = language or settings.LANGUAGE_CODE
    full_context = {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", full_context)
        body_text = render_to_string(f"emails/{template}_body.txt", full_context)
        try:
            body_html = render_to_string(f"emails/{template}_body.html", full_context)
        except TemplateDoesNotExist:
            body_html = ""
    return email_queue(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        language=language,
    )


def email_enqueue_delivery(*, email_id: int) -> bool:
    """Hand one outbox row to Celery. Never raises: a broker outage only delays the email.

    `queued_at` is stamped only once the broker has the task, so a row whose publish failed
    (queued_at still empty) is picked up by the very next sweep. Returns whether it was queued.
    """
    from .tasks import outbound_email_deliver

    if not task_enqueue(outbound_email_deliver, email_id, event="email", email_id=email_id):
        return False
    OutboundEmail.objects.filter(pk=email_id).update(queued_at=timezone.now())
    return True


def email_deliver(*, email_id: int) -> bool:
    """Claim the row (compare-and-set PENDING → SENDING), send it, mark it SENT.

    Returns False when another worker already claimed or sent it. Raises the SMTP error after
    putting the row back to PENDING, so that the task can retry with backoff.
    """
    claimed = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.SENDING, claimed_at=timezone.now()
    )
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except Exception as error:
        OutboundEmail.objects.filter(pk=email_id).update(
            status=OutboundEmail.Status.PENDING,
            attempts=email.attempts + 1,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            # The task schedules its own retry now: the sweep leaves the row to that retry.
            queued_at=timezone.now(),
        )
        raise
    OutboundEmail.objects.filter(pk=email_id).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), attempts=email.attempts + 1
    )
    return True


def email_mark_failed(*, email_id: int) -> None:
    """After the last retry: FAILED, visible in the admin, resendable from there."""
    OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.FAILED
    )


def email_resend(*, email_id: int) -> bool:
    """Secretariat action: put a FAILED email back in the queue."""
    reset = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.FAILED).update(
        status=OutboundEmail.Status.PENDING, last_error=""
    )
    if reset:
        transaction.on_commit(lambda: email_enqueue_delivery(email_id=email_id))
    return bool(reset)


# A PENDING row queued longer ago than this lost its task (the longest retry backoff is 300 s).
SWEEP_STALE_AFTER_SECONDS = 600
# A SENDING row claimed longer ago than this lost its worker (the task hard time limit is 360 s).
SWEEP_STUCK_AFTER_SECONDS = 900


def email_sweep(
    *,
    stale_after_seconds: int = SWEEP_STALE_AFTER_SECONDS,
    stuck_after_seconds: int = SWEEP_STUCK_AFTER_SECONDS,
) -> int:
    """Re-queue emails whose delivery was lost (broker down at enqueue, worker killed).

    PENDING rows never queued, or queued long ago, are queued again; SENDING rows claimed long
    ago (the worker died mid-send) go back to PENDING first. Stops at the first publish that
    fails (the broker is down again: the next sweep carries on). Returns how many were queued.
    """
    now = timezone.now()
    OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING,
        claimed_at__lt=now - timezone.timedelta(seconds=stuck_after_seconds),
    ).update(status=OutboundEmail.Status.PENDING, queued_at=None)
    queued_before = now - timezone.timedelta(seconds=stale_after_seconds)
    stale = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=queued_before)
    )
    queued = 0
    for email_id in stale.order_by("created_at").values_list("pk", flat=True)[:500]:
        if not email_enqueue_delivery(email_id=email_id):
            break
        queued += 1
    return queued
