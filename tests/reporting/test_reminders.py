"""Reminders: each kind fires on its day, once; reruns, duplicate sends, SMTP failures, a broker
that is down and a worker killed mid-send never make a reminder go out twice or not at all."""

import datetime
import smtplib

import pytest
from django.conf import settings
from django.core.mail.backends import locmem
from django.test import override_settings

from p2c_portal import celery_app, queueing
from p2c_portal.jobs import RETRY_BACKOFF
from p2c_portal.mail import EMAIL_JOBS
from p2c_portal.models import OutboundEmail
from p2c_portal.tasks import outbound_email_sweep
from pledges import workflow
from reporting.models import ProgressReport, Reminder
from reporting.services import reminders
from reporting.tasks import reminder_send, reminders_create_due, reminders_sweep
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

from .cycles import at, make_cycle, make_published_pledge, moment

pytestmark = pytest.mark.django_db

ADMIN_URL = "/en/admin/reporting/reminder/"


def new_emails(since: int) -> list[tuple[str, str]]:
    """(template, recipient) of the outbox rows created after row number `since`."""
    return sorted(
        (email.template.removeprefix("reporting/"), email.to[0])
        for email in OutboundEmail.objects.order_by("pk")[since:]
    )


# --- Each kind on its day, once -------------------------------------------------------------------


def test_draft_untouched_fires_on_the_nth_day_once(entity, member, only_kind, run_beat,
                                                   mailoutbox):
    only_kind("draft_untouched")  # after 14 days
    with moment("2025-03-01", 10):
        draft = PledgeFactory(entity=entity, created_by=member, title="Solar schools")

    assert run_beat("2025-03-14") == 0
    assert run_beat("2025-03-15") == 1
    assert run_beat("2025-03-15", 18) == 0
    assert run_beat("2025-03-16") == 0

    assert [message.to for message in mailoutbox] == [[member.email]]
    message = mailoutbox[0]
    assert "Solar schools" in message.subject
    assert "has not changed since 1 March 2025" in message.body
    assert f"{settings.SITE_URL}/en/my-pledges/{draft.pk}/review/" in message.body
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.due_on, reminder.status) == (
        "draft_untouched", datetime.date(2025, 3, 15), "sent")
    assert reminder.target_key == f"pledge:{draft.pk}"

    # Touched again: a new stretch of 14 quiet days earns a new reminder.
    with moment("2025-03-20", 9):
        draft.title = "Solar schools in Rwanda"
        draft.save()
    assert run_beat("2025-04-02") == 0
    assert run_beat("2025-04-03") == 1
    assert len(mailoutbox) == 2


def test_changes_requested_unanswered_fires_once_to_the_author_and_administrators(
    entity, member, entity_admin, secretariat, only_kind, run_beat, mailoutbox
):
    only_kind("changes_requested")  # after 7 days
    with moment("2025-03-03", 9):
        pledge = PledgeFactory(entity=entity, created_by=member, submitted=True)
        workflow.pledge_transition(pledge_id=pledge.pk, name="request_changes",
                                   actor=secretariat, message="Add a target for 2026.")

    assert run_beat("2025-03-09") == 0
    assert run_beat("2025-03-10") == 1
    assert run_beat("2025-03-10", 20) == 0
    assert run_beat("2025-03-11") == 0

    assert sorted(m.to[0] for m in mailoutbox) == [entity_admin.email, member.email]
    body = mailoutbox[0].body
    assert "Add a target for 2026." in body
    assert "asked for changes" in body and "3 March 2025" in body
    assert f"/en/my-pledges/{pledge.pk}/review/" in body


def test_changes_requested_and_answered_sends_nothing(
    entity, member, secretariat, only_kind, run_beat, mailoutbox
):
    only_kind("changes_requested")
    with moment("2025-03-03", 9):
        pledge = PledgeFactory(entity=entity, created_by=member, submitted=True)
        workflow.pledge_transition(pledge_id=pledge.pk, name="request_changes",
                                   actor=secretariat, message="Add a target.")
    with moment("2025-03-05", 9):
        workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)
    assert run_beat("2025-03-10") == 0
    assert mailoutbox == []


