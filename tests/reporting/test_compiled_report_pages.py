"""Compiled reports from the secretariat's desk to the public Reports page."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from p2c_portal.locale_formats import format_file_size
from pledges.models import Event
from reporting.models import ReportFile, ReportRun
from reporting.services import compiled_reports

from .kigali import KIGALI_CUTOFF

pytestmark = pytest.mark.django_db

ADMIN = "/en/admin/reporting/reportrun/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask_in_admin(client, django_capture_on_commit_callbacks, **fields):
    data = {"kind": "event", "event": "", "cutoff": "", "cycle": "", "filter_query": "",
            "as_of": "", "title_en": "", "languages": ["en", "fr"], "_save": "Save",
            "files-TOTAL_FORMS": "0", "files-INITIAL_FORMS": "0"}
    data.update(fields)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(ADMIN + "add/", data)


@pytest.fixture
def kigali_run(kigali, secretariat, django_capture_on_commit_callbacks):
    client = client_for(secretariat)
    event = Event.objects.get(slug="wtdc-22-kigali")
    response = ask_in_admin(client, django_capture_on_commit_callbacks, event=str(event.pk),
                            cutoff=KIGALI_CUTOFF.isoformat())
    assert response.status_code == 302, response.content.decode()[:2000]
    return ReportRun.objects.get()


# --- The desk ---------------------------------------------------------------------------


def test_the_secretariat_compiles_reads_and_publishes_a_report(
    kigali_run, secretariat, anonymous
):
    client = client_for(secretariat)
    assert kigali_run.status == ReportRun.Status.DONE, kigali_run.error
    page = client.get(f"{ADMIN}{kigali_run.pk}/change/").content.decode()
    assert "Status: <strong>Done</strong>" in page
    assert page.count("Download</a>") == 8
    assert "Publish on the Reports page" in page
    assert anonymous.get(f"/en/reports/{kigali_run.pk}/").status_code == 404

    xlsx = client.get(f"{ADMIN}{kigali_run.pk}/file/en/xlsx/")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    name = f"p2c-report-{kigali_run.pk}-xlsx-en.xlsx"
    assert xlsx["Content-Disposition"] == f'attachment; filename="{name}"'

    response = client.post(f"{ADMIN}{kigali_run.pk}/action/publish/", follow=True)
    assert "the report is on the public Reports page" in response.content.decode()
    kigali_run.refresh_from_db()
    assert kigali_run.is_published


def test_bad_requests_are_explained_on_the_form(secretariat, django_capture_on_commit_callbacks):
    client = client_for(secretariat)
    response = ask_in_admin(client, django_capture_on_commit_callbacks, kind="event")
    assert response.status_code == 200
    assert "An event report needs an event, a cut-off date, or both." in response.content.decode()
    response = ask_in_admin(client, django_capture_on_commit_callbacks, kind="custom",
                            filter_query="area=<script>alert(1)</script>",
                            title_en="Typed title")
    page = response.content.decode()
    assert "does not know these filters" in page
    assert "<script>alert(1)</script>" not in page
    assert 'value="Typed title"' in page  # what was typed is kept
    assert not ReportRun.objects.exists()


def test_asking_twice_returns_the_same_report_and_rebuild_adds_an_edition(
    kigali_run, secretariat, django_capture_on_commit_callbacks
):
    client = client_for(secretariat)
    response = ask_in_admin(client, django_capture_on_commit_callbacks,
                            event=str(kigali_run.event_id), cutoff=KIGALI_CUTOFF.isoformat())
    assert response.url == f"{ADMIN}{kigali_run.pk}/change/"
    assert ReportRun.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{ADMIN}{kigali_run.pk}/action/rebuild/", follow=True)
    assert "Edition 2 is being compiled" in response.content.decode()
    assert ReportRun.objects.count() == 2
    assert ReportFile.objects.filter(run=kigali_run).count() == 8


def test_staff_outside_the_secretariat_cannot_compile_or_publish(kigali_run, staff_outsider):
    client = client_for(staff_outsider)
    assert client.get(ADMIN).status_code == 403
    assert client.get(ADMIN + "add/").status_code == 403
    assert client.post(f"{ADMIN}{kigali_run.pk}/action/publish/").status_code == 403
    assert client.get(f"{ADMIN}{kigali_run.pk}/file/en/pdf/").status_code == 403
    kigali_run.refresh_from_db()
    assert not kigali_run.is_published


def test_actions_need_a_post(kigali_run, secretariat):
    client = client_for(secretariat)
    assert client.get(f"{ADMIN}{kigali_run.pk}/action/publish/").status_code == 405


def test_the_secretariat_group_holds_the_report_permissions(secretariat):
    held = set(Group.objects.get(name="Secretariat").permissions
               .filter(content_type__app_label="reporting").values_list("codename", flat=True))
    assert {"view_reportrun", "add_reportrun", "publish_reportrun", "view_reportfile"} <= held
    assert "delete_reportrun" not in held


# --- The public Reports page ------------------------------------------------------------


def test_the_reports_page_has_a_helpful_empty_state(anonymous):
    page = anonymous.get("/en/reports/").content.decode()
    assert "No report has been published yet." in page
    page = anonymous.get("/fr/reports/").content.decode()
    assert "Aucun rapport n’a encore été publié." in page


@pytest.mark.parametrize(("language", "heading", "access"),
                         [("en", "By action area", "Access"),
                          ("fr", "Par domaine d’action", "Accès")])
def test_a_published_report_reads_well_in_both_languages(
    kigali_run, anonymous, language, heading, access, django_assert_max_num_queries
):
    compiled_reports.compiled_report_set_published(run=kigali_run, published=True)
    with django_assert_max_num_queries(6):
        listing = anonymous.get(f"/{language}/reports/").content.decode()
    assert kigali_run.title_en in listing or kigali_run.title_in("fr") in listing
    assert listing.count(f"/{language}/reports/{kigali_run.pk}/{language}/") == 4

    # 6, and 5 for its matchmaking section (needs, introductions, by area and country group)
    with django_assert_max_num_queries(11):
        response = anonymous.get(f"/{language}/reports/{kigali_run.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f">{heading}</h2>" in page
    assert re.search(r'<svg class="report-chart" role="img"', page)
    assert '<title id="chart-action_area-title">' in page
    assert f'<th scope="row"><bdi>{access}</bdi></th>' in page
    assert re.search(r"7[,\u00a0\u202f ]000[,\u00a0\u202f ]000", page)

    download = anonymous.get(f"/{language}/reports/{kigali_run.pk}/{language}/pledges.csv")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert download["Content-Disposition"] == (
        f'attachment; filename="p2c-report-{kigali_run.pk}-pledges-{language}.csv"')
    body = b"".join(download.streaming_content)
    assert int(download["Content-Length"]) == len(body)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 5


def test_file_sizes_are_written_with_the_language_s_decimal_sign_and_unit(
    kigali, secretariat, anonymous, django_capture_on_commit_callbacks
):
    """As every other figure of the page (CLDR): Django's filesizeformat wrote 119,9 ك.ب on
    the Arabic pages, whose numbers otherwise read 119.9."""
    event = Event.objects.get(slug="wtdc-22-kigali")
    desk = client_for(secretariat)
    response = ask_in_admin(desk, django_capture_on_commit_callbacks,
                            event=str(event.pk), cutoff=KIGALI_CUTOFF.isoformat(),
                            languages=["ar", "fr"])
    assert response.status_code == 302
    run = ReportRun.objects.get()
    compiled_reports.compiled_report_set_published(run=run, published=True)
    for language in ("ar", "fr"):
        files = ReportFile.objects.filter(run=run, language=language)
        assert files.count() == 4
        for address in (f"/{language}/reports/", f"/{language}/reports/{run.pk}/"):
            page = anonymous.get(address).content.decode()
            for report_file in files:
                assert f"({format_file_size(report_file.size, language)})" in page, address
            assert "ك.ب" not in page and " Ko" not in page
    # The desk's list of the run's files, in the admin in Arabic, writes them alike.
    page = desk.get(f"/ar{ADMIN.removeprefix('/en')}{run.pk}/change/").content.decode()
    for report_file in ReportFile.objects.filter(run=run):
        assert format_file_size(report_file.size, "ar") in page
    assert "ك.ب" not in page


def test_unpublished_and_unknown_reports_are_404(kigali_run, anonymous):
    for url in (f"/en/reports/{kigali_run.pk}/", f"/en/reports/{kigali_run.pk}/en/pdf",
                "/en/reports/999999/", "/en/reports/99999999999999999999/",
                f"/en/reports/{kigali_run.pk}/en/../../etc/passwd"):
        assert anonymous.get(url).status_code == 404, url
    compiled_reports.compiled_report_set_published(run=kigali_run, published=True)
    assert anonymous.get(f"/en/reports/{kigali_run.pk}/xx/pdf").status_code == 404
    assert anonymous.get(f"/en/reports/{kigali_run.pk}/en/exe").status_code == 404


def test_the_secretariat_can_start_a_custom_report_from_a_filtered_list(secretariat, anonymous):
    client = client_for(secretariat)
    page = client.get("/en/pledges/?area=access&region=africa").content.decode()
    link = f"{ADMIN}add/?kind=custom&amp;filter_query=area%3Daccess%26region%3Dafrica"
    assert link in page
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert "area=access&amp;region=africa</textarea>" in form
    assert 'value="custom" selected' in form
    assert "Compile a report" not in anonymous.get("/en/pledges/?area=access").content.decode()


def test_view_on_site_only_for_a_published_report(kigali_run, secretariat):
    client = client_for(secretariat)
    page = client.get(f"{ADMIN}{kigali_run.pk}/change/").content.decode()
    assert "View on site" not in page and f"/en/reports/{kigali_run.pk}/" not in page
    compiled_reports.compiled_report_set_published(run=kigali_run, published=True)
    page = client.get(f"{ADMIN}{kigali_run.pk}/change/").content.decode()
    assert "View on site" in page and f'href="/en/reports/{kigali_run.pk}/"' in page
