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


def email_enqueue_delivery(*, email_id: int) -> None:
    """Hand one outbox row to Celery. Never raises: a broker outage only delays the email."""
    from .tasks import outbound_email_deliver

    OutboundEmail.objects.filter(pk=email_id).update(queued_at=timezone.now())
    try:
        outbound_email_deliver.delay(email_id)
    except Exception:  # kombu/redis raise many types; all mean "not queued now"
        logger.warning("email.enqueue_failed", extra={"email_id": email_id}, exc_info=True)


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


def email_sweep(*, stale_after_seconds: int = 120, stuck_after_seconds: int = 900) -> int:
    """Re-queue emails whose delivery was lost (broker down at enqueue, worker killed).

    PENDING rows not queued for a while are queued again; SENDING rows claimed long ago (the
    worker died mid-send) go back to PENDING first. Returns how many were queued.
    """
    now = timezone.now()
    OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING,
        claimed_at__lt=now - timezone.timedelta(seconds=stuck_after_seconds),
    ).update(status=OutboundEmail.Status.PENDING)
    queued_before = now - timezone.timedelta(seconds=stale_after_seconds)
    stale = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=queued_before)
    )
    ids = list(stale.values_list("pk", flat=True)[:500])
    for email_id in ids:
        email_enqueue_delivery(email_id=email_id)
    return len(ids)
