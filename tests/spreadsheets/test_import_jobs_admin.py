"""The secretariat finds every background import (a colleague's, or one that failed) in the admin's
list of import jobs, with its error and a link to its status page; the list changes nothing."""

from django.urls import reverse

from spreadsheets.models import ImportJob


def _job(user, **fields) -> ImportJob:
    values = {"kind": ImportJob.Kind.PREVIEW, "model": "pledges.pledge",
              "file_name": "roundtable.xlsx", "stored_name": "stored.xlsx", "rows_total": 2_400,
              "requested_by": user}
    return ImportJob.objects.create(**{**values, **fields})


def test_the_list_shows_each_job_with_its_status_page(secretariat_client, secretariat):
    failed = _job(secretariat, status=ImportJob.Status.FAILED,
                  error="The file's second sheet could not be read.")
    running = _job(secretariat, status=ImportJob.Status.RUNNING, file_name="kigali.csv")

    page = secretariat_client.get(reverse("admin:spreadsheets_importjob_changelist"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "roundtable.xlsx" in text and "kigali.csv" in text
    for job in (failed, running):
        assert reverse("admin:pledges_pledge_import_job", args=[job.pk]) in text
    detail = secretariat_client.get(
        reverse("admin:spreadsheets_importjob_change", args=[failed.pk]))
    assert "The file&#x27;s second sheet could not be read." in detail.content.decode()


def test_the_list_is_read_only(secretariat_client, secretariat):
    job = _job(secretariat, status=ImportJob.Status.DONE)

    assert secretariat_client.get(
        reverse("admin:spreadsheets_importjob_add")).status_code == 403
    response = secretariat_client.post(
        reverse("admin:spreadsheets_importjob_change", args=[job.pk]),
        {"file_name": "renamed.xlsx", "status": "pending"})

    job.refresh_from_db()
    assert response.status_code == 403
    assert (job.file_name, job.status) == ("roundtable.xlsx", ImportJob.Status.DONE)


def test_members_cannot_see_it(member_client):
    response = member_client.get(reverse("admin:spreadsheets_importjob_changelist"))

    assert response.status_code == 302  # to the admin's sign-in


def test_the_secretariat_renames_a_saved_column_mapping(secretariat_client, secretariat):
    from spreadsheets.models import ColumnMapping

    mapping = ColumnMapping.objects.create(target="pledges.pledge", name="Kigali sheet",
                                           signature="0" * 64, saved_by=secretariat)

    response = secretariat_client.post(
        reverse("admin:spreadsheets_columnmapping_change", args=[mapping.pk]),
        {"name": "Kigali roundtable sheet"})

    mapping.refresh_from_db()
    assert response.status_code == 302
    assert mapping.name == "Kigali roundtable sheet"
