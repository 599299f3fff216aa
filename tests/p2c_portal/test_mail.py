"""The one email path: outbox row first, delivery task on commit, at most one email per row.

Celery runs eagerly here (no broker); the real worker is exercised in test_celery_worker.py.
"""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sites.models import Site
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone, translation

from members.models import User
from p2c_portal.jobs import RETRY_BACKOFF
from p2c_portal.mail import EMAIL_JOBS, email_deliver, email_queue, email_send_templated
from p2c_portal.models import OutboundEmail
from p2c_portal.tasks import outbound_email_deliver, outbound_email_sweep

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-and-unusual-passw0rd"
FAILING_BACKEND = "tests.p2c_portal.test_mail.RefusingSMTPBackend"
FLAKY_BACKEND = "tests.p2c_portal.test_mail.FlakySMTPBackend"


class RefusingSMTPBackend(BaseEmailBackend):
    """An SMTP server that answers every message with an error, and counts the attempts."""

    attempts = 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        raise smtplib.SMTPException("451 4.3.0 Mail server temporarily rejected message")


class FlakySMTPBackend(LocmemBackend):
    """Fails the first `failures` attempts, then delivers to django.core.mail.outbox."""

    failures = 2
    attempts = 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)


@pytest.fixture(autouse=True)
def _reset_backend_counters():
    RefusingSMTPBackend.attempts = 0
    FlakySMTPBackend.attempts = 0


def _signup(client, language: str, email: str):
    return client.post(
        f"/{language}/accounts/signup/",
        {"email": email, "full_name": "Amina Diallo", "password1": PASSWORD,
         "password2": PASSWORD},
    )


def _queued_but_not_delivered(django_capture_on_commit_callbacks, **kwargs) -> OutboundEmail:
    """An outbox row whose delivery task was never queued (as if the broker had been down)."""
    with django_capture_on_commit_callbacks(execute=False):
        return email_queue(
            to=kwargs.pop("to", ["someone@example.org"]),
            subject=kwargs.pop("subject", "Your pledge was published"),
            body_text=kwargs.pop("body_text", "Thank you."),
            **kwargs,
        )


# --- Signing up -------------------------------------------------------------------------------


def test_signup_stores_one_email_and_delivers_it_once(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, "en", "new.member@example.org")

    assert response.status_code == 302
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.SENT
    assert email.to == ["new.member@example.org"]
    assert email.template == "account/email/email_confirmation_signup"
    assert email.language == "en"
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.queued_at is not None

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.member@example.org"]
    assert message.subject == "[Partner2Connect] Please Confirm Your Email Address"
    assert "/en/accounts/confirm-email/" in message.body
    # The person is greeted by the name they gave; the site is named in the closing (a missing
    # context would leave "Thank you for using !").
    assert message.body.startswith("Dear Amina,")
    site_name = Site.objects.get_current().name
    assert f"Thank you for using {site_name}!" in message.body
    assert User.objects.get(email="new.member@example.org").full_name == "Amina Diallo"


def test_signup_in_french_gets_the_email_in_french(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, "fr", "nouveau.membre@example.org")

    assert response.status_code == 302
    email = OutboundEmail.objects.get()
    assert email.language == "fr"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "[Partner2Connect] Confirmez votre adresse e-mail"
    assert "/fr/accounts/confirm-email/" in message.body
    assert message.body.startswith("Bonjour Amina,")
    assert "Please" not in message.body


