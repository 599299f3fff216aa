"""Issue 14: a member translates a published pledge's title and summary, in English, French and
Arabic (right to left).

The member logs in, opens "My pledges", their pledge, then its Translations page; says which
language the original is written in; adds a translation (leaving the title empty first, and
seeing the error without losing the summary typed); opens it again with its "Edit" link and
changes it; sees it on the public page in that language, marked with its `lang`; then removes
it. Every page visited gets an axe check, a check
that no English is left on a page in another language and that the browser logged no error.
"""

import re

import pytest
from django.utils.translation import get_language_info
from playwright.sync_api import expect

from pledges.models import Pledge
from tests.browser.support import (
    BROWSER_LOCALES,
    error_title,
    form_label,
    log_in,
    open_menu_if_collapsed,
    t,
)
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The page's language → the translation the member adds, in a language and script of its own.
TRANSLATIONS = {
    "en": ("fr", "Haut débit pour les écoles rurales", "Relier 500 écoles d'ici 2027."),
    "fr": ("zh-hans", "为农村学校提供宽带", "到2027年连接500所学校。"),
    "ar": ("ru", "Широкополосный доступ для сельских школ", "Подключить 500 школ к 2027 году."),
}


def _name(language: str) -> str:
    """A language as the form names it: in itself ("français", "中文")."""
    return get_language_info(language)["name_local"]


@pytest.mark.parametrize(
    ("language", "page_locale"),
    [pytest.param(language, BROWSER_LOCALES[language], id=language) for language in TRANSLATIONS],
)
def test_member_adds_changes_and_removes_a_translation_of_their_pledge(
    page, checkpoint, person_browser, checkpoint_of, language
):
    target, title, summary = TRANSLATIONS[language]
    entity = EntityFactory(name="Rural Connect", acronym="RC")
    member = UserFactory(email="nadia@example.org", full_name="Nadia Haddad",
                         preferred_language=language)
    MembershipFactory(user=member, entity=entity, role="editor")
    pledge = PledgeFactory(entity=entity, published=True, title="Broadband for rural schools",
                           summary="Connect 500 schools by 2027.", description="")
    h1 = page.get_by_role("heading", level=1)
    status = page.get_by_role("status")

    page.goto("/accounts/login/")
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/"))
    log_in(page, language, member.email)

    # My pledges → the pledge → Translations.
    open_menu_if_collapsed(page)
    page.get_by_role("banner").get_by_role("link", name=t(language, "My pledges"),
                                           exact=True).click()
    page.get_by_role("link", name="Broadband for rural schools").click()
    page.get_by_role("link", name=t(language, "Translations"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{language}/my-pledges/{pledge.pk}/translations/$"))
    expect(h1).to_have_text(t(language, "Translations"))
    checkpoint("01-translations")

    # The original is in English.
    page.get_by_label(form_label(language, "The title and summary are written in")).select_option(
        label="English")
    page.get_by_role("button", name=t(language, "Save the language"), exact=True).click()
    expect(status).to_contain_text(t(language, "The pledge's language has been saved."))
    checkpoint("02-original-language-saved")

    # A translation without its title: the error, and the summary typed is still there.
    save = page.get_by_role("button", name=t(language, "Save the translation"), exact=True)
    form = page.locator("form").filter(has=save)
    form.get_by_label(form_label(language, "Language")).select_option(label=_name(target))
    form.get_by_label(form_label(language, "Summary")).fill(summary)
    save.click()
    expect(page).to_have_title(error_title(language))
    expect(form.get_by_text(t(language, "This field is required."))).to_be_visible()
    expect(form.get_by_label(form_label(language, "Summary"))).to_have_value(summary)
    checkpoint("03-title-missing")

    # With its title: saved, and listed with the language it is written in.
    form.get_by_label(form_label(language, "Language")).select_option(label=_name(target))
    form.get_by_label(form_label(language, "Title")).fill("Draft title")
    save.click()
    expect(status).to_contain_text(t(language, "The translation has been saved."))
    expect(page.locator(f'p[lang="{target}"]').first).to_have_text("Draft title")
    checkpoint("04-translation-saved")

    # Its "Edit" link opens it in the form; the member corrects the title.
    page.get_by_role("link", name=t(language, "Edit the translation into %(language)s")
                     % {"language": _name(target)}).click()
    expect(page).to_have_url(re.compile(rf"\?language={target}$"))
    expect(form.get_by_label(form_label(language, "Title"))).to_have_value("Draft title")
    expect(form.get_by_label(form_label(language, "Summary"))).to_have_value(summary)
    checkpoint("05-editing")
    form.get_by_label(form_label(language, "Title")).fill(title)
    save.click()
    expect(status).to_contain_text(t(language, "The translation has been saved."))
    expect(page.locator(f'p[lang="{target}"]').first).to_have_text(title)
    checkpoint("06-translation-changed")
    saved = Pledge.objects.get(pk=pledge.pk)
    assert (saved.language, saved.translations) == (
        "en", {target: {"title": title, "summary": summary}})

    # A visitor reading the site in that language sees it, marked with its language.
    visitor = person_browser("visitor", target)
    visitor.goto(f"/{target}/pledges/{pledge.pk}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.get_by_role("heading", level=1)).to_have_attribute("lang", target)
    checkpoint_of(visitor, "07-public-page-translated")

    # Removed.
    page.get_by_role("button", name=t(language, "Remove the translation into %(language)s")
                     % {"language": _name(target)}).click()
    expect(status).to_contain_text(t(language, "The translation has been removed."))
    expect(page.locator(f'p[lang="{target}"]')).to_have_count(0)
    checkpoint("08-translation-removed")
    assert Pledge.objects.get(pk=pledge.pk).translations == {}
