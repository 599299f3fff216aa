"""A compiled report's cost does not grow per reference item or per language: its figures take
the same queries for 4 pledges as for 40, and the pledge sheet written straight as XML reads
back in a spreadsheet as before (numbers as numbers, formulas neutralised, characters XML cannot
hold left out)."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.compiled_report_figures import compiled_report_figures
from reporting.models import ReportFile, ReportFileChunk, ReportRun
from reporting.services import compiled_reports
from tests.factories import PledgeFactory
from tests.pledges.public_data import bulk_pledges

pytestmark = pytest.mark.django_db


def _custom_run() -> ReportRun:
    run, _created = compiled_reports.compiled_report_request(
        parameters=compiled_reports.compiled_report_parameters(kind="custom"))
    return run


def _figure_queries() -> int:
    run = _custom_run()
    with CaptureQueriesContext(connection) as queries:
        compiled_report_figures(run)
    ReportRun.objects.filter(pk=run.pk).delete()
    return len(queries.captured_queries)


def test_the_figures_take_the_same_queries_for_ten_times_the_pledges():
    bulk_pledges(4)
    few = _figure_queries()
    bulk_pledges(36)
    assert _figure_queries() == few


def test_the_pledge_sheet_reads_back_as_numbers_and_safe_text(django_capture_on_commit_callbacks):
    PledgeFactory(published=True, financial=True, reference="P2C-2022-0001",
                  title="=HYPERLINK(\"http://evil\")\x01 fibre ")
    with django_capture_on_commit_callbacks(execute=True):
        run = _custom_run()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    for language in run.languages:
        data = ReportFile.objects.get(run=run, format="xlsx", language=language).read()
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        rows = list(book.worksheets[-1].iter_rows(values_only=True))
        assert len(rows) == 2
        reference, title = rows[1][0], rows[1][1]
        assert reference == "P2C-2022-0001"
        assert title == "'=HYPERLINK(\"http://evil\") fibre "
        assert isinstance(rows[1][8], int | float) and rows[1][8] > 0  # sums and sorts


def test_report_file_chunks_are_stored_with_lz4_compression(postgresql):
    """pglz compressing a 70,000-pledge report's CSVs took a tenth of its compilation
    (migration reporting 0010); the server CI and the Dockerfile run has lz4."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass "
                       "AND attname = 'data'", [ReportFileChunk._meta.db_table])
        assert cursor.fetchone()[0] == "l"
