"""A developer finds the API guide from the open-data page, in each UN language, on a desktop
and on a phone: how to sync (the removals feed included), then the API answers in the browser
with labels in the language asked for."""

import json

import pytest
from playwright.sync_api import expect

from action_areas.models import ActionArea
from tests.browser.support import SIX_LANGUAGES, in_language, t
from tests.factories import PledgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(("language", "page_locale"), SIX_LANGUAGES)
def test_developer_reads_the_guide_then_the_api(page, checkpoint, language):
    PledgeFactory(published=True, title="Satellite links for 500 rural schools")
    main = page.get_by_role("main")

    page.goto(f"/{language}/open-data/")
    # The link sits inside a translated sentence: found by where it leads.
    main.locator(f'a[href="/{language}/api/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Open data API"))
    expect(main).to_contain_text("/api/v1/pledges/removed/")
    expect(main).to_contain_text("/api/v1/goals/")
    checkpoint("01-guide")

    page.set_viewport_size({"width": 390, "height": 844})
    # The code examples scroll in their own boxes: the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    checkpoint("02-guide-phone")

    answer = page.request.get(f"/api/v1/pledges/?lang={language}")
    assert answer.status == 200
    [pledge] = json.loads(answer.text())["results"]
    assert pledge["title"] == "Satellite links for 500 rural schools"
    assert pledge["action_areas"][0]["code"] == "access"
    access = ActionArea.objects.get(code="access")
    assert pledge["action_areas"][0]["name"] == in_language(language, access)
