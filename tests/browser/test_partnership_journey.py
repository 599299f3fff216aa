"""Issue 18, end to end in a browser, in English and in French: co-pledging by consent.

Entity A's editor opens its published pledge's partners page, finds entity B with the picker (a
plain search form, used from the keyboard) and invites it; B's administrator, who reads the
other language, gets the invitation email in that language, follows its link, logs in and
accepts; A's partners page says "Accepted", and the public page lists B as co-pledger.

Every page visited gets an axe check and a check that no browser logged an error.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django.utils.translation import pgettext
from playwright.sync_api import expect

from tests.browser.support import log_in, t, wait_for_email
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OTHER = {"en": "fr", "fr": "en"}


def state(language: str, label: str) -> str:
    """A partnership's state as the pages name it in `language`."""
    with translation.override(language):
        return pgettext("partnership status", label)

LINK = re.compile(r"https?://\S+/my-pledges/partnerships/\d+/")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_invited_entity_accepts_and_only_then_shows_publicly(
    person_browser, checkpoint_of, language
):
    partner_language = OTHER[language]
    entity = EntityFactory(name="Ministry of ICT of Rwanda", acronym="MINICT")
    editor = UserFactory(email=f"mia.{language}@minict.example.org", preferred_language=language)
    MembershipFactory(user=editor, entity=entity, role="editor")
    pledge = PledgeFactory(entity=entity, published=True, title="Schools online in Rwanda")
    partner = EntityFactory(name="Digital Bridge Alliance", acronym="DBA")
    admin = UserFactory(email=f"ana.{language}@dba.example.org",
                        preferred_language=partner_language)
    MembershipFactory(user=admin, entity=partner, role="administrator")

    # A's editor invites B with the picker, from the keyboard.
    page = person_browser("editor", language)
    page.goto(f"/{language}/my-pledges/{pledge.pk}/partners/")
    log_in(page, language, editor.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Partners"))
    checkpoint_of(page, "01-partners")
    search = page.get_by_label(t(language, "Find a member entity by name or acronym"))
    search.fill("bridge")
    search.press("Enter")
    invite = page.get_by_role("button", name=f"{t(language, 'Invite')} — Digital Bridge Alliance")
    checkpoint_of(page, "02-picker")
    invite.focus()
    page.keyboard.press("Enter")
    row = page.get_by_role("row", name=re.compile("Digital Bridge Alliance"))
    expect(row).to_contain_text(state(language, "Invited"))
    checkpoint_of(page, "03-invited")

    # B's administrator reads the invitation in their language and accepts.
    (email,) = wait_for_email(admin.email)
    assert "Ministry of ICT of Rwanda" in email.subject
    link = LINK.search(email.body).group(0)
    assert f"/{partner_language}/" in link
    other = person_browser("partner", partner_language)
    other.goto(urlsplit(link).path)  # the live server, not the configured SITE_URL
    log_in(other, partner_language, admin.email)
    expect(other.get_by_role("heading", level=1)).to_have_text(
        t(partner_language, "Invitation to a pledge"))
    checkpoint_of(other, "04-invitation")
    other.get_by_role("button", name=t(partner_language, "Accept"), exact=True).click()
    expect(other.get_by_role("main")).to_contain_text(
        t(partner_language, "Your entity is now a partner of this pledge."))
    checkpoint_of(other, "05-accepted")

    # A sees the answer; the public page names B as co-pledger.
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Digital Bridge Alliance"))).to_contain_text(
        state(language, "Accepted"))
    checkpoint_of(page, "06-partners-accepted")
    # (Public pages are cached for up to a minute: the page is first opened now. That a pending
    # invitation is nowhere public is tested in tests/pledges/test_partnerships.py.)
    public = person_browser("public", language)
    public.goto(f"/{language}/pledges/{pledge.pk}/")
    partners = public.locator("#pledge-partners").locator("..")
    expect(partners).to_contain_text("Digital Bridge Alliance")
    checkpoint_of(public, "07-public")
