"""Issue 21, end to end in a browser, in English and in French: a need meets a pledge.

A government's administrator writes a need and submits it; the secretariat publishes it on the
desk; a funder sees it suggested on its matches page with the reasons and proposes to connect;
the government accepts; both see each other's contact details; the secretariat marks the need
met by the funder's pledge; the public need page links the pledge.

Every page visited gets an axe check and a check that no browser logged an error.
"""

import re

import pytest
from playwright.sync_api import expect

from action_areas.models import Country, Pillar
from matchmaking.models import Need
from tests.browser.support import form_label, in_language, log_in, t
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Rural backhaul for district health centres"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_government_need_meets_a_funders_pledge(person_browser, checkpoint_of, language,
                                                  secretariat):
    government = EntityFactory(name="Ministry of ICT of Rwanda", acronym="MINICT",
                               contact_email="ict@minict.example.org")
    minister = UserFactory(email=f"ada.{language}@minict.example.org", full_name="Ada Admin",
                           preferred_language=language)
    MembershipFactory(user=minister, entity=government, role="administrator")
    funders = EntityFactory(name="Digital Funders Alliance", acronym="DFA",
                            stakeholder_group="private_sector",
                            contact_email="hello@funders.example.org")
    fran = UserFactory(email=f"fran.{language}@funders.example.org", full_name="Fran Funder",
                       preferred_language=language)
    MembershipFactory(user=fran, entity=funders, role="administrator")
    infrastructure = Pillar.objects.get(code="infrastructure")
    fund = PledgeFactory(entity=funders, published=True, financial=True,
                         title="Backhaul fund for East Africa")
    fund.pillars.set([infrastructure])

    # The government writes its need and submits it.
    gov = person_browser("government", language)
    gov.goto(f"/{language}/my-needs/new/")
    log_in(gov, language, minister.email)
    expect(gov.get_by_role("heading", level=1)).to_have_text(t(language, "New need"))
    gov.get_by_label(form_label(language, "title")).fill(TITLE)
    gov.get_by_label(form_label(language, "description")).fill(
        "Fibre backhaul to connect 40 rural health centres.")
    gov.get_by_label(form_label(language, "kind of support sought")).select_option("finance")
    gov.get_by_label(in_language(language, infrastructure.action_area), exact=True).check()
    gov.get_by_label(re.compile(re.escape(in_language(language, infrastructure)))).check()
    gov.get_by_role("checkbox", name=re.compile(re.escape(in_language(
        language, Country.objects.get(iso3="RWA"))))).check()
    checkpoint_of(gov, "01-need-form")
    gov.get_by_role("button", name=t(language, "Save draft")).click()
    expect(gov.get_by_role("main")).to_contain_text(
        t(language, "Need saved as a draft. Submit it when it is ready."))
    gov.get_by_role("button", name=t(language, "Submit for review")).click()
    expect(gov.get_by_role("main")).to_contain_text(
        t(language, "Need submitted: the secretariat will review it."))
    checkpoint_of(gov, "02-need-submitted")
    need = Need.objects.get(title=TITLE)

    # The secretariat publishes it on the desk.
    desk = person_browser("secretariat", language)
    desk.goto(f"/{language}/admin/matchmaking/need/{need.pk}/change/")
    log_in(desk, language, secretariat.email)
    checkpoint_of(desk, "03-desk-need")
    desk.get_by_role("link", name=t(language, "Publish"), exact=True).click()
    desk.get_by_role("button", name=t(language, "Publish")).click()
    expect(desk.locator(".messagelist")).to_contain_text(t(language, "Publish"))
    checkpoint_of(desk, "04-desk-published")

    # The funder sees it suggested, with the reasons, and proposes to connect.
    funder = person_browser("funder", language)
    funder.goto(f"/{language}/my-matches/")
    log_in(funder, language, fran.email)
    suggested = funder.get_by_role("listitem").filter(has_text=TITLE)
    expect(suggested).to_contain_text(t(language, "same country"))
    expect(suggested).to_contain_text(t(language, "offers this kind of support"))
    checkpoint_of(funder, "05-funder-matches")
    suggested.get_by_role("link", name=re.compile(t(language, "Propose to connect"))).click()
    funder.get_by_label(form_label(language, "Your message")).fill(
        "We can finance the backhaul.")
    checkpoint_of(funder, "06-propose")
    funder.get_by_role("button", name=t(language, "Send the proposal")).click()
    expect(funder.get_by_role("main")).to_contain_text(
        t(language, "Proposal sent. You will be told when they answer."))
    expect(funder.get_by_role("main")).not_to_contain_text(government.contact_email)

    # The government accepts; both see each other's contact details.
    gov.goto(f"/{language}/my-matches/")
    gov.get_by_role("link", name=re.compile("Digital Funders Alliance")).first.click()
    expect(gov.get_by_role("main")).not_to_contain_text(funders.contact_email)
    checkpoint_of(gov, "07-proposal")
    gov.get_by_role("button", name=t(language, "Accept and share contact details")).click()
    expect(gov.get_by_role("main")).to_contain_text(funders.contact_email)
    checkpoint_of(gov, "08-accepted-contacts")
    funder.goto(funder.url)
    funder.get_by_role("link", name=re.compile(TITLE)).last.click()
    expect(funder.get_by_role("main")).to_contain_text(government.contact_email)
    checkpoint_of(funder, "09-funder-contacts")

    # The secretariat marks the need met by the funder's pledge; the public page links it.
    desk.goto(f"/{language}/admin/matchmaking/need/{need.pk}/change/")
    desk.get_by_role("link", name=t(language, "Mark as met"), exact=True).click()
    desk.get_by_label(t(language, "Met by pledge number")).fill(str(fund.pk))
    checkpoint_of(desk, "10-mark-met")
    desk.get_by_role("button", name=t(language, "Mark as met")).click()
    expect(desk.locator(".messagelist")).to_contain_text(t(language, "Mark as met"))
    public = person_browser("public", language)
    public.goto(f"/{language}/needs/{need.pk}/")
    expect(public.get_by_role("link", name=fund.title)).to_have_attribute(
        "href", f"/{language}/pledges/{fund.pk}/")
    checkpoint_of(public, "11-public-need-met")
    public.goto(f"/{language}/needs/")
    expect(public.get_by_role("main")).to_contain_text(TITLE)
    checkpoint_of(public, "12-public-needs")