def test_nothing_is_delivered_when_the_transaction_rolls_back(
    mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                email_queue(to=["a@example.org"], subject="Hello", body_text="Hi")
                raise RuntimeError("the service failed after queueing")
        except RuntimeError:
            pass

    assert callbacks == []
    assert not OutboundEmail.objects.exists()
    assert mailoutbox == []


# --- Delivery: at most one email per row ---------------------------------------------------------


def test_running_the_delivery_task_twice_sends_one_email(
    mailoutbox, django_capture_on_commit_callbacks
):
    email = _queued_but_not_delivered(django_capture_on_commit_callbacks)

    outbound_email_deliver.delay(email.pk)
    outbound_email_deliver.delay(email.pk)

    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1


def test_a_row_claimed_by_another_worker_is_not_sent_again(
    mailoutbox, django_capture_on_commit_callbacks
):
    email = _queued_but_not_delivered(django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENDING, claimed_at=timezone.now()
    )

    outbound_email_deliver.delay(email.pk)

    assert mailoutbox == []
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENDING


def test_delivery_sends_text_and_html_from_the_site_address(
    mailoutbox, django_capture_on_commit_callbacks, settings
):
    email = _queued_but_not_delivered(
        django_capture_on_commit_callbacks,
        to=[" b@example.org", "a@example.org", "a@example.org", ""],
        subject="Your pledge\nwas published",
        body_html="<p>Thank you.</p>",
    )
    assert email.to == ["a@example.org", "b@example.org"]
    assert email.subject == "Your pledge was published"

    outbound_email_deliver.delay(email.pk)

    (message,) = mailoutbox
    assert message.to == ["a@example.org", "b@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.body == "Thank you."
    assert message.alternatives[0][1] == "text/html"
    assert "<p>Thank you.</p>" in str(message.alternatives[0][0])
    # The Message-ID was made with the row, in the sender's domain, and is the one sent.
    assert message.message()["Message-ID"] == email.message_id
    assert email.message_id.startswith("<") and email.message_id.endswith("@p2c.example.org>")


def test_every_email_has_its_own_message_id(django_capture_on_commit_callbacks):
    first = _queued_but_not_delivered(django_capture_on_commit_callbacks)
    second = _queued_but_not_delivered(django_capture_on_commit_callbacks)
    assert first.message_id != second.message_id


# --- SMTP failures: retry with backoff, then FAILED, resendable from the admin --------------------


def test_smtp_failure_retries_then_marks_the_email_failed_with_the_error(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    email = _queued_but_not_delivered(django_capture_on_commit_callbacks)

    outbound_email_deliver.delay(email.pk)  # eager: the retries run one after the other

    assert RefusingSMTPBackend.attempts == len(RETRY_BACKOFF) + 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == len(RETRY_BACKOFF) + 1
    assert "SMTPException" in email.last_error
    assert "temporarily rejected" in email.last_error
    assert email.sent_at is None
    assert mailoutbox == []


def test_the_last_retry_is_the_only_one_that_gives_up(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    email = _queued_but_not_delivered(django_capture_on_commit_callbacks)

    # A worker running the last retry (retries == max_retries) tries once more, then gives up.
    outbound_email_deliver.apply(args=[email.pk], retries=len(RETRY_BACKOFF))

    assert RefusingSMTPBackend.attempts == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED


def test_a_transient_smtp_failure_is_retried_and_delivered_once(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FLAKY_BACKEND
    email = _queued_but_not_delivered(django_capture_on_commit_callbacks)

    outbound_email_deliver.delay(email.pk)

    assert FlakySMTPBackend.attempts == 3
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 3
    assert "SMTPServerDisconnected" in email.last_error  # the history of the row stays


def test_backoff_grows_and_fits_inside_the_redelivery_window(settings):
    assert list(RETRY_BACKOFF) == sorted(RETRY_BACKOFF)
    # A retry's ETA must come due long before Redis would redeliver the unacked message.
    assert sum(RETRY_BACKOFF) < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert outbound_email_deliver.max_retries == len(RETRY_BACKOFF)


def test_secretariat_resends_a_failed_email_from_the_admin(
    settings, secretariat_client, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    email = _queued_but_not_delivered(django_capture_on_commit_callbacks)
    outbound_email_deliver.delay(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED

    changelist = "/en/admin/p2c_portal/outboundemail/"
    listing = secretariat_client.get(changelist, {"status__exact": "failed"})
    assert listing.status_code == 200
    assert "Your pledge was published" in listing.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # SMTP is back
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            changelist,
            {"action": "resend_failed", "_selected_action": [email.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 email queued again." in response.content.decode()
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.last_error == ""
    assert mailoutbox[0].message()["Message-ID"] == email.message_id


def test_resend_leaves_emails_that_did_not_fail_alone(
    secretariat_client, mailoutbox, django_capture_on_commit_callbacks
):
    sent = _queued_but_not_delivered(django_capture_on_commit_callbacks)
    outbound_email_deliver.delay(sent.pk)
    pending = _queued_but_not_delivered(django_capture_on_commit_callbacks, to=["p@example.org"])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            "/en/admin/p2c_portal/outboundemail/",
            {"action": "resend_failed", "_selected_action": [sent.pk, pending.pk]},
            follow=True,
        )

    assert "0 emails queued again." in response.content.decode()
    assert mailoutbox == []
    sent.refresh_from_db()
    pending.refresh_from_db()
    assert sent.status == OutboundEmail.Status.SENT
    assert pending.status == OutboundEmail.Status.PENDING


def test_the_outbox_is_read_only_in_the_admin(secretariat_client):
    response = secretariat_client.get("/en/admin/p2c_portal/outboundemail/add/")
    assert response.status_code == 403


# --- The sweep: lost deliveries are queued again -------------------------------------------------


def test_sweep_requeues_lost_deliveries_and_leaves_recent_ones_alone(
    mailoutbox, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        # Broker down when this was queued: the row exists, no task does.
        never_queued = _queued_but_not_delivered(
            django_capture_on_commit_callbacks, to=["never-queued@example.org"]
        )

    later = start + timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        # Queued a moment ago: its task is probably waiting in the broker.
        just_queued = _queued_but_not_delivered(
            django_capture_on_commit_callbacks, to=["just-queued@example.org"]
        )
        OutboundEmail.objects.filter(pk=just_queued.pk).update(
            queued_at=later - timedelta(seconds=30)
        )
        # Claimed just now: a live worker is sending it right now.
        being_sent = _queued_but_not_delivered(
            django_capture_on_commit_callbacks, to=["being-sent@example.org"]
        )
        OutboundEmail.objects.filter(pk=being_sent.pk).update(queued_at=later)
        assert EMAIL_JOBS.claim(being_sent.pk, claimed_at=later) is not None

        requeued = outbound_email_sweep.delay().get()
        rerun = outbound_email_sweep.delay().get()

    assert requeued == 1
    assert rerun == 0  # the sweep is harmless to run again
    assert [m.to for m in mailoutbox] == [["never-queued@example.org"]]
    never_queued.refresh_from_db()
    assert never_queued.status == OutboundEmail.Status.SENT
    assert never_queued.queued_at == later
    just_queued.refresh_from_db()
    assert just_queued.status == OutboundEmail.Status.PENDING
    assert just_queued.queued_at == later - timedelta(seconds=30)
    being_sent.refresh_from_db()
    assert being_sent.status == OutboundEmail.Status.SENDING


def test_a_send_cut_off_by_a_dying_worker_is_marked_uncertain_and_not_resent(
    secretariat_client, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        email = _queued_but_not_delivered(
            django_capture_on_commit_callbacks, to=["killed@example.org"]
        )
        # A worker claimed it and was killed while talking to the mail server: whether the
        # server took the message is unknown.
        assert EMAIL_JOBS.claim(email.pk, claimed_at=start) is not None

    # Ten minutes on its lease (fifteen) still runs: the worker may be alive.
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert outbound_email_sweep.delay().get() == 0
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENDING

    # Past its lease: marked uncertain, logged, and not sent again, by this sweep or a later one.
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert outbound_email_sweep.delay().get() == 0
        assert outbound_email_sweep.delay().get() == 0
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.UNCERTAIN
    assert (email.claim, email.lease_until) == (None, None)
    assert any(record.message == "email.uncertain" and record.job_ids == [email.pk]
               for record in caplog.records)
    # The dead worker's task, delivered again (acks_late), finds nothing to claim.
    outbound_email_deliver.delay(email.pk)
    assert mailoutbox == []

    # The secretariat sees it, checks with the recipient, and resends it: same Message-ID.
    changelist = "/en/admin/p2c_portal/outboundemail/"
    listing = secretariat_client.get(changelist, {"status__exact": "uncertain"})
    assert "Uncertain: the send was cut off" in listing.content.decode()
    assert "killed@example.org" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            changelist, {"action": "resend_failed", "_selected_action": [email.pk]}, follow=True
        )
    assert "1 email queued again." in response.content.decode()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    (message,) = mailoutbox
    assert message.message()["Message-ID"] == email.message_id


def test_sweep_leaves_a_scheduled_retry_to_its_backoff(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    email = _queued_but_not_delivered(django_capture_on_commit_callbacks)
    failed_at = timezone.now()
    with time_machine.travel(failed_at, tick=False), pytest.raises(smtplib.SMTPException):
        # What a worker does on an SMTP error before it schedules the retry with a countdown.
        email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING

    # Within the longest backoff the retry is on its way: the sweep must not start another
    # chain of attempts (that would defeat the backoff and multiply the SMTP attempts).
    within_backoff = failed_at + timedelta(seconds=max(RETRY_BACKOFF) + 10)
    with time_machine.travel(within_backoff, tick=False):
        assert outbound_email_sweep.delay().get() == 0
    assert RefusingSMTPBackend.attempts == 1

    # Long after that the retry message must have been lost (e.g. Redis lost its data): re-queue.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(failed_at + timedelta(minutes=30), tick=False):
        assert outbound_email_sweep.delay().get() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mailoutbox) == 1


def test_sweep_never_touches_sent_or_failed_emails(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    sent = _queued_but_not_delivered(django_capture_on_commit_callbacks)
    outbound_email_deliver.delay(sent.pk)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    failed = _queued_but_not_delivered(django_capture_on_commit_callbacks)
    outbound_email_deliver.delay(failed.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mailoutbox.clear()

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert outbound_email_sweep.delay().get() == 0

    assert mailoutbox == []
    failed.refresh_from_db()
    assert failed.status == OutboundEmail.Status.FAILED


# --- Templated emails are written in the recipient's language ------------------------------------

EMAIL_TEMPLATES = {
    # Django's own catalogue translates "Yes" and month names: no project .po file needed.
    "emails/tests/greeting_subject.txt": (
        '{% load i18n %}{% get_current_language as lang %}[{{ lang }}] {% translate "Yes" %}\n'
    ),
    "emails/tests/greeting_body.txt": (
        '{% load i18n %}{% translate "January" %} — {{ SITE_NAME }} — {{ name }}'
    ),
    "emails/tests/greeting_body.html": "{% load i18n %}<p>{% translate 'January' %}</p>",
}


@pytest.fixture
def email_templates(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", EMAIL_TEMPLATES),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]


@pytest.mark.usefixtures("email_templates")
def test_templated_email_is_written_in_the_recipients_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    # The request (an English-speaking secretariat member) is not the recipient (French).
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        email = email_send_templated(
            template="tests/greeting",
            to=["membre@example.org"],
            context={"name": "Awa"},
            language="fr",
        )
        assert translation.get_language() == "en"  # the caller's language is left as it was

    assert email.language == "fr"
    assert email.template == "tests/greeting"
    (message,) = mailoutbox
    assert message.subject == "[fr] Oui"
    assert message.body == "janvier — Partner2Connect Digital Coalition — Awa"
    assert "<p>janvier</p>" in message.alternatives[0][0]


@pytest.mark.usefixtures("email_templates")
def test_templated_email_defaults_to_the_site_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        email = email_send_templated(
            template="tests/greeting", to=["member@example.org"], context={"name": "Ann"}
        )

    assert email.language == "en"
    (message,) = mailoutbox
    assert message.subject == "[en] Yes"
    assert message.body.startswith("January")