def test_report_reminders_fire_before_on_and_after_the_due_date_once_each(
    pledge, cycle, member, entity_admin, reminder_settings, run_beat
):
    reminder_settings.weekly_digest_enabled = False
    reminder_settings.save()
    # Defaults: due soon 14 days before (17 March), due today (31 March), overdue 7 days after
    # (7 April) to the author and the administrators too. Each day the beat runs twice.
    calendar = {
        "2025-03-16": [],
        "2025-03-17": [("report_due_soon", member.email)],
        "2025-03-18": [],
        "2025-03-30": [],
        "2025-03-31": [("report_due_today", member.email)],
        "2025-04-01": [],
        "2025-04-06": [],
        "2025-04-07": [("report_overdue", entity_admin.email), ("report_overdue", member.email)],
        "2025-04-08": [],
        "2025-04-20": [],
    }
    for day, expected in calendar.items():
        before = OutboundEmail.objects.count()
        run_beat(day, 6)
        run_beat(day, 18)
        assert new_emails(before) == expected, day
    assert Reminder.objects.count() == 3
    assert set(Reminder.objects.values_list("due_on", flat=True)) == {cycle.due_on}


def test_report_reminder_says_what_to_do_and_links_to_the_form(
    pledge, cycle, member, only_kind, run_beat, mailoutbox
):
    only_kind("report_due_soon")
    run_beat("2025-03-17")
    [message] = mailoutbox
    assert message.to == [member.email]
    assert pledge.title in message.subject and "31 March 2025" in message.subject
    assert "due on 31 March 2025, in 14 days" in message.body
    assert "the value reached for each target" in message.body
    assert f"{settings.SITE_URL}/en/my-pledges/{pledge.pk}/progress/{cycle.pk}/" in message.body


def test_reminders_are_in_the_recipients_language(
    pledge, cycle, member, only_kind, run_beat, mailoutbox
):
    member.preferred_language = "fr"
    member.save()
    only_kind("report_due_soon")
    run_beat("2025-03-17")
    [message] = mailoutbox
    email = OutboundEmail.objects.get()
    assert email.language == "fr"
    assert f"{settings.SITE_URL}/fr/my-pledges/{pledge.pk}/progress/{cycle.pk}/" in message.body
    assert "31 mars 2025" in message.subject  # dates in the recipient's language


def test_no_more_report_reminders_once_the_report_is_submitted(
    pledge, cycle, member, reminder_settings, run_beat, mailoutbox
):
    reminder_settings.weekly_digest_enabled = False
    reminder_settings.save()
    run_beat("2025-03-17")
    assert len(mailoutbox) == 1
    with moment("2025-03-20"):
        ProgressReport.objects.create(pledge=pledge, entity=pledge.entity,
                                      cycle=cycle, status="submitted")
    for day in ("2025-03-31", "2025-04-07"):
        run_beat(day)
    assert len(mailoutbox) == 1


def test_a_pledge_published_after_the_period_is_not_reminded(
    entity, member, cycle, only_kind, run_beat, mailoutbox
):
    make_published_pledge(entity, created_by=member, published_on="2025-02-01")
    only_kind("report_due_today")
    run_beat("2025-03-31")
    assert mailoutbox == []


