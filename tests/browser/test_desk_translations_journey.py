"""Issue 14: the secretariat corrects a pledge's translation in the review desk, in English,
French and Arabic (the admin right to left).

A secretariat member logs in, opens a published pledge in the admin, opens its Translations
section, corrects the French title and adds a Spanish translation (a summary without its title
first: refused, with the reason on the field), and saves. Every page visited gets an axe check,
a check that no English is left on a page in another language and that the browser logged no
error.
"""

import re

import pytest
from playwright.sync_api import expect

from pledges.models import Pledge
from tests.browser.support import BROWSER_LOCALES, log_in, t
from tests.factories import PledgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(
    ("language", "page_locale"),
    [pytest.param(language, BROWSER_LOCALES[language], id=language)
     for language in ("en", "fr", "ar")],
)
def test_secretariat_corrects_and_adds_translations_of_a_pledge(
    page, checkpoint, secretariat, entity, language
):
    pledge = PledgeFactory(
        entity=entity, published=True, title="Rural broadband", summary="Towers.",
        description="", translations={"fr": {"title": "Haut debit rural", "summary": ""}},
    )
    page.goto(f"/{language}/admin/pledges/pledge/{pledge.pk}/change/")
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    log_in(page, language, secretariat.email)
    expect(page).to_have_url(re.compile(rf"/{language}/admin/pledges/pledge/{pledge.pk}/change/$"))

    section = page.locator("fieldset").filter(has_text=t(language, "Translations")).last
    section.locator("summary").click()
    french_title = section.locator("#id_translation_title_fr")
    expect(french_title).to_have_value("Haut debit rural")
    expect(french_title).to_have_attribute("lang", "fr")
    checkpoint("01-translations-section")

    french_title.fill("Haut débit rural")
    section.locator("#id_translation_summary_es").fill("Antenas en cada distrito.")
    save = page.locator("input[name=_continue]")
    save.click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-translation_title_es .errorlist")).to_contain_text(
        t(language, "A translation needs its title; clear the summary too to remove the "
                    "translation."))
    checkpoint("02-summary-without-title")

    page.locator("#id_translation_title_es").fill("Banda ancha rural")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    checkpoint("03-saved")
    assert Pledge.objects.get(pk=pledge.pk).translations == {
        "fr": {"title": "Haut débit rural", "summary": ""},
        "es": {"title": "Banda ancha rural", "summary": "Antenas en cada distrito."},
    }
