"""Issue 16, in a browser, in English and in French: the secretariat imports a roundtable
workbook as delegations send it (a title row merged across, group headings, a second sheet with
French headings, a hidden sheet, a hidden row).

The preview says which row was taken as the headings of each sheet and how every column is
read; the secretariat leaves one column out and checks again (no new upload), puts it back, then
confirms. Every page gets an axe check and a check that no browser logged an error.
"""

import re

import pytest
from playwright.sync_api import expect

from pledges.models import Pledge
from tests.browser.support import LANGUAGES, log_in, t
from tests.pledges.test_import_workbooks import roundtable_workbook

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_secretariat_previews_maps_and_confirms_a_messy_workbook(
    checkpoint_of, person_browser, language, page_locale, entity, secretariat,
):
    desk = person_browser("secretariat", language)
    desk.goto("/admin/pledges/pledge/import/")
    log_in(desk, language, secretariat.email)
    expect(desk).to_have_url(re.compile(rf"/{language}/admin/pledges/pledge/import/$"))
    checkpoint_of(desk, "01-upload")

    desk.locator("input[type=file]").set_input_files({
        "name": "roundtable.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": roundtable_workbook(entity),
    })
    desk.locator("select[name=format]").select_option(label="xlsx")
    desk.get_by_role("button", name=t(language, "Check the file")).click()
    taken = t(language, "Line %(line)s of the sheet “%(sheet)s” was taken as the column headings.",
              line=4, sheet="Pledges 2022")
    expect(desk.get_by_text(taken)).to_be_visible()
    hidden = t(language, "The sheet “%(sheet)s” is hidden: it is skipped unless you include "
               "hidden sheets and rows.", sheet="Notes")
    expect(desk.get_by_text(hidden)).to_be_visible()
    checkpoint_of(desk, "02-preview")

    # "Montant" (the French sheet) left out: checked again on the stored file. Every heading is
    # known, so the mapping is folded away.
    desk.get_by_text(t(language, "Every heading of the file is a column of the portal: show how "
                                 "they are read")).click()
    amount = desk.get_by_label("Montant", exact=True)
    expect(amount).to_have_value("amount")
    amount.select_option("")
    desk.get_by_role("button", name=t(language, "Check again with these choices")).click()
    expect(desk.get_by_text(t(language, "The column “%(heading)s” is not imported: no column of "
                              "the portal was chosen for it.", heading="Montant"))).to_be_visible()
    checkpoint_of(desk, "03-column-left-out")

    desk.get_by_label("Montant", exact=True).select_option("amount")
    desk.get_by_role("button", name=t(language, "Check again with these choices")).click()
    confirm = desk.get_by_role("button", name=t(language, "Confirm import"))
    expect(confirm).to_be_visible()
    checkpoint_of(desk, "04-ready")
    confirm.click()
    expect(desk.get_by_text(re.compile(re.escape(t(language, "Import finished: %(new)d new, "
                                                  "%(updated)d updated, %(skipped)d unchanged.",
                                                  new=3, updated=0, skipped=0))))).to_be_visible()
    checkpoint_of(desk, "05-imported")
    assert Pledge.objects.filter(title="Subventions aux écoles", amount=500000).exists()
