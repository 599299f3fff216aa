"""Compiled reports: the Kigali roundtable report from fixture data with known totals, its files,
idempotent compilation and recovery from a worker that died mid-run."""

import csv
import datetime
import hashlib
import io
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from pledges.models import Event, Pledge, PledgeStatusChange
from reporting import compiled_report_files
from reporting.models import ImplementationStatus, ProgressReport, ReportFile, ReportRun
from reporting.services import compiled_reports
from reporting.tasks import compiled_report_compile
from tests.conftest import require_service
from tests.factories import EntityFactory, accepted_co_pledgers

from .cycles import at, make_cycle, moment
from .kigali import KIGALI_CUTOFF

pytestmark = pytest.mark.django_db


def compile_report(django_capture_on_commit_callbacks, **parameters) -> ReportRun:
    with django_capture_on_commit_callbacks(execute=True):
        run, _created = compiled_reports.compiled_report_request(
            parameters=compiled_reports.compiled_report_parameters(**parameters))
    run.refresh_from_db()
    return run


def kigali_report(django_capture_on_commit_callbacks) -> ReportRun:
    return compile_report(django_capture_on_commit_callbacks, kind="event",
                          event=Event.objects.get(slug="wtdc-22-kigali"), cutoff=KIGALI_CUTOFF)


def _number_or_text(value: str):
    """A CSV cell as the workbook holds it: numbers as numbers."""
    try:
        return Decimal(value)
    except ArithmeticError:
        return value


