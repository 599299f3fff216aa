"""Issue 16, big files in the background, in a browser: the secretariat uploads a file above
P2C_IMPORT_BACKGROUND_ROWS, follows the rows read on a status page (a static script asks how far
the worker got: the strict CSP allows no inline script, and the browser logs no violation; axe
clean, which a meta refresh is not), sees the preview once a worker has checked it without
touching the page, confirms, and lands on the imported result.

No worker runs here: tasks are published to an in-memory broker nobody reads, and the test works
each job in its own process, as the worker would, while the page waits."""

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from p2c_portal import celery_app
from pledges.models import Pledge
from spreadsheets import admin_desk
from spreadsheets.models import ImportJob
from tests.admin_import import csv_bytes
from tests.browser.support import LANGUAGES, log_in, t
from tests.pledges.test_import_confirm import HEADINGS, row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def tasks_waiting_for_a_worker(settings):
    settings.P2C_IMPORT_BACKGROUND_ROWS = 3
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False,
                           CELERY_BROKER_URL="memory://localhost/"):
        celery_app._after_fork()
        try:
            yield
        finally:
            celery_app._after_fork()


@pytest.mark.usefixtures("tasks_waiting_for_a_worker")
@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES[:2])
def test_secretariat_follows_a_big_file_checked_and_imported_in_the_background(
    checkpoint_of, person_browser, language, page_locale, entity, secretariat,
):
    desk = person_browser("secretariat", language)
    desk.goto(f"/{language}/admin/pledges/pledge/import/")
    log_in(desk, language, secretariat.email)
    expect(desk).to_have_url(re.compile(rf"/{language}/admin/pledges/pledge/import/$"))
    desk.locator("input[type=file]").set_input_files({
        "name": "kigali.csv", "mimeType": "text/csv",
        "buffer": csv_bytes([HEADINGS] + [row(entity, f"Pledge {n}") for n in range(6)]),
    })
    desk.locator("select[name=format]").select_option("0")
    desk.get_by_role("button", name=t(language, "Check the file")).click()

    # --- The status page, while the file waits for a worker. ------------------------------------
    expect(desk).to_have_url(re.compile(rf"/{language}/admin/pledges/pledge/import/job/\d+/$"))
    expect(desk.get_by_role("heading", name=t(language, "Checking a big file"))).to_be_visible()
    expect(desk.locator("#import-job-rows")).to_contain_text(
        t(language, "%(done)s of %(total)s rows", done=0, total=6))
    checkpoint_of(desk, "01-checking")

    # A worker checks it; the page shows the preview by itself.
    admin_desk.import_job_run(job_id=ImportJob.objects.get(kind="preview").pk)
    preview = desk.get_by_role("region", name=t(language, "Preview: nothing has been imported yet"))
    expect(preview).to_be_visible(timeout=10_000)
    expect(preview.locator("#import-preview tbody tr")).to_have_count(6)
    checkpoint_of(desk, "02-preview")

    # --- Confirm: imported by a worker, then the result. ----------------------------------------
    desk.get_by_role("button", name=t(language, "Confirm import")).click()
    expect(desk.get_by_role("heading", name=t(language, "Importing a big file"))).to_be_visible()
    checkpoint_of(desk, "03-importing")
    assert not Pledge.objects.exists()
    admin_desk.import_job_run(job_id=ImportJob.objects.get(kind="confirm").pk)
    expect(desk.locator(".messagelist")).to_contain_text(
        t(language, "Import finished: %(new)d new, %(updated)d updated, %(skipped)d unchanged.",
          new=6, updated=0, skipped=0), timeout=10_000)
    expect(desk.locator("#import-result tbody tr")).to_have_count(6)
    checkpoint_of(desk, "04-result")
    assert Pledge.objects.count() == 6