def test_weekly_digest_goes_to_the_secretariat_on_its_day_once(
    entity, member, pledge, only_kind, run_beat, mailoutbox
):
    only_kind("weekly_digest")  # Mondays
    assert datetime.date(2025, 3, 17).weekday() == 0
    make_cycle(due_on=datetime.date(2025, 2, 28))  # `pledge` has not reported: overdue
    with moment("2025-03-12", 10):
        new = PledgeFactory(entity=entity, created_by=member, title="Fibre for Kigali clinics")
        workflow.pledge_transition(pledge_id=new.pk, name="submit", actor=member)
        EntityFactory(name="Digital Youth Network", applied=True)

    assert run_beat("2025-03-16") == 0
    assert run_beat("2025-03-17") == 1
    assert run_beat("2025-03-17", 20) == 0
    assert run_beat("2025-03-18") == 0

    [digest] = mailoutbox
    assert digest.to == [settings.SECRETARIAT_EMAIL]
    assert "10 March 2025" in digest.subject and "16 March 2025" in digest.subject
    assert "Fibre for Kigali clinics" in digest.body
    assert "Digital Youth Network" in digest.body
    assert pledge.title in digest.body and "Report overdue" in digest.body
    assert "/en/admin/pledges/pledge/?status__exact=submitted" in digest.body

    assert run_beat("2025-03-24") == 1  # the next week has its own digest
    assert len(mailoutbox) == 2


def test_a_digest_missed_on_its_day_goes_out_late_once(only_kind, run_beat, mailoutbox):
    only_kind("weekly_digest")
    assert run_beat("2025-03-19") == 1  # the beat was down Monday and Tuesday
    assert run_beat("2025-03-20") == 0
    assert len(mailoutbox) == 1
    assert Reminder.objects.get().due_on == datetime.date(2025, 3, 17)


def test_a_new_installation_does_not_mail_about_old_drafts(entity, member, only_kind,
                                                            run_beat, mailoutbox):
    only_kind("draft_untouched")
    with moment("2024-01-01"):
        PledgeFactory(entity=entity, created_by=member)
    assert run_beat("2025-03-15") == 0
    assert mailoutbox == []


def test_turned_off_kinds_send_nothing(pledge, cycle, entity, member, reminder_settings,
                                       run_beat, mailoutbox):
    for name in ("draft_untouched", "changes_requested", "report_due_soon", "report_due_today",
                 "report_overdue", "weekly_digest"):
        setattr(reminder_settings, f"{name}_enabled", False)
    reminder_settings.save()
    with moment("2025-03-01"):
        PledgeFactory(entity=entity, created_by=member)
    for day in ("2025-03-15", "2025-03-17", "2025-03-31", "2025-04-07"):
        assert run_beat(day) == 0
    assert mailoutbox == []


# --- Never twice --------------------------------------------------------------------------------


def test_two_beats_and_duplicate_sends_still_email_once_per_reminder(
    entity, cycle, only_kind, mailoutbox, django_capture_on_commit_callbacks
):
    only_kind("report_due_today")
    authors = [UserFactory(email=f"author{i}@example.org") for i in range(3)]
    for author in authors:
        MembershipFactory(user=author, entity=entity, role="editor")
        make_published_pledge(entity, created_by=author)
    with moment("2025-03-31"), django_capture_on_commit_callbacks(execute=True):
        reminders_create_due.delay()
        reminders_create_due.delay()  # a second beat
        for reminder_id in Reminder.objects.values_list("pk", flat=True):
            reminder_send.delay(reminder_id)
            reminder_send.delay(reminder_id)  # queued twice, by two beats
        reminders_sweep.delay()
    assert Reminder.objects.count() == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted(a.email for a in authors)
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


def test_a_reminder_no_longer_needed_when_its_send_runs_is_skipped(
    entity, member, only_kind, mailoutbox, django_capture_on_commit_callbacks
):
    only_kind("draft_untouched")
    with moment("2025-03-01"):
        draft = PledgeFactory(entity=entity, created_by=member)
    with moment("2025-03-15"), django_capture_on_commit_callbacks(execute=False):
        reminders_create_due()  # the broker lost the send
    with moment("2025-03-15", 8):
        draft.title = "Edited meanwhile"
        draft.save()
    with moment("2025-03-15", 9), django_capture_on_commit_callbacks(execute=True):
        assert reminders_sweep.delay().get() == 1
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.skip_reason) == ("skipped", "done")
    assert mailoutbox == []


# --- Failures -----------------------------------------------------------------------------------


