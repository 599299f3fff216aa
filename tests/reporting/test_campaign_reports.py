"""A campaign as the scope of a compiled report: a custom report on the campaign counts exactly
the public pledges the secretariat had confirmed in it by the report's date (not proposed or
declined ones), names the campaign in its title and selection, and is asked for from the
campaign's page or the report form."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from action_areas.models import Campaign
from pledges import campaign_tags
from reporting.compiled_report_document import _selection
from reporting.compiled_report_figures import compiled_report_figures
from reporting.models import ReportFile, ReportRun
from reporting.services import compiled_reports
from tests.reporting import goal_data

from .cycles import at
from .test_compiled_reports import compile_report

# frozen, schools: tests/reporting/conftest.py
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NOW = datetime.datetime(2025, 6, 30, 12, tzinfo=datetime.UTC)
REPORT_DAY = datetime.date(2025, 5, 31)


def _tag(pledge, campaign, member, secretariat, decision: str | None, *, on: str):
    with time_machine.travel(at(on, 9), tick=False):
        tag = campaign_tags.campaign_tag_propose(actor=member, pledge_id=pledge.pk,
                                                 campaign_id=campaign.pk)
        if decision:
            campaign_tags.campaign_tag_transition(actor=secretariat, tag_id=tag.pk,
                                                  name=decision)


@pytest.fixture
def tagged(entity, member, secretariat, schools):
    """Confirmed in April; confirmed in June (after the report's day); proposed; declined;
    confirmed then withdrawn; and a pledge outside the campaign."""
    pledges = {name: goal_data.public_pledge(entity=entity, published_on="2025-02-01",
                                             title=f"Pledge {name}", financial=True)
               for name in ("april", "june", "proposed", "declined", "withdrawn", "outside")}
    _tag(pledges["april"], schools, member, secretariat, "confirm", on="2025-04-10")
    _tag(pledges["june"], schools, member, secretariat, "confirm", on="2025-06-20")
    _tag(pledges["proposed"], schools, member, secretariat, None, on="2025-04-10")
    _tag(pledges["declined"], schools, member, secretariat, "decline", on="2025-04-10")
    _tag(pledges["withdrawn"], schools, member, secretariat, "confirm", on="2025-04-10")
    pledges["withdrawn"].status = "withdrawn"
    pledges["withdrawn"].save(update_fields=["status"])
    return pledges


def _references(run) -> set[str]:
    rows = csv.DictReader(io.StringIO(ReportFile.objects.get(
        run=run, format="pledges.csv", language="en").read().decode("utf-8-sig")))
    return {row["Title"] for row in rows}


def test_a_campaign_report_counts_exactly_its_confirmed_public_pledges(
        tagged, schools, django_capture_on_commit_callbacks):
    run = compile_report(django_capture_on_commit_callbacks, kind="custom", campaign=schools,
                         as_of=REPORT_DAY)
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.filter_query == "campaign=schools"
    assert run.title_en == "Campaign: Connect every school, pledges as of 31 May 2025"
    assert run.title_in("fr") == ("Campagne\u00a0: Connecter chaque école, engagements au "
                                  "31 mai 2025")
    # Confirmed by the report's day only: not June's, nor the proposed, declined or withdrawn.
    assert run.figures["totals"]["pledges"] == 1
    assert run.figures["totals"]["usd"] == "1000000.00"
    assert _references(run) == {"Pledge april"}
    assert run.figures["parameters"]["campaigns"][0]["label_fr"] == "Connecter chaque école"
    lines = _selection(run.figures["parameters"], "en")
    assert ("Campaign: Connect every school (the pledges the secretariat had confirmed in it by "
            "31 May 2025)") in lines
    assert not any(line.startswith("Filters of the public pledge list") for line in lines)

    today = compile_report(django_capture_on_commit_callbacks, kind="custom",
                           filter_query="campaign=schools&type=financial")
    assert today.figures["totals"]["pledges"] == 2
    assert _references(today) == {"Pledge april", "Pledge june"}
    assert "Type of pledge: Financial" in " ".join(_selection(today.figures["parameters"], "en"))


def test_a_renamed_or_closed_campaign_keeps_its_report(
        tagged, schools, secretariat, django_capture_on_commit_callbacks):
    run = compile_report(django_capture_on_commit_callbacks, kind="custom", campaign=schools,
                         as_of=REPORT_DAY)
    Campaign.objects.filter(pk=schools.pk).update(name_en="Renamed", is_active=False)
    rebuilt = compiled_reports.compiled_report_rebuild(run=run, actor=secretariat)
    compiled_reports.compiled_report_compile(run_id=rebuilt.pk)
    rebuilt.refresh_from_db()
    assert rebuilt.status == ReportRun.Status.DONE, rebuilt.error
    # Still the campaign's one pledge, not every public pledge.
    assert rebuilt.figures["totals"]["pledges"] == 1


def test_a_campaign_reports_query_count_does_not_grow_with_its_pledges(
        entity, member, secretariat, schools):
    def add_confirmed(count: int):
        for _i in range(count):
            pledge = goal_data.public_pledge(entity=entity, published_on="2025-02-01")
            _tag(pledge, schools, member, secretariat, "confirm", on="2025-04-10")

    run = ReportRun(kind="custom", filter_query="campaign=schools", as_of=REPORT_DAY)
    add_confirmed(2)
    compiled_report_figures(run)  # the list's reference data, read once then kept
    with CaptureQueriesContext(connection) as few:
        assert compiled_report_figures(run)["totals"]["pledges"] == 2
    add_confirmed(6)
    with CaptureQueriesContext(connection) as many:
        assert compiled_report_figures(run)["totals"]["pledges"] == 8
    assert len(many) == len(few)


def test_the_secretariat_asks_for_it_from_the_campaign_page(
        tagged, schools, secretariat_client, anonymous):
    page = secretariat_client.get("/en/campaigns/schools/").content.decode()
    link = "/en/admin/reporting/reportrun/add/?kind=custom&amp;campaign=schools"
    assert link in page
    assert link not in anonymous.get("/en/campaigns/schools/").content.decode()
    form = secretariat_client.get(link.replace("&amp;", "&")).content.decode()
    assert '<option value="schools" selected>' in form

    response = secretariat_client.post("/en/admin/reporting/reportrun/add/", {
        "kind": "custom", "campaign": "schools", "filter_query": "", "as_of": "2025-05-31",
        "languages": ["en", "fr"], "title_en": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    run = ReportRun.objects.get()
    assert (run.filter_query, run.title_en) == (
        "campaign=schools", "Campaign: Connect every school, pledges as of 31 May 2025")


@pytest.mark.parametrize("posted, message", [
    ({"kind": "cycle", "campaign": "schools"}, "Only a custom report is about a campaign"),
    ({"kind": "custom", "campaign": "1 OR 1=1"}, "Select a valid choice"),
    ({"kind": "custom", "campaign": "x" * 300}, "Select a valid choice"),
])
def test_a_campaign_on_the_form_is_checked_and_nothing_saved(
        schools, secretariat_client, posted, message):
    response = secretariat_client.post("/en/admin/reporting/reportrun/add/", {
        "filter_query": "", "languages": ["en"], **posted})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReportRun.objects.exists()


def test_the_public_list_filters_by_campaign(tagged, anonymous):
    page = anonymous.get("/en/pledges/?campaign=schools").content.decode()
    assert "Pledge april" in page and "Pledge june" in page
    for name in ("proposed", "declined", "withdrawn", "outside"):
        assert f"Pledge {name}" not in page
    assert "Connect every school" in page  # the facet and its chip