def _as_text(value) -> str:
    """Workbook and CSV cells compared as text, numbers by value (7000000.00 == 7000000)."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def breakdown(figures, key) -> dict[str, tuple[int, str]]:
    return {row["code"]: (row["pledges"], row["usd"]) for row in figures["breakdowns"][key]}


def file_of(run, file_format, language="en") -> bytes:
    return ReportFile.objects.get(run=run, format=file_format, language=language).read()


# --- The Kigali report ------------------------------------------------------------


def test_kigali_report_totals_and_every_breakdown(kigali, django_capture_on_commit_callbacks):
    run = kigali_report(django_capture_on_commit_callbacks)

    assert run.status == ReportRun.Status.DONE, run.error
    assert run.as_of == KIGALI_CUTOFF
    assert run.title_en == "Pledges announced at WTDC-22 Digital Development Roundtable, " \
        "submitted by 16 June 2022" or run.title_en.startswith("Pledges announced at")
    figures = run.figures
    assert figures["notes"] == []
    assert figures["totals"] == {"pledges": 4, "entities": 3, "countries": 3,
                                 "usd": "7000000.00"}
    zero = (0, "0.00")
    assert breakdown(figures, "action_area") == {
        "access": (2, "7000000.00"), "adoption": (1, "2000000.00"),
        "value-creation": (1, "0.00"), "accelerate": (1, "0.00"),
    }
    pillars = breakdown(figures, "pillar")
    assert pillars["infrastructure"] == (1, "5000000.00")
    assert pillars["affordability"] == pillars["skills"] == (1, "2000000.00")
    assert pillars["policy-regulation"] == (1, "0.00")
    assert pillars["cybersecurity"] == zero
    assert breakdown(figures, "type") == {
        "financial": (2, "7000000.00"), "policy": (1, "0.00"), "advocacy": zero,
        "programme": (1, "0.00"),
    }
    stakeholders = breakdown(figures, "stakeholder_group")
    assert stakeholders["government"] == (2, "5000000.00")
    assert stakeholders["private_sector"] == (1, "2000000.00")
    assert stakeholders["international"] == (1, "0.00")
    assert stakeholders["civil_society"] == zero
    assert breakdown(figures, "region") == {
        "africa": (2, "5000000.00"), "americas": zero, "arab-states": zero,
        "asia-pacific": (3, "7000000.00"), "cis": zero, "europe": zero, "global": (1, "0.00"),
    }
    # As of 16 June 2022 Bhutan was an LDC: both pledges acting there count.
    assert breakdown(figures, "targeting") == {
        "LDC": (2, "5000000.00"), "LLDC": (2, "5000000.00"), "SIDS": (1, "2000000.00"),
        "any": (3, "7000000.00"),
    }
    beneficiaries = breakdown(figures, "beneficiary_group")
    assert beneficiaries["rural-remote"] == (1, "5000000.00")
    assert beneficiaries["women-girls"] == (1, "2000000.00")
    assert beneficiaries["youth"] == (1, "0.00")
    assert beneficiaries["children"] == zero
    sdgs = breakdown(figures, "sdg")
    assert sdgs["5"] == (1, "2000000.00")
    assert sdgs["9"] == (2, "7000000.00")
    assert sdgs["17"] == (1, "0.00")
    assert sdgs["1"] == zero
    assert list(sdgs) == [str(n) for n in range(1, 18)]


def test_the_same_pledges_as_of_today_count_bhutan_as_graduated(
    kigali, django_capture_on_commit_callbacks
):
    with moment("2026-11-29"):
        run = compile_report(django_capture_on_commit_callbacks, kind="event",
                             event=Event.objects.get(slug="wtdc-22-kigali"),
                             cutoff=KIGALI_CUTOFF, as_of=datetime.date(2026, 11, 29))
    assert run.status == ReportRun.Status.DONE, run.error
    targeting = breakdown(run.figures, "targeting")
    assert targeting["LDC"] == (1, "5000000.00")  # Rwanda only: Bhutan is no longer an LDC
    assert targeting["LLDC"] == (2, "5000000.00")  # Bhutan is still landlocked
    assert run.figures["totals"]["pledges"] == 4


def test_kigali_files_open_and_agree(kigali, django_capture_on_commit_callbacks):
    run = kigali_report(django_capture_on_commit_callbacks)
    assert run.files.count() == 4 * 6  # four formats in each of the six languages

    pledges_csv = list(csv.reader(io.StringIO(
        file_of(run, "pledges.csv").decode("utf-8-sig"))))
    assert pledges_csv[0][:3] == ["Reference", "Title", "Pledging entity"]
    assert [row[0] for row in pledges_csv[1:]] == [
        "P2C-2022-0001", "P2C-2022-0002", "P2C-2022-0003", "P2C-2022-0004"]
    # Formula payloads are shown as text, never run.
    assert pledges_csv[2][1] == "'-2+3 cmd"
    assert pledges_csv[2][2] == "'=HYPERLINK(\"http://evil\") Telecom"
    first = dict(zip(pledges_csv[0], pledges_csv[1], strict=True))
    assert first["Countries"] == "Bhutan; Rwanda"
    assert first["LDC/LLDC/SIDS targeted"] == "LDC LLDC"
    assert first["USD committed"] == "5000000.00"

    book = openpyxl.load_workbook(io.BytesIO(file_of(run, "xlsx")), read_only=True)
    assert book.sheetnames == ["Summary", "Action areas", "Pillars", "Types",
                               "Stakeholder groups", "Regions", "LDC, LLDC, SIDS",
                               "Beneficiary groups", "SDGs", "Coalition goals", "Matchmaking",
                               "Pledges"]
    sheet_rows = [[_as_text(v) for v in row]
                  for row in book["Pledges"].iter_rows(values_only=True)]
    assert sheet_rows == [[_as_text(_number_or_text(v)) for v in row] for row in pledges_csv]
    usd = list(book["Pledges"].iter_rows(values_only=True))[1][8]
    assert isinstance(usd, int | float) and usd == 5_000_000  # a number: it sums and sorts

    figures_csv = list(csv.reader(io.StringIO(file_of(run, "figures.csv").decode("utf-8-sig"))))
    assert figures_csv[0] == ["Section", "Code", "Label", "Pledges", "USD", "Value", "Unit"]
    areas_in_csv = [row[1:5] for row in figures_csv if row[0] == "By action area"]
    areas_in_sheet = [[_as_text(v) for v in row]
                      for row in book["Action areas"].iter_rows(values_only=True)][2:]
    assert [[_as_text(_number_or_text(v)) for v in row] for row in areas_in_csv] == areas_in_sheet
    assert areas_in_csv[0] == ["access", "Access", "2", "7000000.00"]
    totals = {row[1]: row[3] or row[4] for row in figures_csv if row[0] == "Totals"}
    assert totals == {"pledges": "4", "entities": "3", "countries": "3", "usd": "7000000.00"}

    french = list(csv.reader(io.StringIO(file_of(run, "figures.csv", "fr").decode("utf-8-sig"))))
    assert french[0] == ["Section", "Code", "Libellé", "Engagements", "USD", "Valeur", "Unité"]
    assert ["Par domaine d’action", "access", "Accès", "2", "7000000.00", "", ""] in french
    # The coalition goals, in the CSV and on their own sheet: value and unit in their columns.
    goals_in_csv = [row[1:] for row in figures_csv if row[0] == "Coalition goals"]
    assert goals_in_csv[:2] == [
        ["usd-100-billion.goal", "USD 100 billion in pledges: goal, to reach by 2026-12-31", "",
         "", "100000000000.00", "USD"],
        ["usd-100-billion.committed", "USD 100 billion in pledges: committed", "3", "",
         "7000009.00", "USD"]]
    goals_sheet = [[_as_text(v) for v in row]
                   for row in book["Coalition goals"].iter_rows(values_only=True)]
    assert goals_sheet[1] == ["Code", "Label", "Pledges", "USD", "Value", "Unit"]


def test_kigali_pdf_renders_pages(kigali, django_capture_on_commit_callbacks, tmp_path):
    run = kigali_report(django_capture_on_commit_callbacks)
    content = file_of(run, "pdf")
    assert content.startswith(b"%PDF-")
    require_service(shutil.which("pdftoppm") is not None, "pdftoppm (Debian poppler-utils)")
    (tmp_path / "report.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    assert all(page.stat().st_size > 2000 for page in pages)  # not blank
    text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    assert "Pledges acting in LDCs, LLDCs and SIDS" in text
    assert "P2C-2022-0004" in text


def test_numbers_are_byte_for_byte_reproducible(kigali, django_capture_on_commit_callbacks):
    first = kigali_report(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        second = compiled_reports.compiled_report_rebuild(run=first)
    second.refresh_from_db()
    assert second.edition == 2 and second.status == ReportRun.Status.DONE
    assert second.figures == first.figures
    for file_format in ReportFile.Format.values:
        for language in ("en", "fr", "ar", "zh-hans"):
            assert file_of(second, file_format, language) == file_of(first, file_format, language)
    assert first.files.count() == 4 * 6  # the earlier edition keeps its files


# --- Idempotency and failures ------------------------------------------------------------


def test_compiling_twice_produces_one_set_of_files(kigali, django_capture_on_commit_callbacks):
    run = kigali_report(django_capture_on_commit_callbacks)
    assert compiled_report_compile.delay(run.pk).get() is False
    assert compiled_report_compile.delay(run.pk).get() is False
    assert ReportFile.objects.filter(run=run).count() == 4 * 6
    again = compile_report(django_capture_on_commit_callbacks, kind="event",
                           event=Event.objects.get(slug="wtdc-22-kigali"), cutoff=KIGALI_CUTOFF)
    assert again.pk == run.pk
    assert ReportRun.objects.count() == 1


def test_a_worker_killed_mid_run_leaves_no_file_and_the_sweep_recovers(
    kigali, django_capture_on_commit_callbacks, monkeypatch
):
    def killed(*args, **kwargs):
        raise SystemExit("worker killed")  # not an Exception: nothing in the task catches it

    monkeypatch.setattr(compiled_report_files, "pdf", killed)
    parameters = compiled_reports.compiled_report_parameters(
        kind="event", event=Event.objects.get(slug="wtdc-22-kigali"), cutoff=KIGALI_CUTOFF)
    run, _created = compiled_reports.compiled_report_request(parameters=parameters)
    with pytest.raises(SystemExit):
        compiled_reports.compiled_report_compile(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING
    assert not ReportFile.objects.filter(run=run).exists()

    # A fresh sweep leaves a run that is still beating alone.
    assert compiled_reports.compiled_reports_sweep() == 0
    monkeypatch.undo()
    later = run.heartbeat_at + compiled_reports.STALE_AFTER + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        compiled_reports.compiled_reports_sweep(now=later)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert run.attempts == 2
    assert ReportFile.objects.filter(run=run).count() == 4 * 6


def test_a_run_that_keeps_dying_ends_failed_with_a_reason(kigali, monkeypatch):
    parameters = compiled_reports.compiled_report_parameters(kind="custom", filter_query="")
    run, _created = compiled_reports.compiled_report_request(parameters=parameters)
    monkeypatch.setattr(compiled_report_files, "pdf",
                        lambda *a, **k: (_ for _ in ()).throw(SystemExit))

    def stale():
        run.refresh_from_db()
        return run.heartbeat_at + compiled_reports.STALE_AFTER + datetime.timedelta(seconds=1)

    with pytest.raises(SystemExit):
        compiled_reports.compiled_report_compile(run_id=run.pk)
    for _attempt in range(compiled_reports.MAX_ATTEMPTS - 1):
        with pytest.raises(SystemExit):  # queued again, compiled in-process, killed again
            compiled_reports.compiled_reports_sweep(now=stale())
    compiled_reports.compiled_reports_sweep(now=stale())
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.attempts == compiled_reports.MAX_ATTEMPTS
    assert "stopped without finishing 3 times" in run.error
    assert not ReportFile.objects.filter(run=run).exists()


def test_an_error_marks_the_run_failed_and_retry_compiles_it(
    kigali, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise ValueError("the chart library broke")

    monkeypatch.setattr(compiled_report_files, "pdf", broken)
    run = kigali_report(django_capture_on_commit_callbacks)
    assert run.status == ReportRun.Status.FAILED
    assert "ValueError: the chart library broke" in run.error
    assert not ReportFile.objects.filter(run=run).exists()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert compiled_reports.compiled_report_retry(run=run)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert ReportFile.objects.filter(run=run).count() == 4 * 6


# --- Edge cases that must give a valid report ---------------------------------------------


def test_a_cutoff_in_the_future_gives_a_report_that_says_so(
    kigali, django_capture_on_commit_callbacks
):
    with moment("2026-11-29"):
        run = compile_report(django_capture_on_commit_callbacks, kind="event",
                             cutoff=datetime.date(2027, 6, 30))
    assert run.status == ReportRun.Status.DONE, run.error
    assert "future_cutoff" in run.figures["notes"]
    assert run.figures["totals"]["pledges"] == 6  # every public pledge submitted so far


def test_an_empty_selection_gives_a_valid_report(db, django_capture_on_commit_callbacks):
    run = compile_report(django_capture_on_commit_callbacks, kind="custom",
                         filter_query="area=access")
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.figures["notes"] == ["empty_selection"]
    assert run.figures["totals"] == {"pledges": 0, "entities": 0, "countries": 0, "usd": "0.00"}
    rows = list(csv.reader(io.StringIO(file_of(run, "pledges.csv").decode("utf-8-sig"))))
    assert len(rows) == 1  # headings only
    assert file_of(run, "pdf").startswith(b"%PDF-")


def test_a_cycle_with_no_reports_gives_a_valid_report(kigali, django_capture_on_commit_callbacks):
    cycle = make_cycle(name_en="2022 — after the Kigali roundtable",
                       period_start=datetime.date(2022, 6, 1),
                       period_end=datetime.date(2022, 12, 31),
                       opens_on=datetime.date(2023, 1, 15), due_on=datetime.date(2023, 3, 31))
    run = compile_report(django_capture_on_commit_callbacks, kind="cycle", cycle=cycle)
    assert run.status == ReportRun.Status.DONE, run.error
    assert "no_reports" in run.figures["notes"]
    delivery = run.figures["delivery"]
    assert delivery["covered"] == 6  # public, published by the end of 2022
    assert delivery["reported"] == 0
    assert delivery["reporting_rate"] == "0.0"
    not_reported = delivery["implementation_status"][-1]
    assert (not_reported["code"], not_reported["pledges"]) == ("not_reported", 6)
    assert (not_reported["label_en"], not_reported["label_fr"], not_reported["label_zh-hans"]) == (
        "No report", "Aucun rapport", "无报告")


def test_a_cycle_report_measures_delivery(kigali, django_capture_on_commit_callbacks):
    cycle = make_cycle(name_en="2022 — after the Kigali roundtable",
                       period_start=datetime.date(2022, 6, 1),
                       period_end=datetime.date(2022, 12, 31),
                       opens_on=datetime.date(2023, 1, 15), due_on=datetime.date(2023, 3, 31))
    p1, p2 = kigali["p1"], kigali["p2"]
    for pledge, status, disbursed, achieved in (
        (p1, ImplementationStatus.ON_TRACK, Decimal("1000000"), Decimal("100")),
        (p2, ImplementationStatus.DELAYED, Decimal("500000"), None),
    ):
        report = ProgressReport.objects.create(
            pledge=pledge, entity=pledge.entity,
            cycle=cycle, status="submitted", implementation_status=status,
            percent_complete=40, usd_disbursed=disbursed, submitted_at=at("2023-02-01"))
        target = pledge.targets.get()
        report.target_progress.create(target=target, indicator=target.indicator,
                                      unit=target.unit, baseline=Decimal(0),
                                      target_value=Decimal("100"), achieved_value=achieved)
    ProgressReport.objects.create(pledge=kigali["p3"], entity=kigali["p3"].entity,
                                  cycle=cycle, status="draft")  # not public

    run = compile_report(django_capture_on_commit_callbacks, kind="cycle", cycle=cycle)
    assert run.status == ReportRun.Status.DONE, run.error
    delivery = run.figures["delivery"]
    assert delivery["covered"] == 6 and delivery["reported"] == 2
    assert delivery["reporting_rate"] == "33.3"
    statuses = {row["code"]: row["pledges"] for row in delivery["implementation_status"]}
    assert statuses == {"not_started": 0, "on_track": 1, "at_risk": 0, "delayed": 1,
                        "completed": 0, "not_reported": 4}
    assert delivery["targets"] == {"reported": 2, "with_value": 1, "achieved": 1,
                                   "average_percent": "100.0"}
    assert delivery["usd_committed"] == "7000009.00"  # with the USD 9 pledge made in July
    assert delivery["usd_disbursed"] == "1500000.00"
    assert delivery["disbursed_share"] == "21.4"
    rows = list(csv.reader(io.StringIO(file_of(run, "pledges.csv").decode("utf-8-sig"))))
    by_reference = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_reference["P2C-2022-0001"]["Implementation status"] == "On track"
    assert by_reference["P2C-2022-0001"]["USD disbursed"] == "1000000.00"
    assert by_reference["P2C-2022-0003"]["Implementation status"] == ""


def test_cycle_reports_are_asked_for_once_when_the_cycle_ends(db):
    cycle = make_cycle(closes_on=datetime.date(2025, 4, 30))
    assert compiled_reports.compiled_reports_for_ended_cycles(today=datetime.date(2025, 4, 30)) == 0
    assert compiled_reports.compiled_reports_for_ended_cycles(today=datetime.date(2025, 5, 1)) == 1
    assert compiled_reports.compiled_reports_for_ended_cycles(today=datetime.date(2025, 5, 2)) == 0
    run = ReportRun.objects.get()
    assert run.cycle == cycle and run.kind == "cycle" and run.as_of == cycle.period_end
    assert run.title_in("fr") == "Mise en œuvre des engagements\u00a0: Rapport annuel 2024"


@pytest.mark.parametrize(
    ("parameters", "field", "message"),
    [
        ({"kind": "event"}, "event", "needs an event, a cut-off date, or both"),
        ({"kind": "cycle"}, "cycle", "needs a reporting cycle"),
        ({"kind": "custom", "filter_query": "area=nowhere&q=x"}, "filter_query",
         "does not know these filters: area=nowhere"),
        ({"kind": "custom", "filter_query": "x" * 1600}, "filter_query", "too long"),
        ({"kind": "event", "cutoff": datetime.date(1999, 1, 1)}, "cutoff", "between"),
        ({"kind": "nonsense"}, "kind", "Choose the kind"),
    ],
)
def test_bad_parameters_say_what_is_wrong(db, parameters, field, message):
    with pytest.raises(ValidationError) as error:
        compiled_reports.compiled_report_parameters(**parameters)
    assert message in " ".join(error.value.message_dict[field])
    assert not ReportRun.objects.exists()


def test_equal_filters_written_differently_are_the_same_report(db):
    first = compiled_reports.compiled_report_parameters(kind="custom",
                                          filter_query="?region=africa&area=access&page=3")
    second = compiled_reports.compiled_report_parameters(kind="custom",
                                           filter_query="area=access&region=africa&sort=title")
    assert first.key == second.key
    assert first.filter_query == "area=access&region=africa"


def test_targeting_codes_written_in_lower_case_are_the_list_s_codes(db):
    """A list address typed or lower-cased by hand ("targeting=ldc"): the same report as the
    list's own "targeting=LDC"; a code that names no grouping is named in the message."""
    lower = compiled_reports.compiled_report_parameters(kind="custom",
                                                        filter_query="?targeting=ldc&targeting=Sids")
    upper = compiled_reports.compiled_report_parameters(kind="custom",
                                                        filter_query="targeting=LDC&targeting=SIDS")
    assert lower.filter_query == upper.filter_query == "targeting=LDC&targeting=SIDS"
    assert lower.key == upper.key
    with pytest.raises(ValidationError) as error:
        compiled_reports.compiled_report_parameters(kind="custom",
                                                    filter_query="targeting=ldc&targeting=lcd")
    assert error.value.message_dict["filter_query"] == [
        "The public pledge list does not know these filters: targeting=lcd. Copy the part after "
        "“?” from the address of a filtered list."]


