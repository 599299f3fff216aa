"""A compiled report "as of" a date reads each pledge as it stood then: an amendment approved
later (a budget cut) leaves the Kigali report's figures and files the same, byte for byte,
while a report dated after the amendment counts the amended amount. The version in force is
computed by the database (pledges.in_force), not in Python."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from pledges import amendment_workflow
from pledges.in_force import usd_in_force
from pledges.models import Pledge, PledgeRevision
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
