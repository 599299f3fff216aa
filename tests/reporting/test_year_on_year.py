"""Year on year in cycle reports: the coalition's pledges, USD mobilised, pledging entities and
countries engaged at the end of the report's date and a year before, and their shares by type,
area, SDG, region of origin, LDC targeting and beneficiary group, each day with that day's
groupings. Worked out by hand from a fixed data set."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.compiled_report_document import compiled_report_document
from reporting.compiled_report_figures import a_year_before, compiled_report_figures
from reporting.models import ReportFile, ReportRun
from reporting.services import compiled_reports
from tests.reporting import goal_data, year_on_year_data

from .test_compiled_reports import compile_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years():
    return year_on_year_data.build()


def _shares(compared: dict, key: str) -> dict:
    return {row["code"]: (row["pledges"], row["shares"]) for row in compared["shares"][key]}


def test_a_cycle_report_compares_the_coalition_with_the_year_before(
        two_years, django_capture_on_commit_callbacks):
    run = compile_report(django_capture_on_commit_callbacks, kind="cycle", cycle=two_years)
    assert run.status == ReportRun.Status.DONE, run.error
    compared = run.figures["year_on_year"]

    assert compared["as_of"] == ["2022-12-31", "2023-12-31"]
    assert compared["totals"] == {"pledges": [1, 2], "usd": ["1000000.00", "1000000.00"],
                                  "entities": [1, 2], "countries": [1, 2]}
    types = _shares(compared, "type")
    assert types["financial"] == ([1, 1], ["100.0", "50.0"])
    assert types["programme"] == ([0, 1], ["0.0", "50.0"])
    assert types["policy"] == ([0, 0], ["0.0", "0.0"])
    areas = _shares(compared, "action_area")
    assert (areas["access"], areas["adoption"]) == (([1, 1], ["100.0", "50.0"]),
                                                    ([0, 1], ["0.0", "50.0"]))
    # Bhutan graduated on 13 December 2023: an LDC at the end of 2022, not at the end of 2023.
    targeting = _shares(compared, "targeting")
    assert targeting["LDC"] == ([1, 0], ["100.0", "0.0"])
    assert targeting["LLDC"] == ([1, 1], ["100.0", "50.0"])
    # Bhutan Telecom had its headquarters in Kenya until May 2023.
    origin = _shares(compared, "region_of_origin")
    assert origin["africa"] == ([1, 1], ["100.0", "50.0"])
    assert origin["asia-pacific"] == ([0, 1], ["0.0", "50.0"])
    assert all(pledges == [0, 0] for pledges, _shares_ in _shares(compared, "sdg").values())
    assert all(pledges == [0, 0]
               for pledges, _shares_ in _shares(compared, "beneficiary_group").values())
    document = compiled_report_document(run.figures, title=run.title_en, language="en")
    assert [section.key for section in document.year_sections] == [
        "type", "action_area", "sdg", "region_of_origin", "targeting", "beneficiary_group"]
    assert [row.change for row in document.year_totals] == [
        "+1 (+100%)", "US$0 (0%)", "+1 (+100%)", "+1 (+100%)"]


def test_the_comparison_is_in_the_page_and_every_file(
        two_years, django_capture_on_commit_callbacks, anonymous):
    run = compile_report(django_capture_on_commit_callbacks, kind="cycle", cycle=two_years)
    compiled_reports.compiled_report_set_published(run=run, published=True)

    page = anonymous.get(run.get_absolute_url()).content.decode()
    assert "Year on year" in page
    assert "As of 31 December 2022" in page and "As of 31 December 2023" in page
    assert "+1 (+100%)" in page  # pledges, entities, countries: 1 then 2
    assert "1 (100%)" in page and "0 (0%)" in page
    assert "-50" in page  # the share of financial pledges, in percentage points
    french = anonymous.get(run.get_absolute_url().replace("/en/", "/fr/")).content.decode()
    assert "D’une année sur l’autre" in french

    rows = list(csv.reader(io.StringIO(
        ReportFile.objects.get(run=run, format="figures.csv", language="en")
        .read().decode("utf-8-sig"))))
    by_code = {row[1]: row for row in rows[1:] if row[0] == "Year on year"}
    assert by_code["pledges.2022-12-31"][3] == "1"
    assert by_code["pledges.2023-12-31"][3] == "2"
    assert by_code["usd.2023-12-31"][4] == "1000000.00"
    assert by_code["targeting.LDC.2022-12-31"][3:] == ["1", "", "100.00", "%"]
    assert by_code["targeting.LDC.2023-12-31"][3:] == ["0", "", "0.00", "%"]

    book = openpyxl.load_workbook(io.BytesIO(
        ReportFile.objects.get(run=run, format="xlsx", language="en").read()))
    sheet = book["Year on year"]
    assert any(row[0] == "pledges.2023-12-31" and row[2] == 2
               for row in sheet.iter_rows(min_row=3, values_only=True))
    assert ReportFile.objects.get(run=run, format="pdf", language="ar").read().startswith(
        b"%PDF-")


def test_only_cycle_reports_carry_it(two_years, django_capture_on_commit_callbacks):
    run = compile_report(django_capture_on_commit_callbacks, kind="custom",
                         as_of=datetime.date(2023, 12, 31))
    assert run.status == ReportRun.Status.DONE, run.error
    assert "year_on_year" not in run.figures


def test_a_year_before_a_leap_day():
    assert a_year_before(datetime.date(2024, 2, 29)) == datetime.date(2023, 2, 28)
    assert a_year_before(datetime.date(2023, 12, 31)) == datetime.date(2022, 12, 31)


def test_the_comparison_takes_the_same_queries_for_more_pledges(two_years):
    run = ReportRun(kind="cycle", cycle=two_years, as_of=datetime.date(2023, 12, 31))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            compiled_report_figures(run)
        return len(captured)

    few = queries()
    for published_on in ("2022-03-01", "2022-09-01", "2023-05-01", "2023-11-30"):
        goal_data.public_pledge(countries=("RWA", "BTN"), areas=("access", "adoption"),
                                published_on=published_on, financial=True)
    assert queries() == few
    assert compiled_report_figures(run)["year_on_year"]["totals"]["pledges"] == [3, 6]