def test_files_are_stored_and_read_in_chunks(kigali, django_capture_on_commit_callbacks,
                                             monkeypatch):
    monkeypatch.setattr(ReportFile, "CHUNK_BYTES", 1000)
    run = kigali_report(django_capture_on_commit_callbacks)
    pdf = ReportFile.objects.get(run=run, format="pdf", language="en")
    assert pdf.chunks.count() == -(-pdf.size // 1000) > 1  # ceil: every chunk full but the last
    content = pdf.read()
    assert len(content) == pdf.size and content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == pdf.sha256


# --- Found in review ---------------------------------------------------------------------


def test_a_preview_does_not_stand_in_for_the_cycle_report(db):
    cycle = make_cycle(closes_on=datetime.date(2025, 4, 30))
    compiled_reports.compiled_report_request(parameters=compiled_reports.compiled_report_parameters(
        kind="cycle", cycle=cycle, as_of=datetime.date(2024, 6, 30)))
    assert compiled_reports.compiled_reports_for_ended_cycles(today=datetime.date(2025, 5, 1)) == 1
    assert ReportRun.objects.filter(cycle=cycle, as_of=cycle.period_end).exists()


def test_a_custom_report_is_as_of_its_date(kigali, django_capture_on_commit_callbacks):
    later = kigali["p3"]
    Pledge.objects.filter(pk=later.pk).update(published_at=at("2025-01-10"))
    with moment("2026-11-29"):
        run = compile_report(django_capture_on_commit_callbacks, kind="custom",
                             filter_query="targeting=LDC", as_of=KIGALI_CUTOFF)
    rows = list(csv.reader(io.StringIO(file_of(run, "pledges.csv").decode("utf-8-sig"))))
    # Bhutan was an LDC on the report's date: p4 (Bhutan only) is in; p3, published in 2025,
    # is not, nor is p2 (Fiji is not an LDC).
    assert {row[0] for row in rows[1:]} >= {"P2C-2022-0001", "P2C-2022-0004"}
    assert "P2C-2022-0003" not in {row[0] for row in rows[1:]}
    assert "P2C-2022-0002" not in {row[0] for row in rows[1:]}


def test_a_pledge_completed_after_the_period_still_counts_for_the_cycle(
    kigali, django_capture_on_commit_callbacks
):
    cycle = make_cycle(name_en="2022", period_start=datetime.date(2022, 6, 1),
                       period_end=datetime.date(2022, 12, 31),
                       opens_on=datetime.date(2023, 1, 15), due_on=datetime.date(2023, 3, 31))
    p4 = kigali["p4"]
    Pledge.objects.filter(pk=p4.pk).update(status="completed")
    PledgeStatusChange.objects.create(pledge=p4, from_status="published", to_status="completed",
                                      created_at=at("2024-05-01"))
    run = compile_report(django_capture_on_commit_callbacks, kind="cycle", cycle=cycle)
    assert run.figures["delivery"]["covered"] == 6  # p4 included, as when the period ended


def test_only_approved_co_pledgers_count_as_entities(kigali, django_capture_on_commit_callbacks):
    accepted_co_pledgers(kigali["p1"], [EntityFactory(applied=True), EntityFactory(name="Partner")])
    run = kigali_report(django_capture_on_commit_callbacks)
    assert run.figures["totals"]["entities"] == 4  # three pledging + one approved co-pledger


def test_no_rebuild_while_a_newer_edition_is_compiling(kigali, django_capture_on_commit_callbacks):
    first = kigali_report(django_capture_on_commit_callbacks)
    second = compiled_reports.compiled_report_rebuild(run=first)  # queued, not compiled (no commit)
    assert second.status == ReportRun.Status.PENDING
    with pytest.raises(ValidationError, match="being compiled already"):
        compiled_reports.compiled_report_rebuild(run=first)
    assert ReportRun.objects.count() == 2


def test_french_files_use_french_acronyms_and_names(
    kigali, django_capture_on_commit_callbacks
):
    run = kigali_report(django_capture_on_commit_callbacks)
    rows = list(csv.reader(io.StringIO(file_of(run, "pledges.csv", "fr").decode("utf-8-sig"))))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["PMA/PDSL/PEID ciblés"] == "PMA PDSL"
    assert first["Pays"] == "Bhoutan; Rwanda"


def test_a_report_asked_for_in_arabic_and_chinese_is_written_in_them_with_their_names(
    kigali, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run, created = compiled_reports.compiled_report_request(
            parameters=compiled_reports.compiled_report_parameters(
                kind="event", event=Event.objects.get(slug="wtdc-22-kigali"),
                cutoff=KIGALI_CUTOFF),
            languages=["ar", "zh-hans"])
    run.refresh_from_db()
    assert created and run.status == ReportRun.Status.DONE, run.error
    assert sorted(set(run.files.values_list("language", flat=True))) == ["ar", "zh-hans"]
    arabic = list(csv.reader(io.StringIO(file_of(run, "pledges.csv", "ar").decode("utf-8-sig"))))
    chinese = list(csv.reader(io.StringIO(
        file_of(run, "pledges.csv", "zh-hans").decode("utf-8-sig"))))
    assert any("رواندا" in cell for row in arabic[1:] for cell in row)  # Rwanda
    assert any("النفاذ" in cell for row in arabic[1:] for cell in row)  # Access
    countries = [cell for row in chinese[1:] for cell in row if "卢旺达" in cell]  # Rwanda
    assert countries and not any("Rwanda" in cell for cell in countries)
    assert any("接入" in cell for row in chinese[1:] for cell in row)  # Access
    assert run.title_in("zh-hans") != run.title_en

    # Asked again in French, which it lacks: a new edition in French too, not the old one.
    with django_capture_on_commit_callbacks(execute=True):
        again, created = compiled_reports.compiled_report_request(
            parameters=compiled_reports.compiled_report_parameters(
                kind="event", event=Event.objects.get(slug="wtdc-22-kigali"),
                cutoff=KIGALI_CUTOFF),
            languages=["fr"])
    assert created and again.edition == 2
    assert file_of(again, "pledges.csv", "fr")
