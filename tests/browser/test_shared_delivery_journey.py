"""Issue 18, shared delivery, end to end in a browser, in English and in French: entity B, an
accepted co-implementer of entity A's published pledge, finds the pledge in its My pledges
marked "shared with you as co-implementer", files its own progress on the pledge's target; an
anonymous visitor then reads on the public page who reported what, and what A and B achieved
together.

Every page visited gets an axe check and a check
that the browser logged no error.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import pgettext
from playwright.sync_api import expect

from pledges.models import Partnership
from reporting.models import ProgressReport, ReportingCycle, TargetProgress
from tests.browser.support import LANGUAGES, in_language, log_in, number_text, t
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Connect 1,000 rural schools in Rwanda"
OWNER = "Ministry of ICT of Rwanda"
PARTNER = "Rural Connect Cooperative"
NARRATIVE = "Our teams connected 120 schools in the Eastern Province."


def make_shared_pledge(language: str):
    """A's pledge (published last year, one target: 0 → 1,000 schools, 450 reported by A),
    B an accepted co-implementer with an editor, and an open reporting cycle."""
    owner = EntityFactory(name=OWNER, acronym="MINICT")
    partner = EntityFactory(name=PARTNER, acronym="RCC")
    email = f"paula.{language}@rcc.example.org"
    editor = UserFactory(email=email, full_name="Paula Partner", preferred_language=language)
    MembershipFactory(user=editor, entity=partner, role="editor")
    today = timezone.localdate()
    year = today.year - 1
    pledge = PledgeFactory(entity=owner, published=True, title=TITLE)
    pledge.published_at = datetime.datetime(year, 3, 1, 12, tzinfo=datetime.UTC)
    pledge.save(update_fields=["published_at"])
    Partnership.objects.create(pledge=pledge, entity=partner, role="co_implementer",
                               status="accepted", accepted_at=pledge.published_at)
    pledge.co_pledgers.add(partner)
    cycle = ReportingCycle.objects.create(
        name_en=f"{year} annual report", name_translations={"fr": f"Rapport annuel {year}"},
        period_start=datetime.date(year, 1, 1), period_end=datetime.date(year, 12, 31),
        opens_on=today - datetime.timedelta(days=7), due_on=today + datetime.timedelta(days=30),
    )
    target = pledge.targets.get()
    owners = ProgressReport.objects.create(
        pledge=pledge, entity=owner, cycle=cycle, status="submitted",
        implementation_status="on_track", percent_complete=45, narrative="Fibre to 450 schools.",
        submitted_at=timezone.now() - datetime.timedelta(days=2))
    TargetProgress.objects.create(report=owners, target=target, indicator=target.indicator,
                                  unit=target.unit, baseline=target.baseline,
                                  target_value=target.target_value,
                                  achieved_value=Decimal("450"))
    return email, pledge, cycle


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_a_partner_files_its_share_and_the_public_sees_who_reported_what(
    page, checkpoint, person_browser, checkpoint_of, language
):
    email, pledge, cycle = make_shared_pledge(language)
    cycle_name = in_language(language, cycle)
    h1 = page.get_by_role("heading", level=1)
    main = page.get_by_role("main")
    tr = lambda message, **values: t(language, message, **values)  # noqa: E731
    with translation.override(language):
        role = pgettext("partnership role", "Co-implementer")
    shared_as = tr("Shared with you as %(role)s", role=role.lower())

    page.goto(f"/{language}/accounts/login/")
    log_in(page, language, email)
    page.goto(f"/{language}/my-pledges/")
    expect(h1).to_have_text(tr("My pledges"))
    shared = page.get_by_role("region", name=tr("Pledges shared with you"))
    expect(shared).to_contain_text(TITLE)
    expect(shared).to_contain_text(OWNER)
    expect(shared).to_contain_text(shared_as)
    checkpoint("01-my-pledges-shared")
    shared.get_by_role("link", name=tr("Report progress for %(cycle)s", cycle=cycle_name)).click()

    expect(h1).to_have_text(tr("Progress report for %(cycle)s", cycle=cycle_name))
    expect(main).to_contain_text(shared_as)
    checkpoint("02-partner-progress-form")
    page.get_by_label(tr("On track"), exact=True).check()
    page.get_by_label(tr("Percentage complete"), exact=False).first.fill("30")
    page.get_by_role("group", name=tr("Values achieved so far")).get_by_label(
        "Schools connected", exact=True).fill("120")
    page.get_by_label(tr("What happened"), exact=True).fill(NARRATIVE)
    page.get_by_role("button", name=tr("Submit the report"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(tr(
        "Thank you: your progress report for “%(cycle)s” has been submitted.", cycle=cycle_name
    ))
    checkpoint("03-partner-report-submitted")

    visitor = person_browser("visitor", language)
    visitor.goto(f"/{language}/pledges/{pledge.pk}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    progress = visitor.get_by_role("region", name=tr("Progress"), exact=True)
    expect(progress).to_contain_text(tr("Reported by %(entity)s", entity=PARTNER))
    expect(progress).to_contain_text(tr("Reported by %(entity)s", entity=OWNER))
    expect(progress).to_contain_text(NARRATIVE)
    together = progress.locator("table.progress-totals")
    expect(together).to_contain_text(tr("Achieved together"))
    expect(together).to_contain_text(number_text(language, "570"))
    checkpoint_of(visitor, "04-public-progress-by-entity")
