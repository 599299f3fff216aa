"""The secretariat's admin: reporting cycles, progress reports hidden with a reason (audited,
emailed) and shown again, the reminder settings."""

import pytest
import time_machine

from reporting.models import ProgressReportEvent, ReminderSettings

from .cycles import at, file_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_the_due_date():
    with time_machine.travel(at("2025-04-10", 9), tick=False):
        yield


REPORTS = "/en/admin/reporting/progressreport/"


def test_the_secretariat_hides_a_report_with_a_reason(
    pledge, cycle, member, entity_admin, secretariat, secretariat_client, anonymous, mailoutbox,
    django_capture_on_commit_callbacks
):
    report = file_report(pledge, cycle)
    listing = secretariat_client.get(REPORTS)
    assert listing.status_code == 200 and pledge.title in listing.content.decode()
    assert secretariat_client.get(f"{REPORTS}{report.pk}/change/").status_code == 200

    ask = secretariat_client.post(REPORTS, {"action": "hide_selected",
                                            "_selected_action": [report.pk]})
    assert ask.status_code == 200 and "Reason" in ask.content.decode()
    no_reason = secretariat_client.post(REPORTS, {
        "action": "hide_selected", "_selected_action": [report.pk], "confirm": "yes",
        "reason": " "})
    assert "This field is required." in no_reason.content.decode()
    report.refresh_from_db()
    assert report.hidden_at is None

    with django_capture_on_commit_callbacks(execute=True):
        done = secretariat_client.post(REPORTS, {
            "action": "hide_selected", "_selected_action": [report.pk], "confirm": "yes",
            "reason": "It names private individuals."})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.hidden_at is not None and report.hidden_by == secretariat
    event = report.events.get(action=ProgressReportEvent.Action.HIDDEN)
    assert (event.actor, event.message) == (secretariat, "It names private individuals.")
    assert sorted(m.to[0] for m in mailoutbox) == [entity_admin.email, member.email]
    assert "It names private individuals." in mailoutbox[0].body
    html = anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()
    assert "Connected schools in the Northern Province." not in html

    secretariat_client.post(REPORTS, {"action": "show_selected", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.hidden_at is None
    assert report.events.filter(action=ProgressReportEvent.Action.SHOWN).exists()


def test_staff_outside_the_secretariat_cannot_hide(pledge, cycle, client, staff_outsider):
    report = file_report(pledge, cycle)
    client.force_login(staff_outsider)
    assert client.get(REPORTS).status_code == 403
    client.post(REPORTS, {"action": "hide_selected", "_selected_action": [report.pk],
                          "confirm": "yes", "reason": "No"})
    report.refresh_from_db()
    assert report.hidden_at is None


def test_the_secretariat_runs_cycles_and_sets_reminders(secretariat_client, cycle):
    assert secretariat_client.get("/en/admin/reporting/reportingcycle/").status_code == 200
    added = secretariat_client.post("/en/admin/reporting/reportingcycle/add/", {
        "name_en": "2025 annual report", "name_in_fr": "Rapport annuel 2025",
        "period_start": "2025-01-01", "period_end": "2025-12-31", "opens_on": "2026-01-15",
        "due_on": "2026-03-31", "closes_on": ""})
    assert added.status_code == 302
    wrong = secretariat_client.post("/en/admin/reporting/reportingcycle/add/", {
        "name_en": "Backwards", "period_start": "2025-12-31", "period_end": "2025-01-01",
        "opens_on": "2026-03-31", "due_on": "2026-01-15", "closes_on": ""})
    assert wrong.status_code == 200  # refused by the constraints, with the form shown again

    to_settings = secretariat_client.get("/en/admin/reporting/remindersettings/")
    assert to_settings.status_code == 302
    form = secretariat_client.get(to_settings.headers["Location"])
    assert form.status_code == 200
    saved = secretariat_client.post(to_settings.headers["Location"], {
        "draft_untouched_enabled": "on", "draft_untouched_days": "21",
        "changes_requested_enabled": "on", "changes_requested_days": "7",
        "report_due_soon_days": "30", "report_due_today_enabled": "on",
        "report_overdue_enabled": "on", "report_overdue_days": "14",
        "weekly_digest_weekday": "4"})
    assert saved.status_code == 302
    row = ReminderSettings.load()
    assert (row.draft_untouched_days, row.report_due_soon_enabled, row.weekly_digest_weekday) == (
        21, False, 4)


def test_the_member_page_sends_the_secretariat_to_the_admin(pledge, cycle, secretariat_client):
    response = secretariat_client.get(f"/en/my-pledges/{pledge.pk}/progress/{cycle.pk}/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/admin/reporting/progressreport/"
