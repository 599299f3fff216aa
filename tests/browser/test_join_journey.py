"""Issue 18, end to end in a browser, in English and in French: joining a published pledge.

Entity A has published a financial pledge (USD 1,000,000) naming B; B's administrator accepts on
its dashboard. C's administrator, on the public page, asks to join as funder with
EUR 1,000,000 (USD 1,250,000 at this month's rate); A's administrator accepts the request from
its dashboard. The public page then shows A, B and C with their roles and C's contribution, and
the pledge's USD committed grew by C's contribution once (2,250,000). C then finds the pledge in
its My pledges and files its progress on the pledge's target; the public page shows who reported
what (A's 450 schools, C's 120) and what they achieved together (570), the totals unchanged by
the report.

Every page visited gets an axe check and a check that no browser logged an error.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import pgettext
from playwright.sync_api import expect

from pledges import partnerships, selectors
from pledges.models import CurrencyRate, Partnership, RateSource
from reporting.models import ProgressReport, ReportingCycle, TargetProgress
from tests.browser.support import in_language, log_in, number_text, t
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def role(language: str, label: str) -> str:
    with translation.override(language):
        return pgettext("partnership role", label)


def setting_up(language: str):
    """A's published pledge naming B (invited), and a rate for the euro this month."""
    CurrencyRate.objects.update_or_create(
        currency="EUR", month=timezone.localdate().replace(day=1),
        defaults={"rate_per_usd": Decimal("0.8"), "source": RateSource.TEST_DATA})
    entity_a = EntityFactory(name="Ministry of ICT of Rwanda", acronym="MINICT")
    admin_a = UserFactory(email=f"ada.{language}@minict.example.org", preferred_language=language)
    MembershipFactory(user=admin_a, entity=entity_a, role="administrator")
    pledge = PledgeFactory(entity=entity_a, published=True, financial=True,
                           title="Schools online in Rwanda",
                           published_at=timezone.now() - datetime.timedelta(days=1))
    entity_b = EntityFactory(name="Digital Bridge Alliance", acronym="DBA")
    admin_b = UserFactory(email=f"ben.{language}@dba.example.org", preferred_language=language)
    MembershipFactory(user=admin_b, entity=entity_b, role="administrator")
    partnerships.partnership_invite(actor=admin_a, pledge_id=pledge.pk, entity_id=entity_b.pk)
    entity_c = EntityFactory(name="Fonds Numérique Solidaire", acronym="FNS",
                             stakeholder_group="private_sector")
    admin_c = UserFactory(email=f"chloe.{language}@fns.example.org", preferred_language=language)
    MembershipFactory(user=admin_c, entity=entity_c, role="administrator")
    return pledge, admin_a, admin_b, admin_c


