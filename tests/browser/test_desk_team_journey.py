"""Issue 16, a desk for a team, end to end in a browser, in English and in French.

Two pledges wait for review. A secretariat member (staff in the Secretariat group, not a
superuser) opens one from the queue and assigns it to themselves; the admin home then counts one
pledge assigned to them; the list's "Assigned to: me" filter shows that pledge alone. They add an
internal note, which the change page and the history page show with its author. On the vetting
desk, an application is shown the entity already registered under the same name, and is assigned
too. The entity's member, on the public site, never sees the note. Every page visited gets an
axe check, a check that nothing is left in English and that no browser logged an
error.
"""

import re

import pytest
from playwright.sync_api import expect

from pledges import workflow
from tests.browser.support import LANGUAGES, log_in, t
from tests.factories import EntityFactory, PledgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCHOOLS = "Connect 500 rural schools in Rwanda to broadband"
TECHNICIANS = "Train 2,000 women as community network technicians"
NOTE = "Called the ministry on Tuesday: the budget line is confirmed for 2023."


def submitted(member, entity, title):
    pledge = PledgeFactory(entity=entity, title=title, created_by=member)
    workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)
    pledge.refresh_from_db()
    return pledge


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_secretariat_assigns_a_pledge_to_themselves_filters_mine_and_adds_a_note(
    page, checkpoint, checkpoint_of, person_browser, language, entity, member, secretariat,
):
    schools = submitted(member, entity, SCHOOLS)
    submitted(member, entity, TECHNICIANS)

    desk = person_browser("secretariat", language)
    desk.goto("/admin/")
    log_in(desk, language, secretariat.email)
    expect(desk).to_have_url(re.compile(rf"/{language}/admin/$"))
    waiting = desk.get_by_role("table", name=t(language, "Waiting for the secretariat"))
    mine_counter = waiting.get_by_role("row").filter(
        has=desk.get_by_role(
            "link", name=t(language, "Pledges assigned to me, awaiting review"), exact=True
        )
    )
    expect(mine_counter.get_by_role("cell")).to_have_text("0")
    checkpoint_of(desk, "01-admin-home-nothing-assigned")

    # --- The queue, then the oldest pledge: assigned to themselves. ----------------------------
    waiting.get_by_role("link", name=t(language, "Pledges awaiting review"), exact=True).click()
    queue = desk.locator("#result_list tbody tr")
    expect(queue).to_have_count(2)
    checkpoint_of(desk, "02-queue")
    queue.filter(has_text=SCHOOLS).get_by_role("link", name=SCHOOLS).click()
    assignment = desk.get_by_role("region", name=t(language, "Assignment"), exact=True)
    expect(assignment).to_contain_text(t(language, "Nobody is assigned."))
    checkpoint_of(desk, "03-pledge-unassigned")
    assignment.get_by_role("button", name=t(language, "Assign to me"), exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(t(language, "Assignment saved."))
    expect(assignment).to_contain_text(secretariat.full_name)
    expect(assignment.get_by_label(t(language, "Reviewer"))).to_have_value(str(secretariat.pk))
    expect(
        assignment.get_by_role("button", name=t(language, "Assign to me"), exact=True)
    ).to_have_count(0)
    checkpoint_of(desk, "04-pledge-assigned-to-me")

    # --- "Mine": counted on the home page, one click away in the list's filter. ---------------
    desk.locator(".breadcrumbs").get_by_role("link", name=t(language, "Home"), exact=True).click()
    expect(mine_counter.get_by_role("cell")).to_have_text("1")
    checkpoint_of(desk, "05-admin-home-one-assigned")
    desk.goto(f"/{language}/admin/pledges/pledge/")
    expect(queue).to_have_count(2)
    desk.locator("#changelist-filter").get_by_role(
        "link", name=t(language, "me"), exact=True
    ).click()
    expect(desk).to_have_url(re.compile(r"assigned=me"))
    expect(queue).to_have_count(1)
    expect(queue.nth(0)).to_contain_text(SCHOOLS)
    expect(queue.nth(0)).to_contain_text(secretariat.full_name)  # the "assigned to" column
    checkpoint_of(desk, "06-list-assigned-to-me")

    # --- An internal note: on the change page and in the history, with its author. -----------
    queue.nth(0).get_by_role("link", name=SCHOOLS).click()
    notes = desk.get_by_role("region", name=t(language, "Internal notes"), exact=True)
    expect(notes).to_contain_text(t(language, "No internal note yet."))
    notes.get_by_label(t(language, "New internal note")).fill(NOTE)
    checkpoint_of(desk, "07-writing-a-note")
    notes.get_by_role("button", name=t(language, "Add the note"), exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(t(language, "Internal note added."))
    expect(notes.locator(".internal-notes-list li")).to_have_count(1)
    expect(notes.locator(".internal-notes-list li")).to_contain_text(NOTE)
    expect(notes.locator(".internal-notes-list li")).to_contain_text(secretariat.full_name)
    checkpoint_of(desk, "08-note-added")

    desk.goto(f"/{language}/admin/pledges/pledge/{schools.pk}/history/")
    history_notes = desk.get_by_role("region", name=t(language, "Internal notes"), exact=True)
    expect(history_notes).to_contain_text(NOTE)
    expect(desk.locator("#change-history")).to_contain_text(secretariat.full_name)
    checkpoint_of(desk, "09-history-with-the-note")

    # --- The vetting desk: an application that looks like an entity already in the register. --
    application = EntityFactory(applied=True, name="Ministry of ICT of Rwanda", acronym="",
                                website="https://minict.example.rw")
    desk.goto(f"/{language}/admin/members/entity/{application.pk}/change/")
    duplicates = desk.get_by_role("region", name=t(language, "Possible duplicates"), exact=True)
    duplicate = duplicates.get_by_role("row").filter(has_text=entity.name)
    expect(duplicate).to_contain_text(t(language, "Approved"))
    expect(duplicate).to_contain_text(entity.website)
    expect(duplicate.get_by_role("link", name=str(entity))).to_have_attribute(
        "href", f"/{language}/admin/members/entity/{entity.pk}/change/"
    )
    vetting = desk.get_by_role("region", name=t(language, "Assignment"), exact=True)
    vetting.get_by_role("button", name=t(language, "Assign to me"), exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(t(language, "Assignment saved."))
    checkpoint_of(desk, "10-application-with-a-possible-duplicate")

    # --- The entity's member never sees it. -------------------------------------------------
    page.goto(f"/{language}/my-pledges/{schools.pk}/")
    log_in(page, language, member.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(SCHOOLS)
    expect(page.get_by_role("main")).not_to_contain_text(NOTE)
    checkpoint("11-member-sees-no-note")