def _refuse_smtp(self, messages):
    raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_an_smtp_failure_is_retried_then_recorded_and_can_be_resent(
    pledge, cycle, member, only_kind, run_beat, mailoutbox, monkeypatch, secretariat_client,
    django_capture_on_commit_callbacks
):
    only_kind("report_due_today")
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", _refuse_smtp)
    run_beat("2025-03-31")

    reminder = Reminder.objects.get()
    assert reminder.status == "sent"  # handed to the outbox, exactly once
    email = reminder.emails.get()
    assert email.status == "failed"
    assert email.attempts == len(RETRY_BACKOFF) + 1
    assert "SMTPServerDisconnected" in email.last_error
    assert mailoutbox == []
    listing = secretariat_client.get(ADMIN_URL + "?delivery=failed")
    assert listing.status_code == 200
    assert "An email failed" in listing.content.decode()
    assert f"/{reminder.pk}/change/" in listing.content.decode()
    detail = secretariat_client.get(f"{ADMIN_URL}{reminder.pk}/change/").content.decode()
    assert f"/en/admin/p2c_portal/outboundemail/{email.pk}/change/" in detail

    monkeypatch.undo()  # the mail server is back
    with moment("2025-03-31", 9), django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(ADMIN_URL, {
            "action": "resend", "_selected_action": [reminder.pk]})
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == "sent"
    assert [m.to for m in mailoutbox] == [[member.email]]
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(ADMIN_URL, {"action": "resend", "_selected_action": [reminder.pk]})
    assert len(mailoutbox) == 1


def test_a_reminder_email_cut_off_mid_send_is_shown_and_can_be_resent(
    pledge, cycle, member, only_kind, mailoutbox, secretariat_client,
    django_capture_on_commit_callbacks
):
    only_kind("report_due_today")
    with moment("2025-03-31", 6), django_capture_on_commit_callbacks(execute=False):
        reminders.reminders_create_due()
        reminder = Reminder.objects.get()
        assert reminders.reminder_deliver(reminder_id=reminder.pk)
        email = reminder.emails.get()
        assert EMAIL_JOBS.claim(email.pk) is not None  # then the worker sending it was killed
    with moment("2025-03-31", 6, 20):
        assert outbound_email_sweep.delay().get() == 0
    email.refresh_from_db()
    assert email.status == "uncertain"
    assert mailoutbox == []

    listing = secretariat_client.get(ADMIN_URL + "?delivery=uncertain").content.decode()
    assert "An email may not have arrived" in listing
    assert f"/{reminder.pk}/change/" in listing
    with moment("2025-03-31", 9), django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(ADMIN_URL, {"action": "resend", "_selected_action": [reminder.pk]})
    email.refresh_from_db()
    assert email.status == "sent"
    assert [m.to for m in mailoutbox] == [[member.email]]