def reporting_opens(pledge):
    """This year's cycle, open, and A's own report: 450 of the 1,000 schools connected."""
    today = timezone.localdate()
    cycle = ReportingCycle.objects.create(
        name_en=f"{today.year} annual report",
        name_translations={"fr": f"Rapport annuel {today.year}"},
        period_start=datetime.date(today.year, 1, 1), period_end=datetime.date(today.year, 12, 31),
        opens_on=today - datetime.timedelta(days=7), due_on=today + datetime.timedelta(days=30),
    )
    target = pledge.targets.get()
    owners = ProgressReport.objects.create(
        pledge=pledge, entity=pledge.entity, cycle=cycle, status="submitted",
        implementation_status="on_track", percent_complete=45, narrative="Fibre to 450 schools.",
        submitted_at=timezone.now() - datetime.timedelta(hours=2))
    TargetProgress.objects.create(report=owners, target=target, indicator=target.indicator,
                                  unit=target.unit, baseline=target.baseline,
                                  target_value=target.target_value,
                                  achieved_value=Decimal("450"))
    return cycle


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_funder_joins_a_published_pledge_and_counts_once(
    person_browser, checkpoint_of, language
):
    pledge, admin_a, admin_b, admin_c = setting_up(language)
    usd_before = selectors.coalition_figures()["usd"]

    # B accepts A's invitation on its dashboard.
    page_b = person_browser("b", language)
    page_b.goto(f"/{language}/me/")
    log_in(page_b, language, admin_b.email)
    page_b.get_by_role("link", name=t(language, "Accept or decline")).click()
    checkpoint_of(page_b, "01-b-invitation")
    page_b.get_by_role("button", name=t(language, "Accept"), exact=True).click()
    expect(page_b.get_by_role("main")).to_contain_text(
        t(language, "Your entity is now a partner of this pledge."))

    # C asks to join as funder, from the public page.
    page_c = person_browser("c", language)
    page_c.goto(f"/{language}/pledges/{pledge.pk}/")
    page_c.get_by_role(
        "link", name=t(language, "Ask to join this pledge (member entities)")).click()
    log_in(page_c, language, admin_c.email)
    expect(page_c.get_by_role("heading", level=1)).to_have_text(
        t(language, "Ask to join this pledge"))
    checkpoint_of(page_c, "02-c-join-form")
    page_c.get_by_label(role(language, "Funder"), exact=True).check()
    page_c.get_by_label(t(language, "What your entity brings to this pledge")).fill(
        "Co-financing of the school connections.")
    page_c.get_by_label(t(language, "Amount of the contribution (funders)")).fill(
        number_text(language, "1000000"))
    page_c.get_by_label(t(language, "Currency (funders)")).select_option("EUR")
    page_c.get_by_role("button", name=t(language, "Send the request")).click()
    expect(page_c.get_by_role("heading", level=1)).to_have_text(
        t(language, "Request to join a pledge"))
    checkpoint_of(page_c, "03-c-requested")
    request = Partnership.objects.get(entity__acronym="FNS")
    assert (request.status, request.usd_amount) == ("requested", Decimal("1250000.00"))

    # A's administrator accepts the request from the dashboard.
    page_a = person_browser("a", language)
    page_a.goto(f"/{language}/me/")
    log_in(page_a, language, admin_a.email)
    expect(page_a.get_by_role("main")).to_contain_text(t(language, "Requests to join your pledges"))
    checkpoint_of(page_a, "04-a-dashboard")
    page_a.locator(".entity-join-requests-waiting").get_by_role(
        "link", name=t(language, "Accept or decline")).click()
    checkpoint_of(page_a, "05-a-request")
    page_a.get_by_role("button", name=t(language, "Accept the request")).click()
    expect(page_a.get_by_role("main")).to_contain_text(
        t(language, "The entity is now a partner of your pledge; it has been told."))

    # The public page shows A, B and C with their roles; the USD committed grew once. C's
    # anonymous visit above left that address's page in the page cache for 15 seconds
    # (p2c_portal.page_cache): a visitor may see the change up to a minute late, by design.
    cache.clear()
    public = person_browser("public", language)
    public.goto(f"/{language}/pledges/{pledge.pk}/")
    partners = public.locator("#pledge-partners").locator("..")
    expect(partners).to_contain_text("Digital Bridge Alliance")
    expect(partners).to_contain_text(role(language, "Co-pledger"))
    expect(partners).to_contain_text("Fonds Numérique Solidaire")
    expect(partners).to_contain_text(role(language, "Funder"))
    expect(partners).to_contain_text("Co-financing of the school connections.")
    expect(public.locator("#usd-committed")).to_contain_text(number_text(language, "2250000"))
    expect(public.get_by_role("main")).to_contain_text("Ministry of ICT of Rwanda")
    checkpoint_of(public, "06-public")
    cache.clear()
    assert selectors.coalition_figures()["usd"] == usd_before + Decimal("1250000.00")

    # C files its progress on the pledge's target, from its My pledges.
    cycle = reporting_opens(pledge)
    cycle_name = in_language(language, cycle)
    page_c.goto(f"/{language}/my-pledges/")
    shared = page_c.get_by_role("region", name=t(language, "Pledges shared with you"))
    expect(shared).to_contain_text("Schools online in Rwanda")
    expect(shared).to_contain_text(
        t(language, "Shared with you as %(role)s", role=role(language, "Funder").lower()))
    checkpoint_of(page_c, "07-c-my-pledges")
    shared.get_by_role(
        "link", name=t(language, "Report progress for %(cycle)s", cycle=cycle_name)).click()
    expect(page_c.get_by_role("heading", level=1)).to_have_text(
        t(language, "Progress report for %(cycle)s", cycle=cycle_name))
    page_c.get_by_label(t(language, "On track"), exact=True).check()
    page_c.get_by_label(t(language, "Percentage complete"), exact=False).first.fill("12")
    page_c.get_by_role("group", name=t(language, "Values achieved so far")).get_by_label(
        "Schools connected", exact=True).fill("120")
    page_c.get_by_label(t(language, "What happened"), exact=True).fill(
        "Our grant connected 120 schools.")
    checkpoint_of(page_c, "08-c-progress-form")
    page_c.get_by_role("button", name=t(language, "Submit the report"), exact=True).click()
    expect(page_c.get_by_role("status")).to_contain_text(t(
        language, "Thank you: your progress report for “%(cycle)s” has been submitted.",
        cycle=cycle_name))

    joined = Partnership.objects.select_related("entity").get(entity__acronym="FNS")
    assert (joined.status, joined.entity.status, joined.role) == ("accepted", "approved", "funder")

    # The public page: partners by role, progress by entity, the totals grew once only (a new
    # visitor: the first one's browser may keep the page 15 seconds, like the server).
    cache.clear()
    public = person_browser("visitor", language)
    public.goto(f"/{language}/pledges/{pledge.pk}/")
    partners = public.locator("#pledge-partners").locator("..")
    expect(partners).to_contain_text(role(language, "Funder"))
    expect(partners).to_contain_text(role(language, "Co-pledger"))
    progress = public.get_by_role("region", name=t(language, "Progress"), exact=True)
    expect(progress).to_contain_text(
        t(language, "Reported by %(entity)s", entity="Fonds Numérique Solidaire"))
    expect(progress).to_contain_text(
        t(language, "Reported by %(entity)s", entity="Ministry of ICT of Rwanda"))
    expect(progress).to_contain_text("Our grant connected 120 schools.")
    together = progress.locator("table.progress-totals")
    expect(together).to_contain_text(t(language, "Achieved together"))
    expect(together).to_contain_text(number_text(language, "570"))
    expect(public.locator("#usd-committed")).to_contain_text(number_text(language, "2250000"))
    checkpoint_of(public, "09-public-progress-by-entity")
    cache.clear()
    assert selectors.coalition_figures()["usd"] == usd_before + Decimal("1250000.00")


