"""The events page: every event with its public pledges and its published reports."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reporting.models import ReportRun
from tests.factories import EventFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def _report(event, title: str, *, published: bool) -> ReportRun:
    return ReportRun.objects.create(
        kind=ReportRun.Kind.EVENT, event=event, title_en=title, as_of=datetime.date(2024, 1, 1),
        parameters_key=f"event={event.slug}|{title}", status=ReportRun.Status.DONE,
        is_published=published, published_at=timezone.now() if published else None,
    )


def test_each_event_shows_its_public_pledges_and_published_reports(anonymous):
    kigali = EventFactory(slug="kigali-test", name_en="Kigali roundtable", location="Kigali")
    EventFactory(slug="quiet", name_en="Quiet forum", start_date=datetime.date(2021, 1, 1),
                 end_date=datetime.date(2021, 1, 1))
    PledgeFactory(published=True, event=kigali)
    PledgeFactory(published=True, event=kigali)
    PledgeFactory(event=kigali)  # a draft: not counted
    public_report = _report(kigali, "What Kigali pledged", published=True)
    _report(kigali, "Internal draft report", published=False)
    response = anonymous.get("/en/events/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/en/events/kigali-test/">2 pledges</a>' in html
    assert 'href="/en/events/quiet/">0 pledges</a>' in html
    assert f'href="/en/reports/{public_report.pk}/"><bdi>What Kigali pledged</bdi>' in html
    assert "Internal draft report" not in html
    assert html.index("Kigali roundtable") < html.index("Quiet forum")  # newest first


def test_the_events_page_costs_the_same_queries_for_few_or_many_events(anonymous):
    """Counted with an empty cache each time (the facet bitsets, which give the numbers, built
    again): the same queries for one event as for seven, each with a report."""
    def cold_queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert anonymous.get("/en/events/").status_code == 200
        return len(queries)

    few = cold_queries()
    for n in range(6):
        event = EventFactory(slug=f"forum-{n}")
        PledgeFactory(published=True, event=event)
        _report(event, f"Report {n}", published=True)
    assert cold_queries() == few


def test_an_event_s_new_code_keeps_its_pledges_on_the_events_page(postgresql, member_client):
    """The numbers come from the facet bitsets (keyed by the events' codes): the secretariat
    changing an event's code in the admin must not show it with no pledges. (A signed-in
    visitor: no whole-page cache.)"""
    event = EventFactory(slug="kigali-draft-code", name_en="Kigali roundtable")
    PledgeFactory(published=True, event=event)
    html = member_client.get("/en/events/").content.decode()
    assert 'href="/en/events/kigali-draft-code/">1 pledge</a>' in html

    event.slug = "kigali-2026"
    event.save()

    html = member_client.get("/en/events/").content.decode()
    assert 'href="/en/events/kigali-2026/">1 pledge</a>' in html
