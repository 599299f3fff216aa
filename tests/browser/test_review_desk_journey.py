"""Issue 5, end to end in a browser, in English and in French: the secretariat's review desk.

Two pledges of an entity wait for review, submitted nine and two days ago. A secretariat
member — staff in the Secretariat group, not a superuser — opens the admin, logs in on the real
login page and reads the counters on the admin home page; opens the queue (oldest submission
first), asks for changes on the oldest pledge (a decision that needs a message: tried without one
first) and publishes the other. The entity's editor then logs in on the public site: the first
pledge is back with them, with the secretariat's message; the second is on the public site. Each
decision was emailed to them, in their language.

Two people, two browser contexts (separate cookies). The secretariat browses in the other
language, so that the emails are shown to follow their recipient's language. Every page visited
gets an axe check and a check that no browser
logged an error (a CSP violation is one).
"""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from pledges import workflow
from tests.browser.support import LANGUAGES, OTHER_LANGUAGE, email_to, log_in, t
from tests.factories import PledgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCHOOLS = "Connect 500 rural schools in Rwanda to broadband"
TECHNICIANS = "Train 2,000 women as community network technicians"
ALREADY_PUBLIC = "Solar power for 300 rural health centres"
CHANGES = (
    "Please give a baseline for the schools already connected, and say which districts come "
    "first."
)