def accepted_funder(language: str):
    """The journey above, up to A accepting C's request (EUR 1,000,000 = USD 1,250,000)."""
    pledge, admin_a, _admin_b, admin_c = setting_up(language)
    request = partnerships.partnership_request(
        actor=admin_c, pledge_id=pledge.pk, entity_id=admin_c.memberships.get().entity_id,
        role="funder", contribution="Co-financing of the school connections.",
        amount=Decimal("1000000"), currency="EUR")
    partnerships.partnership_transition(partnership_id=request.pk, name="accept_request",
                                        actor=admin_a)
    return pledge, admin_a, admin_c


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_funder_changes_its_contribution_and_the_totals_grow_by_the_difference_once(
    person_browser, checkpoint_of, language
):
    """C proposes EUR 1,500,000 instead of 1,000,000 from its My pledges, with a reason; A's
    administrator sees it on the dashboard, old beside new, and approves it; the public page
    shows the new amount and the USD committed grew by the difference (USD 625,000), once."""
    pledge, admin_a, admin_c = accepted_funder(language)
    cache.clear()
    usd_before = selectors.coalition_figures()["usd"]

    page_c = person_browser("c", language)
    page_c.goto(f"/{language}/my-pledges/")
    log_in(page_c, language, admin_c.email)
    shared = page_c.get_by_role("region", name=t(language, "Pledges shared with you"))
    shared.get_by_role("link", name=t(language, "Propose a change to your contribution")).click()
    checkpoint_of(page_c, "10-c-contribution")
    page_c.get_by_label(t(language, "Amount of the contribution")).fill(
        number_text(language, "1500000"))
    page_c.get_by_label(t(language, "Why does the contribution change?")).fill(
        "A second grant from our board.")
    page_c.get_by_role("button", name=t(language, "Send the proposal")).click()
    expect(page_c.get_by_role("heading", name=t(
        language, "A proposed change waits for an answer"))).to_be_visible()
    checkpoint_of(page_c, "11-c-proposal-waiting")

    page_a = person_browser("a", language)
    page_a.goto(f"/{language}/me/")
    log_in(page_a, language, admin_a.email)
    page_a.locator(".entity-contribution-proposals").get_by_role(
        "link", name=t(language, "Approve or decline")).click()
    checkpoint_of(page_a, "12-a-proposal")
    change = page_a.locator("table.contribution-change")
    expect(change).to_contain_text(number_text(language, "1000000"))
    expect(change).to_contain_text(number_text(language, "1500000"))
    page_a.get_by_role("button", name=t(language, "Approve the change")).click()
    expect(page_a.get_by_role("main")).to_contain_text(
        t(language, "The new contribution is shown with the pledge; the partner has been told."))
    checkpoint_of(page_a, "13-a-partners")

    cache.clear()
    public = person_browser("public", language)
    public.goto(f"/{language}/pledges/{pledge.pk}/")
    partners = public.locator("#pledge-partners").locator("..")
    expect(partners).to_contain_text(number_text(language, "1500000"))
    # USD 1,000,000 (the pledge) + 1,875,000 (C's EUR 1,500,000): the difference counted once.
    expect(public.locator("#usd-committed")).to_contain_text(number_text(language, "2875000"))
    checkpoint_of(public, "14-public-new-contribution")
    cache.clear()
    assert selectors.coalition_figures()["usd"] == usd_before + Decimal("625000.00")


