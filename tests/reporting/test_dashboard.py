"""The member dashboard says which progress reports are due and links to their forms."""

import datetime

import pytest
import time_machine

from reporting.models import ProgressReport

from .cycles import at, make_cycle, make_published_pledge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _during_the_cycle():
    """10 February 2025: the 2024 cycle (due 31 March) is open."""
    with time_machine.travel(at("2025-02-10", 9), tick=False):
        yield


def dashboard(client) -> str:
    response = client.get("/en/me/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_links_to_each_report_due(pledge, cycle, entity, member_client):
    second = make_published_pledge(entity, title="Train 2,000 teachers")
    html = dashboard(member_client)
    assert "2 progress reports are due:" in html
    for due in (pledge, second):
        assert f'href="/en/my-pledges/{due.pk}/progress/{cycle.pk}/"' in html
        assert due.title in html
    assert "Report progress for <bdi>2024 annual report</bdi>" in html
    assert "due on 31 March 2025" in html


def test_a_draft_is_continued_and_a_submitted_report_is_no_longer_due(
    pledge, cycle, member_client
):
    report = ProgressReport.objects.create(pledge=pledge, entity=pledge.entity, cycle=cycle)
    html = dashboard(member_client)
    assert "A progress report is due:" in html
    assert "Continue the report for <bdi>2024 annual report</bdi>" in html
    report.status = ProgressReport.Status.SUBMITTED
    report.save()
    assert "progress report" not in dashboard(member_client)


def test_an_overdue_report_says_when_it_was_due(pledge, member_client):
    late = make_cycle(name_en="2023 annual report", period_start=datetime.date(2023, 1, 1),
                      period_end=datetime.date(2023, 12, 31), opens_on=datetime.date(2024, 1, 15),
                      due_on=datetime.date(2024, 3, 31))
    pledge.published_at = at("2023-05-01")
    pledge.save(update_fields=["published_at"])
    html = dashboard(member_client)
    assert f"/progress/{late.pk}/" in html
    assert "was due on 31 March 2024" in html


def test_viewers_and_other_entities_are_not_asked(pledge, cycle, viewer_client,
                                                  other_member_client):
    assert "progress report" not in dashboard(viewer_client)
    assert "progress report" not in dashboard(other_member_client)


def test_in_french(pledge, cycle, member_client):
    html = member_client.get("/fr/me/").content.decode()
    assert "Un rapport d’avancement est à rendre" in html
    assert "Rendre compte de l’avancement (<bdi>Rapport annuel 2024</bdi>)" in html


def test_the_dashboard_costs_the_same_queries_for_one_pledge_or_many(
    pledge, cycle, entity, member_client, django_assert_max_num_queries
):
    dashboard(member_client)  # warm up the session and the caches
    for _ in range(10):
        make_published_pledge(entity)
    # The page (4), the reports due (3), the pledges sent back for changes (1), the invitations
    # and requests to join waiting for the administrators (2) and the matches (1).
    with django_assert_max_num_queries(11):
        html = dashboard(member_client)
    assert "11 progress reports are due:" in html
