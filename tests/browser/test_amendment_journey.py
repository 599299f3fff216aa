"""Issue 17, end to end in a browser, in English and in French: amending a published pledge.

The entity's editor proposes an amendment of a published EUR 5,000,000 pledge: the amount down
to EUR 3,000,000 and a target added, with a reason. The public still sees the published version.
The secretariat (in the other language) finds it on the review desk with the field-by-field
changes and asks for changes; the editor answers from the same form; the secretariat approves.
The public page then says "Amended on …" and shows the revision history, and the revisions
open-data file has one row per changed field. Every page visited gets an axe check
and a check that no browser logged an error. (That a report dated before the amendment keeps
the same bytes is tested in tests/reporting/test_report_as_of_amendment.py.)
"""

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from pledges.models import PledgeAmendment
from tests.browser.support import LANGUAGES, OTHER_LANGUAGE, email_to, log_in, number_text, t
from tests.factories import PledgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Fibre backbone for rural Rwanda"
REASON = "Budget revised after the mid-term review"
NEW_TARGET = "Teachers trained"
CHANGES = "Please give the date by which the teachers will be trained."


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_a_member_amends_a_published_pledge_and_the_public_sees_its_history(
    page, checkpoint, checkpoint_of, person_browser, language, entity, entity_admin, member,
    secretariat,
):
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    pledge = PledgeFactory(entity=entity, created_by=member, published=True, financial=True,
                           title=TITLE, currency="EUR", amount=Decimal("5000000"),
                           usd_amount=Decimal("5400000"))
    h1 = page.get_by_role("heading", level=1)

    # --- The editor proposes the amendment. ----------------------------------------------------
    page.goto(f"/{language}/my-pledges/{pledge.pk}/")
    log_in(page, language, member.email)
    expect(h1).to_have_text(TITLE)
    page.get_by_role("link", name=t(language, "Propose an amendment")).click()
    expect(h1).to_have_text(t(language, "Propose an amendment"))
    amount = page.locator('[name="amount"]')
    expect(amount).to_have_value(number_text(language, "5000000"))
    checkpoint("01-amendment-form")
    amount.fill(number_text(language, "3000000"))
    page.locator('[name="targets-1-indicator"]').fill(NEW_TARGET)
    page.locator('[name="targets-1-unit"]').fill("teachers")
    page.locator('[name="targets-1-target_value"]').fill("500")
    page.locator('[name="targets-1-target_date"]').fill("2025-12-31")
    send = page.get_by_role("button", name=t(language, "Send the amendment for review"))
    send.click()  # without a reason first: refused, nothing sent
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(
        t(language, "Say briefly why the pledge is amended."))
    assert not PledgeAmendment.objects.exists()
    checkpoint("02-reason-required")
    page.locator('[name="reason"]').fill(REASON)
    send.click()
    expect(h1).to_have_text(TITLE)
    under_way = page.get_by_role("region", name=t(language, "Amendment under way"))
    expect(under_way).to_contain_text(NEW_TARGET)
    checkpoint("03-amendment-under-way")

    # --- The public still sees the published version. -------------------------------------------
    public = person_browser("public", language)
    public.goto(f"/{language}/pledges/{pledge.pk}/")
    expect(public.get_by_role("main")).to_contain_text(TITLE)
    expect(public.get_by_role("main")).not_to_contain_text(NEW_TARGET)
    expect(public.get_by_role("main")).not_to_contain_text(
        t(language, "Revision history"))
    checkpoint_of(public, "04-public-unchanged")

    # --- The secretariat finds it on the desk and asks for changes. ----------------------------
    dl = OTHER_LANGUAGE[language]
    desk = person_browser("secretariat", dl)
    desk.goto("/admin/")
    log_in(desk, dl, secretariat.email)
    desk.get_by_role("link", name=t(dl, "Pledge amendments awaiting review"), exact=True).click()
    desk.locator("#result_list tbody tr").first.get_by_role("link").first.click()
    review = desk.get_by_role("region", name=t(dl, "Amendment review"))
    expect(review).to_contain_text(REASON)
    expect(review).to_contain_text(NEW_TARGET)
    checkpoint_of(desk, "05-desk-amendment")
    review.get_by_role("link", name=t(dl, "Request changes to the amendment")).click()
    desk.get_by_label(t(dl, "Message to the entity")).fill(CHANGES)
    desk.get_by_role("button", name=t(dl, "Request changes to the amendment")).click()
    expect(desk.locator(".messagelist")).to_be_visible()
    expect(review).to_contain_text(t(dl, "Changes requested"))
    checkpoint_of(desk, "06-desk-changes-requested")
    email_to(member.email, t(language, "Changes requested on the amendment of pledge "
                                       "%(reference)s", reference=pledge.reference))

    # --- The editor answers from the same form. -------------------------------------------------
    page.reload()
    expect(under_way).to_contain_text(CHANGES)
    under_way.get_by_role("link", name=t(language, "Change the amendment")).click()
    expect(page.locator('[name="reason"]')).to_have_value(REASON)
    expect(page.locator('[name="targets-1-indicator"]')).to_have_value(NEW_TARGET)
    page.locator('[name="answer"]').fill("The teachers are trained by the end of 2025.")
    checkpoint("07-answer")
    page.get_by_role("button", name=t(language, "Send the amendment for review")).click()
    expect(under_way).to_contain_text(t(language, "Proposed"))

    # --- The secretariat approves. --------------------------------------------------------------
    desk.reload()
    expect(review).to_contain_text("The teachers are trained by the end of 2025.")
    review.get_by_role("link", name=t(dl, "Approve the amendment")).click()
    desk.get_by_label(t(dl, "Message to the entity")).fill("Thank you.")
    desk.get_by_role("button", name=t(dl, "Approve the amendment")).click()
    expect(review).to_contain_text(t(dl, "Approved"))
    checkpoint_of(desk, "08-desk-approved")

    # --- The public page shows the amended version and its history. -----------------------------
    cache.clear()  # public pages are cached for up to a minute
    public.reload()
    main = public.get_by_role("main")
    expect(main.locator("#amended-on")).to_contain_text(
        t(language, "Amended on %(date)s", date="").strip())
    history = public.get_by_role("region", name=t(language, "Revision history"))
    expect(history).to_contain_text(REASON)
    expect(history).to_contain_text(NEW_TARGET)
    expect(history).to_contain_text(t(language, "Target added"))
    checkpoint_of(public, "09-public-history")

    # --- The revisions open-data file has the rows. ---------------------------------------------
    response = public.request.get(f"/{language}/open-data/revisions.csv")
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
    assert [(r["pledge_reference"], r["field"], r["before"], r["after"]) for r in rows][:1] == [
        (pledge.reference, "amount", "5000000", "3000000")]
    assert [r["field"] for r in rows] == ["amount", "targets"]
