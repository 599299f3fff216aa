"""Issue 14: a member who reads the site in one language chooses another for their emails.

A member whose emails are in English browses in English, French or Arabic, opens My account,
chooses Chinese on the "Language for emails" tab and saves; the secretariat then approves their
entity, and the email that tells them so is in Chinese, its links under /zh-hans/, the entity's
apostrophe intact. Every page visited gets an axe
check, a check that no English is left and that the browser logged no error.
"""

import re

import pytest
from playwright.sync_api import expect

from members.models import Membership, User
from members.workflow import entity_transition
from tests.browser.support import (
    BROWSER_LOCALES,
    email_to,
    log_in,
    open_menu_if_collapsed,
    t,
)
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ENTITY_NAME = "Women's Digital Network"
LINK = re.compile(r"https?://\S+")


@pytest.mark.parametrize(
    ("language", "page_locale"),
    [pytest.param(language, BROWSER_LOCALES[language], id=language)
     for language in ("en", "fr", "ar")],
)
def test_member_chooses_the_language_of_their_emails_and_the_next_one_is_in_it(
    page, checkpoint, secretariat, language
):
    entity = EntityFactory(name=ENTITY_NAME, acronym="", applied=True)
    member = UserFactory(email="amina@example.org", full_name="Amina Diallo",
                         preferred_language="en")
    MembershipFactory(user=member, entity=entity, role=Membership.Role.ADMINISTRATOR)
    h1 = page.get_by_role("heading", level=1)

    page.goto("/accounts/login/")
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/"))
    log_in(page, language, member.email)

    # My account, then its "Language for emails" tab: English is the current choice.
    open_menu_if_collapsed(page)
    page.get_by_role("banner").get_by_role("link", name=t(language, "My account"),
                                           exact=True).click()
    tabs = page.get_by_role("navigation", name=t(language, "My account"))
    tabs.get_by_role("link", name=t(language, "Language for emails")).click()
    expect(page).to_have_url(re.compile(rf"/{language}/me/language/$"))
    expect(h1).to_have_text(t(language, "Language for emails"))
    choices = page.get_by_role("group", name=t(language, "Language of the emails you receive"))
    expect(choices.get_by_role("radio")).to_have_count(6)
    expect(choices.get_by_label("English")).to_be_checked()
    expect(tabs.get_by_role("link", name=t(language, "Language for emails"))).to_have_attribute(
        "aria-current", "page")
    checkpoint("01-email-language")

    # Chooses Chinese and saves: the page says so and keeps the choice.
    choices.get_by_label("中文").check()
    page.get_by_role("button", name=t(language, "Save"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        t(language, "Your emails will now be written in this language."))
    expect(choices.get_by_label("中文")).to_be_checked()
    expect(page.locator("html")).to_have_attribute("lang", language)  # the site stays as it was
    checkpoint("02-email-language-saved")
    member.refresh_from_db()
    assert member.preferred_language == "zh-hans"

    # The next email, the secretariat's approval, is in Chinese, whatever the page's language.
    entity_transition(entity_id=entity.pk, name="approve", actor=secretariat)
    approval = email_to(
        member.email, t("zh-hans", "%(name)s is now a member of Partner2Connect", name=ENTITY_NAME)
    )
    assert "&#x27;" not in approval.subject and "&#x27;" not in approval.body
    assert t("zh-hans", "The Partner2Connect secretariat") in approval.body
    links = LINK.findall(approval.body)
    assert links and all("/zh-hans/" in link for link in links), links
    assert User.objects.get(pk=member.pk).preferred_language == "zh-hans"
