"""A compiled report "as of" a date reads each pledge as it stood then: an amendment approved
later (a budget cut) leaves the Kigali report's figures and files the same, byte for byte,
while a report dated after the amendment counts the amended amount. The same holds for its
countries (regions, LDC/LLDC/SIDS targeting), title, areas, "global" and start date, in the
figures, the files, the pledge list and a custom report's filters. The version in force is
computed by the database (pledges.in_force), not in Python."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from action_areas.models import ActionArea, Country
from pledges import amendment_workflow
from pledges.in_force import usd_in_force
from pledges.models import Pledge, PledgeRevision
from reporting.compiled_report_document import compiled_report_document
from reporting.compiled_report_figures import (
    compiled_report_figures,
    compiled_report_pledge_rows,
    compiled_report_pledges,
)
from reporting.models import ReportRun
from reporting.services import compiled_reports
from tests.factories import MembershipFactory, UserFactory

from .test_compiled_reports import file_of, kigali_report

pytestmark = pytest.mark.django_db


def _cut_the_budget(pledge: Pledge, secretariat) -> None:
    editor = UserFactory()
    MembershipFactory(user=editor, entity=pledge.entity, role="editor")
    amendment = amendment_workflow.amendment_propose(
        user=editor, pledge_id=pledge.pk, values={"amount": Decimal("500000")},
        reason="Budget cut")
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="OK")


def test_rebuilding_the_kigali_report_after_an_amendment_gives_the_same_bytes(
    kigali, secretariat, django_capture_on_commit_callbacks
):
    before = kigali_report(django_capture_on_commit_callbacks)
    assert before.figures["totals"]["usd"] == "7000000.00"
    _cut_the_budget(kigali["p2"], secretariat)
    kigali["p2"].refresh_from_db()
    assert kigali["p2"].usd_amount == Decimal("500000.00")  # today's version is amended
    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = compiled_reports.compiled_report_rebuild(run=before)
    rebuilt.refresh_from_db()
    assert rebuilt.edition == before.edition + 1
    assert rebuilt.figures == before.figures
    for file_format in ("pledges.csv", "figures.csv"):
        for language in ("en", "fr", "ar"):
            assert file_of(rebuilt, file_format, language) == file_of(before, file_format,
                                                                      language)


def test_the_database_reads_the_version_in_force_on_each_side_of_the_approval(
    kigali, secretariat
):
    pledge = kigali["p2"]
    _cut_the_budget(pledge, secretariat)
    approved = timezone.localdate(PledgeRevision.objects.get(pledge=pledge).approved_at)

    def usd_on(day: datetime.date) -> Decimal:
        return (Pledge.objects.filter(pk=pledge.pk)
                .annotate(usd_then=usd_in_force(day)).values_list("usd_then", flat=True).get())

    assert usd_on(approved - datetime.timedelta(days=1)) == Decimal("2000000.00")
    assert usd_on(approved) == Decimal("500000.00")  # in force from the day it is approved
    assert usd_on(datetime.date(2022, 6, 16)) == Decimal("2000000.00")


# --- Everything an amendment can change that a report reads ---------------------------------


def _amend_everything(pledge: Pledge, secretariat) -> datetime.date:
    """Fiji (a SIDS, Asia-Pacific) replaced by Senegal (an LDC, Africa) and Brazil (Americas);
    new title, dates, targets, action area, "global", budget. Returns the day of approval."""
    editor = UserFactory()
    MembershipFactory(user=editor, entity=pledge.entity, role="editor")
    amendment = amendment_workflow.amendment_propose(
        user=editor, pledge_id=pledge.pk, reason="New countries", values={
            "title": "Senegal and Brazil instead of Fiji",
            "countries": list(Country.objects.filter(iso3__in=["SEN", "BRA"])),
            "action_areas": list(ActionArea.objects.filter(code="value-creation")),
            "is_global": True,
            "start_date": datetime.date(2030, 1, 1),
            "end_date": datetime.date(2031, 12, 31),
            "amount": Decimal("500000"),
            "targets": [{"indicator": "Schools connected", "unit": "schools", "baseline": None,
                         "target_value": Decimal("40"), "target_date": datetime.date(2031, 1, 1)}],
        })
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="OK")
    return timezone.localdate(PledgeRevision.objects.get(pledge=pledge).approved_at)


def _documents(run) -> list:
    return [compiled_report_document(run.figures, title=run.title_en, language=language)
            for language in ("en", "fr", "ar")]


def _row(rows, name: str) -> dict:
    return next(row for row in rows if row["code"] == name)


def test_an_amendment_of_countries_dates_and_targets_leaves_the_kigali_report_unchanged(
    kigali, secretariat, django_capture_on_commit_callbacks
):
    before = kigali_report(django_capture_on_commit_callbacks)
    files = {(file_format, language): file_of(before, file_format, language)
             for file_format in ("pledges.csv", "figures.csv") for language in ("en", "fr", "ar")}
    _amend_everything(kigali["p2"], secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = compiled_reports.compiled_report_rebuild(run=before)
    rebuilt.refresh_from_db()

    assert rebuilt.edition == before.edition + 1
    assert rebuilt.figures == before.figures
    assert _documents(rebuilt) == _documents(before)  # the HTML and PDF figures
    for (file_format, language), content in files.items():
        assert file_of(rebuilt, file_format, language) == content, (file_format, language)
    pledges_csv = file_of(rebuilt, "pledges.csv", "en").decode()
    assert "Fiji" in pledges_csv and "Senegal" not in pledges_csv
    assert _row(rebuilt.figures["breakdowns"]["targeting"], "SIDS")["pledges"] == 1


def _custom(as_of: datetime.date, filter_query: str = "") -> ReportRun:
    return ReportRun(kind=ReportRun.Kind.CUSTOM, as_of=as_of, filter_query=filter_query)


def test_a_report_dated_on_the_day_of_approval_reads_the_amended_version(kigali, secretariat):
    pledge = kigali["p2"]
    approved = _amend_everything(pledge, secretariat)
    day_before = approved - datetime.timedelta(days=1)

    then, now = (compiled_report_figures(_custom(day), today=approved)
                 for day in (day_before, approved))
    assert _row(then["breakdowns"]["targeting"], "SIDS")["pledges"] == 1
    assert _row(now["breakdowns"]["targeting"], "SIDS")["pledges"] == 0
    assert _row(then["breakdowns"]["targeting"], "LDC")["usd"] == "5000009.00"
    assert _row(now["breakdowns"]["targeting"], "LDC")["usd"] == "5500009.00"
    assert _row(then["breakdowns"]["region"], "americas")["pledges"] == 0
    assert _row(now["breakdowns"]["region"], "americas")["pledges"] == 1
    assert _row(now["breakdowns"]["region"], "global")["pledges"] == 2
    assert _row(then["breakdowns"]["action_area"], "value-creation")["pledges"] == 1
    assert _row(now["breakdowns"]["action_area"], "value-creation")["pledges"] == 2
    assert now["totals"]["countries"] == then["totals"]["countries"] + 1  # -FJI +SEN +BRA
    assert now["totals"]["usd"] == "5500009.00"

    def listed(day: datetime.date, language: str = "en") -> dict:
        rows = compiled_report_pledge_rows(_custom(day), language=language)
        return {row.reference: row for row in rows}

    old, new = listed(day_before)[pledge.reference], listed(approved)[pledge.reference]
    assert (old.title, old.countries, old.groups, old.is_global, old.usd_amount) == (
        "-2+3 cmd", ["Fiji"], ["SIDS"], False, "2000000.00")
    assert (new.title, new.countries, new.groups, new.is_global, new.usd_amount) == (
        "Senegal and Brazil instead of Fiji", ["Brazil", "Senegal"], ["LDC"], True,
        "500000.00")
    assert listed(day_before, "fr")[pledge.reference].countries == ["Fidji"]


@pytest.mark.parametrize("filter_query, then, now", [
    ("country=FJI", True, False),
    ("country=SEN", False, True),
    ("targeting=SIDS", True, False),
    ("targeting=LDC&region=americas", False, True),
    ("region=global", False, True),
    ("area=value-creation", False, True),
])
def test_a_custom_report_selects_on_the_version_in_force(kigali, secretariat, filter_query,
                                                         then, now):
    pledge = kigali["p2"]
    approved = _amend_everything(pledge, secretariat)

    def selects(day: datetime.date) -> bool:
        return compiled_report_pledges(_custom(day, filter_query)).filter(pk=pledge.pk).exists()

    assert selects(approved - datetime.timedelta(days=1)) is then
    assert selects(approved) is now


def test_a_cycle_report_covers_the_pledges_that_had_started_by_then(secretariat, pledge, cycle):
    """The 2024 cycle covers a pledge published in 2024; an amendment approved later moving its
    start to 2030 does not take it out of a report dated before the amendment."""
    pledge.start_date = datetime.date(2024, 2, 1)
    pledge.save(update_fields=["start_date"])
    run = ReportRun(kind=ReportRun.Kind.CYCLE, cycle=cycle, as_of=cycle.period_end)
    assert compiled_report_pledges(run).filter(pk=pledge.pk).exists()
    _amend_everything(pledge, secretariat)
    assert compiled_report_pledges(run).filter(pk=pledge.pk).exists()
    today = ReportRun(kind=ReportRun.Kind.CYCLE, cycle=cycle, as_of=timezone.localdate())
    assert not compiled_report_pledges(today).filter(pk=pledge.pk).exists()


def test_the_report_reads_any_number_of_amendments_with_the_same_queries(
    kigali, secretariat, django_assert_max_num_queries
):
    run = _custom(datetime.date(2022, 6, 16))

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as captured:
            compiled_report_figures(run)
            list(compiled_report_pledge_rows(run, language="en"))
        return len(captured.captured_queries)

    unamended = queries()
    _amend_everything(kigali["p2"], secretariat)
    _cut_the_budget(kigali["p1"], secretariat)
    with django_assert_max_num_queries(unamended):
        compiled_report_figures(run)
        list(compiled_report_pledge_rows(run, language="en"))
