"""Issue 16, end to end in a browser, in English and in French: the secretariat imports the
pledges collected at a roundtable.

The secretariat uploads a spreadsheet of three pledges. The preview shows one row that is valid
but incomplete (it will be a draft of its entity) and one of an entity that is not vetted yet
(a warning: it cannot be published until the entity is approved). The secretariat confirms and
reads the result: what was imported, with links, the draft and what it lacks. The entity's
administrator is invited by email, in their language, to complete the draft.

Every page visited gets an axe check and a check that no browser logged an error.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from pledges.models import Pledge
from tests.admin_import import csv_bytes
from tests.browser.support import LANGUAGES, email_to, log_in, t
from tests.factories import EntityFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEADINGS = ["entity", "title", "summary", "pledge_type", "start_date", "end_date",
            "action_areas", "countries", "people_to_reach", "programme_kind", "targets",
            "contact_name", "contact_email"]
TARGET = "Teachers trained | teachers | 0 | 5,000 | 2025-12-31"
COMPLETE = "Train 5,000 teachers in digital skills"
INCOMPLETE = "Connect 300 health centres"
NOT_VETTED = "Coding clubs for 10,000 girls"


def roundtable_file(entity, applied) -> bytes:
    def row(who, title, targets=TARGET):
        return [who.name, title, "Digital skills.", "programme", "2022-07-01", "2025-12-31",
                "Adoption", "Rwanda; KEN", "5000", "new", targets, "Ana", "ana@example.org"]

    return csv_bytes([HEADINGS, row(entity, COMPLETE), row(entity, INCOMPLETE, targets=""),
                      row(applied, NOT_VETTED)])


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_secretariat_imports_a_roundtable_file_with_a_draft_and_an_unvetted_entity(
    checkpoint_of, person_browser, language, page_locale, entity, entity_admin, secretariat,
):
    entity_admin.preferred_language = language
    entity_admin.save(update_fields=["preferred_language"])
    applied = EntityFactory(name="Youth Connect Network", acronym="YCN", applied=True)

    desk = person_browser("secretariat", language)
    desk.goto(f"/{language}/admin/pledges/pledge/import/")
    expect(desk).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    log_in(desk, language, secretariat.email)
    expect(desk).to_have_url(re.compile(rf"/{language}/admin/pledges/pledge/import/$"))
    checkpoint_of(desk, "01-import-page")

    # --- Upload: the preview. --------------------------------------------------------------------
    desk.locator("input[type=file]").set_input_files({
        "name": "kigali-roundtable.csv", "mimeType": "text/csv",
        "buffer": roundtable_file(entity, applied),
    })
    desk.locator("select[name=format]").select_option("0")
    desk.get_by_role("button", name=t(language, "Check the file")).click()
    preview = desk.get_by_role("region", name=t(language, "Preview: nothing has been imported yet"))
    expect(preview).to_be_visible()
    rows = preview.locator("#import-preview tbody tr")
    expect(rows).to_have_count(3)
    draft_row = rows.filter(has_text=INCOMPLETE)
    expect(draft_row).to_contain_text(t(language, "New draft"))
    expect(draft_row).to_contain_text(t(language, "Add at least one quantified target."))
    warned_row = rows.filter(has_text=NOT_VETTED)
    warning = t(language, "%(entity)s is not approved (%(status)s): its pledges cannot be "
                "published until the secretariat approves it.",
                entity=str(applied), status=t(language, "Applied"))
    expect(warned_row).to_contain_text(t(language, "Warning:"))
    expect(warned_row).to_contain_text(warning)
    with translation.override(language):
        expect(preview).to_contain_text(translation.ngettext(
            "%(counter)s row is valid but not complete: it will be saved as a draft of its "
            "entity, whose administrators will be invited to complete and submit it.",
            "%(counter)s rows are valid but not complete: they will be saved as drafts of their "
            "entities, whose administrators will be invited to complete and submit them.", 1,
        ) % {"counter": 1})
    assert not Pledge.objects.exists()
    checkpoint_of(desk, "02-preview")

    # --- Confirm: the result. -------------------------------------------------------------------
    desk.get_by_role("button", name=t(language, "Confirm import")).click()
    expect(desk.locator(".messagelist")).to_contain_text(
        t(language, "Import finished: %(new)d new, %(updated)d updated, %(skipped)d unchanged.",
          new=3, updated=0, skipped=0)
    )
    result = desk.get_by_role("region", name=t(language, "Imported"))
    expect(result.locator("#import-result tbody tr")).to_have_count(3)
    result_draft = result.locator("#import-result tbody tr").filter(has_text=INCOMPLETE)
    expect(result_draft).to_contain_text(t(language, "Add at least one quantified target."))
    expect(result.locator("#import-result tbody tr").filter(has_text=NOT_VETTED)).to_contain_text(
        warning)
    checkpoint_of(desk, "03-result")

    draft = Pledge.objects.get(title=INCOMPLETE)
    assert draft.status == Pledge.Status.DRAFT
    assert Pledge.objects.get(title=NOT_VETTED).status == Pledge.Status.SUBMITTED

    # --- The draft's entity is invited, in its administrator's language. -------------------------
    with translation.override(language):
        subject = translation.ngettext(
            "A pledge of %(entity)s is waiting as a draft: complete and submit it",
            "%(counter)s pledges of %(entity)s are waiting as drafts: complete and submit them",
            1,
        ) % {"entity": entity.name, "counter": 1}
    invitation = email_to(entity_admin.email, subject)
    assert INCOMPLETE in invitation.body and f"/{language}/my-pledges/{draft.pk}/review/" in (
        invitation.body)

    # --- The link of the draft leads to it in the admin. ----------------------------------------
    result_draft.get_by_role("link").click()
    expect(desk).to_have_url(re.compile(rf"/admin/pledges/pledge/{draft.pk}/change/$"))
