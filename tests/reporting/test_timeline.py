"""The public progress timeline on the pledge page: per-target bars, no inline styles, nothing
that is not public, and no N+1."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from pledges.models import Pledge, Target
from reporting.models import ProgressReport
from tests.hostile_input import MARKUP, UNESCAPED_MARKERS
from tests.pledges.funders import accepted_funder

from .cycles import at, file_report, make_cycle, make_published_pledge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_the_due_date():
    with time_machine.travel(at("2025-04-10", 9), tick=False):
        yield


def timeline_html(response) -> str:
    html = response.content.decode()
    match = re.search(r'<section class="mt-4 progress-timeline".*?</section>', html, re.S)
    assert match, "no timeline on the page"
    return match.group(0)


def test_the_public_pledge_page_shows_the_timeline_with_progress_bars(pledge, cycle, anonymous):
    file_report(pledge, cycle)
    response = anonymous.get(f"/en/pledges/{pledge.pk}/")
    assert response.status_code == 200
    html = timeline_html(response)
    assert "Progress" in html and "2024 annual report" in html
    assert "Up to date" in html
    assert "On track" in html
    assert '<progress class="report-progress w-100" max="100" value="40"' in html
    assert '<progress class="report-progress w-100" max="100" value="45"' in html
    assert "450 of 1,000 <bdi>schools</bdi> (45 % of the way)" in html
    assert "40 % complete" in html
    assert 'href="https://example.org/report.pdf" rel="nofollow noopener noreferrer"' in html
    assert "style=" not in html  # strict CSP: no inline style
    # Each bar is named by its label and its text (accessible name for <progress>).
    for labelled_by in re.findall(r'aria-labelledby="([^"]+)"', html):
        for element_id in labelled_by.split():
            assert f'id="{element_id}"' in html


def test_the_public_page_in_french(pledge, cycle, anonymous):
    file_report(pledge, cycle)
    html = timeline_html(anonymous.get(f"/fr/pledges/{pledge.pk}/"))
    assert "Rapport annuel 2024" in html  # the cycle's French name


def test_drafts_and_hidden_reports_are_not_public(pledge, cycle, anonymous, entity, secretariat):
    older = make_cycle(name_en="2023 annual report", period_start=datetime.date(2023, 1, 1),
                       period_end=datetime.date(2023, 12, 31),
                       opens_on=datetime.date(2024, 1, 15), due_on=datetime.date(2024, 3, 31))
    Pledge.objects.filter(pk=pledge.pk).update(published_at=at("2023-05-01"))
    ProgressReport.objects.create(pledge=pledge, entity=pledge.entity, cycle=cycle, status="draft",
                                  narrative="Draft words")
    file_report(pledge, older, hidden_at=at("2024-05-01"), hidden_by=secretariat,
                hidden_reason="Insulting language", narrative="Hidden words")
    html = timeline_html(anonymous.get(f"/en/pledges/{pledge.pk}/"))
    assert "Draft words" not in html and "Hidden words" not in html
    assert "No progress report has been published for this pledge yet." in html
    assert "Report overdue" in html  # 2024 is missing; the hidden 2023 one counts as filed


def test_a_completed_pledge_keeps_its_timeline(pledge, cycle, anonymous):
    file_report(pledge, cycle)
    Pledge.objects.filter(pk=pledge.pk).update(status="completed")
    html = timeline_html(anonymous.get(f"/en/pledges/{pledge.pk}/"))
    assert "2024 annual report" in html
    assert "Reporting status" not in html  # a completed pledge reports no more


def test_the_disbursed_amount_has_its_bar(financial_pledge, cycle, anonymous):
    file_report(financial_pledge, cycle, amount_disbursed=Decimal("500000"), currency="EUR")
    html = timeline_html(anonymous.get(f"/en/pledges/{financial_pledge.pk}/"))
    assert "500,000 of 2,000,000 <bdi>EUR</bdi> (25 %)" in html  # the code isolated in Arabic
    assert 'value="25"' in html


def test_the_timeline_costs_the_same_queries_for_one_report_or_many(entity, anonymous,
                                                                    django_assert_max_num_queries):
    def cycles(count):
        return [
            make_cycle(name_en=f"{year} annual report", period_start=datetime.date(year, 1, 1),
                       period_end=datetime.date(year, 12, 31),
                       opens_on=datetime.date(year + 1, 1, 15),
                       due_on=datetime.date(year + 1, 3, 31))
            for year in range(2024 - count + 1, 2025)
        ]

    def pledge_with(reports: int) -> Pledge:
        pledge = make_published_pledge(entity, published_on="2020-01-01")
        for position in range(1, 4):
            Target.objects.create(pledge=pledge, indicator=f"Indicator {position}", unit="sites",
                                  target_value=Decimal(100), target_date=datetime.date(2026, 1, 1),
                                  position=position)
        for cycle in all_cycles[-reports:]:
            file_report(pledge, cycle, achieved=("10", "20", "30", "40"))
        return pledge

    all_cycles = cycles(4)
    one, many = pledge_with(1), pledge_with(4)
    # The cycles (and the reference data) are read once per process and per change of them.
    anonymous.get(f"/en/pledges/{one.pk}/?warm")
    counts = []
    for pledge in (one, many):
        with CaptureQueriesContext(connection) as queries:
            assert anonymous.get(f"/en/pledges/{pledge.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        html = timeline_html(anonymous.get(f"/en/pledges/{many.pk}/"))
    assert html.count("<progress") == 4 * 5  # four reports: whole pledge + four targets


SHORT_MARKUP = "<img src=x onerror=alert(1)>"


def test_hostile_text_in_a_pledge_and_its_reports_is_shown_as_text(
        pledge, cycle, anonymous, member_client, other_member, entity_admin):
    """The pledge body and its timeline are written in Python (pledges.templatetags.pledge_body,
    reporting.templatetags.progress_timeline): each value people wrote is escaped there, on the
    public page and on the member's review page alike."""
    Pledge.objects.filter(pk=pledge.pk).update(
        title=f"Title {MARKUP}", summary=f"Summary {MARKUP}", description=f"Line 1 {MARKUP}",
        other_partners=f"Others {MARKUP}")
    Target.objects.filter(pledge=pledge).update(indicator=f"Indicator {MARKUP}",
                                                unit=SHORT_MARKUP)  # 50 characters at most
    pledge.refresh_from_db()
    accepted_funder(pledge, other_member, accepted_by=entity_admin,
                    contribution=f"Gives {MARKUP}")
    report = file_report(pledge, cycle, narrative=f"Narrative {MARKUP}")
    ProgressReport.objects.filter(pk=report.pk).update(
        evidence_links=[f"https://example.org/?q={MARKUP}"])

    for page in (anonymous.get(f"/en/pledges/{pledge.pk}/"),
                 member_client.get(f"/en/my-pledges/{pledge.pk}/")):
        assert page.status_code == 200
        html = page.content.decode()
        assert not [marker for marker in UNESCAPED_MARKERS if marker in html]
        for written in ("Title", "Line 1", "Others", "Indicator", "Gives"):
            assert f"{written} {escape(MARKUP)}" in html
        assert f"<bdi>{escape(SHORT_MARKUP)}</bdi>" in html
    public = anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()
    assert f"Narrative {escape(MARKUP)}" in public
    assert f'href="https://example.org/?q={escape(MARKUP)}"' in public