def submitted_by(member, entity, *, title: str, days_ago: int):
    """A pledge written by `member` and submitted `days_ago` days ago, through the workflow."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago)):
        pledge = PledgeFactory(entity=entity, title=title, created_by=member)
        workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)
    pledge.refresh_from_db()
    return pledge


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_secretariat_requests_changes_and_publishes_and_the_member_sees_both(
    page, checkpoint, checkpoint_of, person_browser, language, entity, entity_admin, member,
    secretariat, other_entity,
):
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    schools = submitted_by(member, entity, title=SCHOOLS, days_ago=9)
    technicians = submitted_by(member, entity, title=TECHNICIANS, days_ago=2)
    PledgeFactory(entity=other_entity, title=ALREADY_PUBLIC, published=True)

    # --- The secretariat opens the admin and logs in on the site's login page. ---------------
    dl = OTHER_LANGUAGE[language]  # the desk's language
    desk = person_browser("secretariat", dl)
    desk_h1 = desk.get_by_role("heading", level=1)
    desk.goto("/admin/")
    expect(desk).to_have_url(re.compile(rf"/{dl}/accounts/login/\?next="))
    checkpoint_of(desk, "01-secretariat-login")
    log_in(desk, dl, secretariat.email)
    expect(desk).to_have_url(re.compile(rf"/{dl}/admin/$"))

    # The home page counts what waits for the secretariat.
    waiting = desk.get_by_role("table", name=t(dl, "Waiting for the secretariat"))
    awaiting_review = waiting.get_by_role("row").filter(
        has=desk.get_by_role("link", name=t(dl, "Pledges awaiting review"), exact=True)
    )
    stale = waiting.get_by_role("row").filter(
        has_text=t(dl, "Changes requested, no answer for more than %(days)d days", days=14)
    )
    expect(awaiting_review.get_by_role("cell")).to_have_text("2")
    expect(stale.get_by_role("cell")).to_have_text("0")
    checkpoint_of(desk, "02-admin-home-two-waiting")

    # --- The queue: submitted pledges only, the longest waiting first. ------------------------
    awaiting_review.get_by_role("link").click()
    queue = desk.locator("#result_list tbody tr")
    expect(queue).to_have_count(2)
    expect(queue.nth(0)).to_contain_text(schools.reference)
    expect(queue.nth(0)).to_contain_text(SCHOOLS)
    expect(queue.nth(0)).to_contain_text(timezone.localdate(schools.submitted_at).isoformat())
    expect(queue.nth(1)).to_contain_text(TECHNICIANS)
    expect(desk.get_by_role("main")).not_to_contain_text(ALREADY_PUBLIC)
    checkpoint_of(desk, "03-review-queue")

    # --- The oldest: changes requested. A message is required; tried without one first. -------
    queue.nth(0).get_by_role("link", name=SCHOOLS).click()
    review = desk.get_by_role("region", name=t(dl, "Review"), exact=True)
    expect(review).to_contain_text(t(dl, "Submitted"))
    as_submitted = desk.get_by_role("region", name=t(dl, "The pledge as submitted"))
    expect(as_submitted).to_contain_text(schools.summary)
    checkpoint_of(desk, "04-oldest-pledge")

    review.get_by_role("link", name=t(dl, "Request changes"), exact=True).click()
    expect(desk_h1).to_have_text(
        t(dl, "%(action)s: %(pledge)s", action=t(dl, "Request changes"), pledge=str(schools))
    )
    decide = desk.get_by_role("button", name=t(dl, "Request changes"), exact=True)
    checkpoint_of(desk, "05-request-changes")
    decide.click()
    expect(desk.locator(".errornote")).to_have_text(t(dl, "Please correct the errors below."))
    expect(desk.locator(".form-row.errors")).to_contain_text(t(dl, "This field is required."))
    checkpoint_of(desk, "06-request-changes-without-message")
    desk.get_by_label(t(dl, "Message to the entity")).fill(CHANGES)
    decide.click()
    expect(desk.locator(".messagelist")).to_contain_text(
        t(
            dl,
            "%(pledge)s: “%(action)s” done; the entity has been emailed.",
            pledge=str(schools),
            action=t(dl, "Request changes"),
        )
    )
    expect(review).to_contain_text(t(dl, "Changes requested"))
    expect(review).to_contain_text(t(dl, "There is no decision to take on this pledge now."))
    expect(desk.get_by_role("row").filter(has_text=CHANGES)).to_have_count(1)  # status history
    checkpoint_of(desk, "07-changes-requested")

    # --- Back home: one left in the queue. It is published. -----------------------------------
    desk.locator(".breadcrumbs").get_by_role("link", name=t(dl, "Home"), exact=True).click()
    expect(awaiting_review.get_by_role("cell")).to_have_text("1")
    awaiting_review.get_by_role("link").click()
    expect(queue).to_have_count(1)
    queue.nth(0).get_by_role("link", name=TECHNICIANS).click()
    expect(review).to_contain_text(t(dl, "Submitted"))
    checkpoint_of(desk, "08-next-pledge")

    review.get_by_role("link", name=t(dl, "Publish"), exact=True).click()
    expect(desk_h1).to_have_text(
        t(dl, "%(action)s: %(pledge)s", action=t(dl, "Publish"), pledge=str(technicians))
    )
    expect(desk.get_by_label(t(dl, "Public from (UTC)"))).to_have_value("")
    checkpoint_of(desk, "09-publish")
    desk.get_by_role("button", name=t(dl, "Publish"), exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(
        t(
            dl,
            "%(pledge)s: “%(action)s” done; the entity has been emailed.",
            pledge=str(technicians),
            action=t(dl, "Publish"),
        )
    )
    expect(review).to_contain_text(t(dl, "Published"))
    expect(desk.get_by_role("link", name=t(dl, "Public page"), exact=True)).to_be_visible()
    checkpoint_of(desk, "10-published")

    desk.locator(".breadcrumbs").get_by_role("link", name=t(dl, "Home"), exact=True).click()
    expect(awaiting_review.get_by_role("cell")).to_have_text("0")
    checkpoint_of(desk, "11-admin-home-nothing-waiting")

    # --- Each decision was emailed to the member, in their language. --------------------------
    changes_email = email_to(
        member.email,
        t(language, "Changes requested on pledge %(reference)s", reference=schools.reference),
    )
    assert CHANGES in changes_email.body
    email_to(  # the entity's administrator too, in their own language (English)
        entity_admin.email,
        t("en", "Changes requested on pledge %(reference)s", reference=schools.reference),
    )
    email_to(
        member.email,
        t(language, "Pledge %(reference)s is published", reference=technicians.reference),
    )

    # --- The member logs in on the public site and finds both decisions. ----------------------
    h1 = page.get_by_role("heading", level=1)
    page.goto(f"/{language}/my-pledges/")
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    checkpoint("12-member-login")
    log_in(page, language, member.email)
    expect(h1).to_have_text(t(language, "My pledges"))
    returned = page.get_by_role("row").filter(has_text=SCHOOLS)
    expect(returned).to_contain_text(t(language, "Changes requested"))
    expect(returned).to_contain_text(t(language, "The secretariat asks:") + " " + CHANGES)
    expect(returned.get_by_role("link", name=t(language, "Make the changes"))).to_be_visible()
    published = page.get_by_role("row").filter(has_text=TECHNICIANS)
    expect(published).to_contain_text(t(language, "Published"))
    checkpoint("13-my-pledges")

    returned.get_by_role("link", name=SCHOOLS).click()
    expect(h1).to_have_text(SCHOOLS)
    expect(page.get_by_role("main")).to_contain_text(t(language, "Changes requested"))
    notice = (
        page.get_by_role("main")
        .locator(".alert")
        .filter(has_text=t(language, "The secretariat asks for changes:"))
    )
    expect(notice).to_contain_text(CHANGES)
    expect(page.get_by_role("link", name=t(language, "Edit and submit"))).to_be_visible()
    expect(page.get_by_role("link", name=t(language, "See the public page"))).to_have_count(0)
    checkpoint("14-pledge-changes-requested")

    page.get_by_role("link", name=t(language, "My pledges"), exact=True).first.click()
    page.get_by_role("row").filter(has_text=TECHNICIANS).get_by_role(
        "link", name=TECHNICIANS
    ).click()
    expect(h1).to_have_text(TECHNICIANS)
    expect(page.get_by_role("main")).to_contain_text(t(language, "Published"))
    checkpoint("15-pledge-published")

    # --- The published pledge is public; the other one is not. --------------------------------
    page.get_by_role("link", name=t(language, "See the public page")).click()
    expect(page).to_have_url(re.compile(rf"/{language}/pledges/{technicians.pk}/$"))
    expect(h1).to_have_text(TECHNICIANS)
    expect(page.get_by_role("main")).to_contain_text(technicians.reference)
    checkpoint("16-public-pledge-page")

    page.goto(f"/{language}/pledges/")
    results = page.get_by_role("main")
    expect(results.get_by_role("link", name=TECHNICIANS)).to_be_visible()
    expect(results.get_by_role("link", name=ALREADY_PUBLIC)).to_be_visible()
    expect(results).not_to_contain_text(SCHOOLS)
    checkpoint("17-public-pledge-list")
