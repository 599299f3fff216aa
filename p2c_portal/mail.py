"""The one email-sending path of the whole site.

Every email — ours and django-allauth's — is rendered now, stored as an OutboundEmail row, and
delivered by a job (p2c_portal.jobs) queued after the transaction commits: claimed, sent once,
retried with backoff on an SMTP error, then FAILED. If the broker is down the row stays PENDING
and the periodic sweep (p2c_portal.tasks.outbound_email_sweep) queues it later. A send cut off
by a dying worker is not repeated: the sweep marks it UNCERTAIN, for the secretariat to resend
(with the same Message-ID) if it never arrived.
"""

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist, engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .jobs import JobKind
from .languages import offered_language
from .models import OutboundEmail

EMAIL_JOBS = JobKind(
    OutboundEmail,
    task="p2c_portal.tasks.outbound_email_deliver",
    event="email",
    running=OutboundEmail.Status.SENDING,
    # Longer than the delivery task's hard time limit (360 s): a SENDING row past its lease
    # lost its worker.
    lease=datetime.timedelta(seconds=900),
    # Longer than the longest retry backoff (300 s): a PENDING row queued before that lost its task.
    requeue_after=datetime.timedelta(seconds=600),
    lost_status=OutboundEmail.Status.UNCERTAIN,
)


def email_queue(
    *,
    to: Iterable[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    template: str = "",
    language: str = "",
    headers: Mapping[str, str] | None = None,
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
        headers=dict(headers or {}),
    )
    EMAIL_JOBS.enqueue_on_commit(email.pk)
    return email


def email_send_templated(
    *,
    template: str,
    to: Iterable[str],
    context: Mapping[str, Any],
    language: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> OutboundEmail:
    """Render templates/emails/<template>_{subject,body}.txt (+ optional _body.html) and queue.

    `template` is "<app>/<name>", e.g. "members/entity_approved". Rendered in the recipient's
    language, which the caller passes (the request's language is not the recipient's): its
    words, and its links' /<language>/ prefix, since `{% url %}` in the templates is reversed
    under the same override. Links belong in the templates, not in `context`: an address
    reversed by the caller carries the caller's language.
    """
    language = offered_language(language)
    full_context = {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **context}
    with translation.override(language):
        subject = render_plain_text(f"emails/{template}_subject.txt", full_context)
        body_text = render_plain_text(f"emails/{template}_body.txt", full_context)
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
        headers=headers,
    )


def email_to_secretariat(
    *, template: str, context: Mapping[str, Any]
) -> OutboundEmail:
    """An email to the secretariat's shared inbox, in its language (SECRETARIAT_LANGUAGE)."""
    return email_send_templated(
        template=template,
        to=[settings.SECRETARIAT_EMAIL],
        context=context,
        language=settings.SECRETARIAT_LANGUAGE,
    )


def render_plain_text(template_name: str, context: Mapping[str, Any]) -> str:
    """A plain-text template rendered without HTML escaping: an entity called "Women's Network"
    stays so in a subject line and a text body, where "&#x27;" would be printed as is. (An
    HTML body goes through render_to_string and stays escaped.)"""
    template = engines["django"].engine.get_template(template_name)
    return template.render(Context(dict(context), autoescape=False))


def email_deliver(*, email_id: int) -> bool:
    """Claim the row (PENDING → SENDING), send it, mark it SENT.

    Returns False when another worker already claimed or sent it. Raises the SMTP error after
    putting the row back to PENDING, so that the task can retry with backoff.
    """
    return EMAIL_JOBS.work(email_id, lambda claim: _send(email_id, claim),
                           claimed_at=timezone.now())


def _send(email_id: int, claim: uuid.UUID) -> bool:
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        headers={**email.headers, "Message-ID": email.message_id},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    message.send()
    return EMAIL_JOBS.finish(email_id, claim, OutboundEmail.Status.SENT, sent_at=timezone.now())


def email_resend(*, email_id: int) -> bool:
    """Secretariat action: put a FAILED email, or an UNCERTAIN one that did not arrive, back in
    the queue. It keeps its Message-ID: a copy that did arrive is recognisably the same email."""
    return EMAIL_JOBS.reset(
        email_id, from_statuses=(OutboundEmail.Status.FAILED, OutboundEmail.Status.UNCERTAIN)
    )


def email_sweep() -> int:
    """Queue emails whose delivery was lost (broker down at enqueue, message lost), and mark
    UNCERTAIN the ones whose worker died mid-send. Returns how many were queued."""
    return EMAIL_JOBS.sweep()