@pytest.mark.parametrize("language", ["ar"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_contribution_pages_fit_a_phone_and_read_right_to_left(
    person_browser, checkpoint_of, language, width
):
    """Both sides' pages of a proposed change, in Arabic, on a phone and a desktop: no English
    left, axe clean, nothing wider than the screen."""
    pledge, admin_a, admin_c = accepted_funder(language)
    partnership = Partnership.objects.get(entity__acronym="FNS")
    page_c = person_browser("c", language)
    page_c.set_viewport_size({"width": width, "height": 900})
    page_c.goto(f"/{language}/my-pledges/partnerships/{partnership.pk}/contribution/")
    log_in(page_c, language, admin_c.email)
    checkpoint_of(page_c, f"20-c-contribution-{width}")
    assert page_c.evaluate("document.documentElement.scrollWidth") <= width
    partnerships.partnership_amendment_propose(
        actor=admin_c, partnership_id=partnership.pk, contribution="More co-financing.",
        amount=Decimal("1500000"), currency="EUR", reason="A second grant.")
    page_c.reload()
    checkpoint_of(page_c, f"21-c-waiting-{width}")
    assert page_c.evaluate("document.documentElement.scrollWidth") <= width

    page_a = person_browser("a", language)
    page_a.set_viewport_size({"width": width, "height": 900})
    page_a.goto(f"/{language}/my-pledges/{pledge.pk}/partners/")
    log_in(page_a, language, admin_a.email)
    checkpoint_of(page_a, f"22-a-partners-{width}")
    assert page_a.evaluate("document.documentElement.scrollWidth") <= width
    page_a.locator(".contribution-proposals").get_by_role(
        "link", name=t(language, "Approve or decline")).click()
    checkpoint_of(page_a, f"23-a-decision-{width}")
    assert page_a.evaluate("document.documentElement.scrollWidth") <= width
