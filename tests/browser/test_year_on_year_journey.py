"""Issue 19, year on year: a published cycle report's page leads with the coalition's growth
against the year before, in English and in Arabic (right to left), on a desk screen and on a
phone, each view checked by axe; nothing is wider than the phone's screen."""

import re

import pytest
from playwright.sync_api import expect

from reporting.models import ReportRun
from reporting.services import compiled_reports
from tests.browser.support import BROWSER_LOCALES, t
from tests.reporting import year_on_year_data

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


@pytest.mark.parametrize(("language", "page_locale"), [
    pytest.param(language, BROWSER_LOCALES[language], id=language) for language in ("en", "ar")])
def test_a_visitor_reads_the_year_on_year_comparison(page, checkpoint, language,
                                                     django_capture_on_commit_callbacks):
    cycle = year_on_year_data.build()
    with django_capture_on_commit_callbacks(execute=True):
        run, _created = compiled_reports.compiled_report_request(
            parameters=compiled_reports.compiled_report_parameters(kind="cycle", cycle=cycle))
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    compiled_reports.compiled_report_set_published(run=run, published=True)

    page.set_viewport_size(DESK)
    page.goto(f"/{language}/reports/{run.pk}/")
    section = page.get_by_role("region", name=t(language, "Year on year"), exact=True)
    expect(section).to_be_visible()
    totals = section.get_by_role("table").first
    expect(totals.get_by_role("columnheader")).to_have_count(4)
    pledges = totals.get_by_role("row").filter(has_text=t(language, "Pledges"))
    expect(pledges.first.get_by_role("cell").last).to_contain_text("100")
    expect(section.get_by_role("heading", level=3)).to_have_count(6)
    checkpoint("01-report-desk")

    page.set_viewport_size(PHONE)
    expect(section).to_be_visible()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    checkpoint("02-report-phone")
    assert re.search(r"\d", section.inner_text())