def test_a_failing_send_retries_with_backoff_then_fails_and_can_be_resent(
    pledge, cycle, member, only_kind, run_beat, mailoutbox, monkeypatch, secretariat_client,
    django_capture_on_commit_callbacks
):
    only_kind("report_due_today")
    countdowns = []
    original_retry = reminder_send.retry

    def spy_retry(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return original_retry(*args, **kwargs)

    def broken(**kwargs):
        raise RuntimeError("the template exploded")

    monkeypatch.setattr(reminder_send, "retry", spy_retry)
    monkeypatch.setattr("reporting.emails.email_send_templated", broken)
    run_beat("2025-03-31")

    reminder = Reminder.objects.get()
    assert reminder.status == "failed"
    assert reminder.attempts == len(RETRY_BACKOFF) + 1
    assert "the template exploded" in reminder.last_error
    assert countdowns == list(RETRY_BACKOFF)  # backoff, no long countdown
    assert OutboundEmail.objects.count() == 0
    assert "Failed" in secretariat_client.get(ADMIN_URL + "?status__exact=failed").content.decode()

    monkeypatch.undo()
    with moment("2025-03-31", 9), django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(ADMIN_URL, {"action": "resend", "_selected_action": [reminder.pk]})
    reminder.refresh_from_db()
    assert reminder.status == "sent"
    assert [m.to for m in mailoutbox] == [[member.email]]


def test_only_the_secretariat_may_resend(pledge, cycle, only_kind, run_beat, client,
                                         staff_outsider):
    only_kind("report_due_today")
    run_beat("2025-03-31")
    client.force_login(staff_outsider)
    assert client.get(ADMIN_URL).status_code == 403


# --- Lost sends: the sweep ------------------------------------------------------------------------


def test_broker_down_when_due_rows_are_queued_the_sweep_sends_them_once(
    pledge, cycle, member, only_kind, mailoutbox, django_capture_on_commit_callbacks
):
    import socket

    only_kind("report_due_today")
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
    broker = f"redis://127.0.0.1:{refused.getsockname()[1]}/0"
    try:
        with override_settings(CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER=False):
            celery_app._after_fork()
            with moment("2025-03-31"), django_capture_on_commit_callbacks(execute=True):
                assert reminders.reminders_create_due() == 1
    finally:
        refused.close()
        celery_app._after_fork()
        queueing.broker_outage_forget()

    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.queued_at) == ("pending", None)
    assert mailoutbox == []

    # An hour later the broker is back: the next beat and sweep deliver it, once.
    with moment("2025-03-31", 7), django_capture_on_commit_callbacks(execute=True):
        assert reminders_sweep.delay().get() == 1
        assert reminders_create_due.delay().get() == 0
        assert reminders_sweep.delay().get() == 0
    assert [m.to for m in mailoutbox] == [[member.email]]
    reminder.refresh_from_db()
    assert reminder.status == "sent"


def test_a_worker_killed_mid_send_is_swept_and_sent_once(
    pledge, cycle, member, only_kind, mailoutbox, django_capture_on_commit_callbacks
):
    only_kind("report_due_today")
    with moment("2025-03-31", 6), django_capture_on_commit_callbacks(execute=False):
        reminders.reminders_create_due()
        reminder = Reminder.objects.get()
        dead_workers_claim = reminders.REMINDER_JOBS.claim(reminder.pk)
    assert dead_workers_claim is not None  # claimed, then the worker was killed

    # Ten minutes on, it may still be working: the sweep leaves it alone.
    with moment("2025-03-31", 6, 10), django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_sweep() == 0
    reminder.refresh_from_db()
    assert reminder.status == "sending"

    # Twenty minutes on (more than the hard time limit), the sweep takes it back.
    with moment("2025-03-31", 6, 20), django_capture_on_commit_callbacks(execute=True):
        assert reminders_sweep.delay().get() == 1
    reminder.refresh_from_db()
    assert reminder.status == "sent"
    assert [m.to for m in mailoutbox] == [[member.email]]

    # The killed worker's task, redelivered (acks_late), and a worker that only seemed dead,
    # waking up late, change nothing.
    assert reminders.reminder_deliver(reminder_id=reminder.pk) is False
    assert reminders.reminder_hand_over(reminder_id=reminder.pk,
                                        claim=dead_workers_claim) is False
    assert len(mailoutbox) == 1
    assert OutboundEmail.objects.count() == 1


def test_a_pending_send_lost_in_the_broker_is_requeued_after_the_stale_delay(
    pledge, cycle, member, only_kind, mailoutbox, django_capture_on_commit_callbacks
):
    only_kind("report_due_today")
    with moment("2025-03-31", 6), django_capture_on_commit_callbacks(execute=False):
        reminders.reminders_create_due()
    reminder = Reminder.objects.get()
    Reminder.objects.filter(pk=reminder.pk).update(queued_at=at("2025-03-31", 6))
    with moment("2025-03-31", 6, 5), django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_sweep() == 0  # just queued: its task may still come
    with moment("2025-03-31", 6, 11), django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_sweep() == 1
    assert [m.to for m in mailoutbox] == [[member.email]]
