"""The public site as a visitor sees it: home, pledge list, pledge page, entity, country and event
pages, in English and French."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from action_areas.models import Country, Pillar, Region
from pledges.models import CoalitionSettings, PledgeStatusChange
from tests.factories import EntityFactory, EventFactory, PledgeFactory, accepted_co_pledgers
from tests.pledges.public_data import bulk_pledges

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_memory_cache(settings):
    """A cache whose entries expire on the test's clock (time_machine cannot move Redis's)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "public-site-expiry"}}
    cache.clear()


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    """What a person reads: the main content without tags, whitespace collapsed."""
    main = html[html.index("<main"):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


# --- Home -------------------------------------------------------------------------------------


def test_home_shows_the_coalition_in_figures(anonymous):
    rwanda_and_kenya = PledgeFactory(published=True, financial=True, with_defaults=False)
    rwanda_and_kenya.countries.set(Country.objects.filter(iso3__in=["RWA", "KEN"]))
    PledgeFactory(published=True, financial=True, entity=rwanda_and_kenya.entity,
                  usd_amount=Decimal("2500000"))
    PledgeFactory(published=True)  # programme, another entity, Rwanda
    text = _text(_html(anonymous.get("/en/")))
    assert "3 published pledges" in text
    assert "2 pledging entities" in text
    assert "2 countries reached" in text
    assert "USD 3.5 million committed by financial pledges" in text


def test_home_shows_progress_toward_the_goal_the_secretariat_set(anonymous, local_memory_cache):
    PledgeFactory(published=True, financial=True, usd_amount=Decimal("25000000000"))
    html = _html(anonymous.get("/en/"))
    assert "Progress toward the USD 100 billion goal" in _text(html)
    assert "25.0 % of the USD 100 billion" in _text(html)
    assert "USD 25 billion committed" in _text(html)
    assert re.search(r'<progress class="goal-progress" max="100" value="25\.0"', html)

    CoalitionSettings.objects.filter(pk=1).update(usd_goal=Decimal("50000000000"))
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31)):
        text = _text(_html(anonymous.get("/en/")))
    assert "50.0 % of the USD 50 billion" in text


def test_french_home_writes_numbers_the_french_way(anonymous):
    PledgeFactory(published=True, financial=True, usd_amount=Decimal("25000000000"))
    html = _html(anonymous.get("/fr/"))
    assert "Quatre domaines d’action" in html
    assert 'value="25.0"' in html  # the attribute stays machine-readable
    assert "25,0" in _text(html)


def test_home_breaks_pledges_down_by_action_area_and_type(anonymous):
    pledge = PledgeFactory(published=True, financial=True)  # Access
    pledge.action_areas.add(*pledge.action_areas.model.objects.filter(code="adoption"))
    PledgeFactory(published=True)  # programme, Access
    response = anonymous.get("/en/")
    areas = {row["area"].code: row["pledges"] for row in response.context["areas"]}
    assert areas == {"access": 2, "adoption": 1, "value-creation": 0, "accelerate": 0}
    types = {row["value"]: row["pledges"] for row in response.context["types"]}
    assert types == {"financial": 1, "policy": 0, "advocacy": 0, "programme": 1}
    html = _html(response)
    assert 'href="/en/pledges/?area=adoption"' in html
    assert 'href="/en/pledges/?type=financial"' in html


def test_home_lists_the_latest_pledges_and_calls_to_join(anonymous, member_client):
    PledgeFactory(published=True, title="Older pledge",
                  published_at=timezone.now() - datetime.timedelta(days=3))
    PledgeFactory(published=True, title="Newest pledge")
    html = _html(anonymous.get("/en/"))
    assert html.index("Newest pledge") < html.index("Older pledge")
    assert "Join the coalition" in html and "Sign in to pledge" in html
    member_html = _html(member_client.get("/en/"))
    assert "Make a pledge" in member_html and "Join the coalition" not in member_html


# --- Pledge list ------------------------------------------------------------------------------


def test_the_list_filters_with_counts_next_to_each_choice(anonymous):
    PledgeFactory(published=True, financial=True, title="Money for Rwanda")
    PledgeFactory(published=True, title="Programme for Rwanda")
    policy = PledgeFactory(published=True, pledge_type="policy", title="Policy for Fiji",
                           with_defaults=False)
    policy.countries.set([Country.objects.get(iso3="FJI")])
    html = _html(anonymous.get("/en/pledges/"))
    text = _text(html)
    assert "3 pledges" in text
    assert "Financial (1)" in text and "Policy (1)" in text and "Programme (1)" in text
    assert "Small Island Developing State (1)" in text
    assert "Least Developed Country (2)" in text

    response = anonymous.get("/en/pledges/?targeting=SIDS")
    text = _text(_html(response))
    assert "1 pledge" in text and "Policy for Fiji" in text and "Money for Rwanda" not in text
    # The other values of a facet keep their counts: ticking one more adds those pledges.
    assert "Least Developed Country (2)" in text


def test_values_of_one_facet_add_up_and_facets_narrow(anonymous):
    PledgeFactory(published=True, financial=True, title="Money for Rwanda")
    PledgeFactory(published=True, title="Programme for Rwanda")
    PledgeFactory(published=True, pledge_type="policy", title="Policy for Rwanda")
    text = _text(_html(anonymous.get("/en/pledges/?type=financial&type=programme")))
    assert "2 pledges" in text and "Policy for Rwanda" not in text
    text = _text(_html(anonymous.get("/en/pledges/?type=financial&type=programme&country=FJI")))
    assert "0 pledges" in text
    assert "No pledge matches this search and these filters." in text


def test_every_facet_filters(anonymous):
    event = EventFactory(slug="ungass", name_en="UN General Assembly")
    entity = EntityFactory(stakeholder_group="youth")
    pledge = PledgeFactory(published=True, entity=entity, event=event, title="The one",
                           published_at=datetime.datetime(2023, 3, 1, tzinfo=datetime.UTC))
    pledge.pillars.set([Pillar.objects.get(code="affordability")])
    pledge.regions.set([Region.objects.get(code="europe")])
    pledge.beneficiary_groups.set(
        pledge.beneficiary_groups.model.objects.filter(code="women-girls"))
    pledge.sdgs.set(pledge.sdgs.model.objects.filter(number=5))
    PledgeFactory(published=True, title="The other", is_global=True)
    for query in ("type=programme&area=access&pillar=affordability", "stakeholder=youth",
                  "region=europe", "region=africa&country=RWA&targeting=LLDC",
                  "beneficiary=women-girls", "sdg=5", "event=ungass", "year=2023",
                  f"entity={entity.pk}", "q=The+one"):
        response = anonymous.get(f"/en/pledges/?{query}")
        titles = [p.title for p in response.context["page"].items]
        if query.startswith("region=africa") or query.startswith("type="):
            assert "The one" in titles, query
        else:
            assert titles == ["The one"], query
    titles = [p.title for p in anonymous.get("/en/pledges/?region=global").context["page"].items]
    assert titles == ["The other"]


def test_active_filters_can_be_removed_one_by_one(anonymous):
    PledgeFactory(published=True, financial=True)
    html = _html(anonymous.get("/en/pledges/?type=financial&country=RWA&q=schools"))
    assert 'href="?country=RWA&amp;q=schools"' not in html  # canonical order: q first
    assert 'href="?q=schools&amp;country=RWA"' in html  # without "Financial"
    assert 'href="?type=financial&amp;country=RWA"' in html  # without the search
    assert "Clear all filters" in html


def test_sorting(anonymous):
    PledgeFactory(published=True, financial=True, title="B small", usd_amount=Decimal("10"))
    PledgeFactory(published=True, financial=True, title="A large", usd_amount=Decimal("99"))
    PledgeFactory(published=True, title="C programme")

    def titles(sort):
        return [p.title for p in anonymous.get(f"/en/pledges/?sort={sort}").context["page"].items]

    assert titles("usd") == ["A large", "B small", "C programme"]
    assert titles("title") == ["A large", "B small", "C programme"]
    assert titles("newest") == ["C programme", "A large", "B small"]


def test_pages_go_forward_and_back_without_counting_every_row(anonymous):
    bulk_pledges(45)
    first = anonymous.get("/en/pledges/?type=financial&type=policy&type=advocacy&type=programme")
    html = _html(first)
    assert len(first.context["page"].items) == 20
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert "page=2" in html
    third = anonymous.get("/en/pledges/?page=3")
    assert len(third.context["page"].items) == 5
    html = _html(third)
    assert 'rel="prev"' in html and 'rel="next"' not in html
    assert "Page 3" in html


def test_the_whole_state_is_in_the_address(anonymous):
    PledgeFactory(published=True, financial=True)
    html = _html(anonymous.get("/en/pledges/?q=schools&type=financial&sort=usd&country=RWA"))
    assert 'value="schools"' in html
    assert re.search(r'name="type" value="financial"[^>]* checked', html)
    assert re.search(r'<option value="usd" selected>', html)
    assert re.search(r'name="country" value="RWA"[^>]* checked', html)


def test_an_empty_list_helps(anonymous):
    text = _text(_html(anonymous.get("/en/pledges/")))
    assert "No pledge has been published yet." in text
    PledgeFactory(published=True)
    text = _text(_html(anonymous.get("/en/pledges/?q=zzzzunlikely")))
    assert "No pledge matches this search and these filters." in text
    assert "Check the spelling" in text and "Show all pledges" in text


def test_the_list_works_in_french(anonymous):
    PledgeFactory(published=True, financial=True)
    html = _html(anonymous.get("/fr/pledges/?area=access"))
    assert '<html lang="fr" dir="ltr">' in html
    assert "Accès (1)" in _text(html)


# --- Pledge page ------------------------------------------------------------------------------


@pytest.fixture
def full_pledge(db, secretariat):
    partner = EntityFactory(name="Partner University", stakeholder_group="academia")
    applicant = EntityFactory(name="Applicant Not Yet Approved", status="applied")
    pledge = PledgeFactory(
        published=True, financial=True, title="Connect 1,000 schools in the Great Lakes",
        summary="Schools online by 2026.", description="Fibre and satellite.",
        event=EventFactory(slug="wtdc-test", name_en="WTDC test roundtable"),
        amount=Decimal("5000000"), currency="EUR", usd_amount=Decimal("5250000"),
        usd_rate_date=datetime.date(2022, 6, 1), other_partners="Local NGOs",
        contact_name="Paul Pledger", contact_email="paul@example.org",
        unsaved_input={"basics": {"title": "UNSAVED SECRET"}},
    )
    pledge.countries.set(Country.objects.filter(iso3__in=["RWA", "FJI", "BTN"]))
    pledge.pillars.set(Pillar.objects.filter(code="affordability"))
    pledge.sdgs.set(pledge.sdgs.model.objects.filter(number=4))
    pledge.beneficiary_groups.set(pledge.beneficiary_groups.model.objects.filter(code="youth"))
    accepted_co_pledgers(pledge, [partner, applicant])
    PledgeStatusChange.objects.create(pledge=pledge, actor=secretariat, from_status="submitted",
                                      to_status="changes_requested",
                                      message="SECRETARIAT MESSAGE about the budget")
    return pledge


def test_the_pledge_page_shows_everything_public(anonymous, full_pledge):
    html = _html(anonymous.get(f"/en/pledges/{full_pledge.pk}/"))
    text = _text(html)
    for expected in (
        full_pledge.reference, "Connect 1,000 schools in the Great Lakes",
        "Schools online by 2026.",
        "Fibre and satellite.", "Financial", "€5,000,000", "US$5,250,000",
        "WTDC test roundtable", "Affordability", "Rwanda", "Fiji", "Bhutan", "SDG 4",
        "Youth", "Partner University", "Local NGOs", "Schools connected", "1,000",
    ):
        assert expected in text, expected
    assert f'href="/en/entities/{full_pledge.entity.pk}/"' in html
    assert "<strong>Access</strong>: Affordability" in html
    assert 'href="/en/countries/RWA/"' in html
    assert 'href="/en/events/wtdc-test/"' in html
    # Co-pledgers are shown once the secretariat has approved them.
    assert "Applicant Not Yet Approved" not in text
    # The LDC/LLDC/SIDS groupings of today: Bhutan graduated from LDC in December 2023.
    assert re.search(r"Rwanda</bdi></a> <abbr[^>]*>LDC</abbr> <abbr[^>]*>LLDC</abbr>", html)
    assert re.search(r"Fiji</bdi></a> <abbr[^>]*>SIDS</abbr></li>", html)
    assert re.search(r"Bhutan</bdi></a> <abbr[^>]*>LLDC</abbr></li>", html)


def test_the_pledge_page_never_shows_private_fields(anonymous, member_client, full_pledge):
    for client in (anonymous, member_client):
        html = _html(client.get(f"/en/pledges/{full_pledge.pk}/"))
        for secret in ("Paul Pledger", "paul@example.org", "UNSAVED SECRET",
                       "SECRETARIAT MESSAGE", "Changes requested"):
            assert secret not in html, secret


def test_the_pledge_page_has_a_title_and_description_for_sharing(anonymous, full_pledge):
    html = _html(anonymous.get(f"/en/pledges/{full_pledge.pk}/"))
    assert "<title>Connect 1,000 schools in the Great Lakes · Partner2Connect</title>" in html
    assert '<meta name="description" content="Schools online by 2026.">' in html
    assert '<meta property="og:title" content="Connect 1,000 schools in the Great Lakes">' in html
    assert html.count("<h1") == 1


def test_the_pledge_body_is_the_same_partial_the_member_area_uses(full_pledge):
    from django.template.loader import render_to_string

    from pledges.selectors import pledge_get_public

    html = render_to_string("pledges/includes/pledge_body.html",
                            {"pledge": pledge_get_public(full_pledge.pk)})
    assert "<h2" in html and "Connect 1,000 schools" in html  # level 2 unless told otherwise
    assert "Paul Pledger" not in html


# --- Entity, country, event -------------------------------------------------------------------


def test_the_entity_page_lists_its_public_pledges(anonymous):
    entity = EntityFactory(name="Ministry of ICT")
    PledgeFactory(published=True, entity=entity, title="Own pledge")
    accepted_co_pledgers(PledgeFactory(published=True, title="Co-pledged pledge"), [entity])
    PledgeFactory(entity=entity, title="Draft pledge")
    text = _text(_html(anonymous.get(f"/en/entities/{entity.pk}/")))
    assert "Own pledge" in text and "Co-pledged pledge" in text
    assert "Draft pledge" not in text
    assert "2 published pledges" in text


def test_the_entity_page_links_to_all_when_there_are_many(anonymous):
    entity = EntityFactory()
    bulk_pledges(25, entities=[entity])
    html = _html(anonymous.get(f"/en/entities/{entity.pk}/"))
    assert f'href="/en/pledges/?entity={entity.pk}"' in html
    assert "See all 25 pledges" in html
    listing = anonymous.get(f"/en/pledges/?entity={entity.pk}")
    assert listing.context["total"] == 25
    assert f"Entity: {entity.name}" in _text(_html(listing))


def test_the_country_page_shows_its_groupings_region_and_pledges(anonymous):
    PledgeFactory(published=True, financial=True, title="Rwanda pledge")
    PledgeFactory(published=True, title="Global pledge", is_global=True, with_defaults=False)
    html = _html(anonymous.get("/en/countries/RWA/"))
    text = _text(html)
    assert "Pledges acting in Rwanda" in text
    assert "Africa" in text
    assert "Least Developed Country" in text and "Landlocked Developing Country" in text
    assert "Rwanda pledge" in text and "Global pledge" not in text
    assert "1 more pledge acts worldwide" in text
    assert 'href="/en/pledges/?region=africa"' in html
    assert 'href="/en/pledges/?region=global"' in html
    assert "<title>Pledges acting in Rwanda · Partner2Connect</title>" in html


def test_the_country_page_uses_the_groupings_of_the_day(anonymous):
    html_now = _text(_html(anonymous.get("/en/countries/BTN/")))
    assert "Least Developed Country" not in html_now  # graduated on 13 December 2023
    with time_machine.travel(datetime.datetime(2023, 12, 12, 12, tzinfo=datetime.UTC)):
        cache.clear()  # the page kept a quarter of a minute ago is not from that day
        html_then = _text(_html(anonymous.get("/en/countries/BTN/")))
    assert "Least Developed Country" in html_then


def test_the_event_page_lists_the_pledges_announced_there(anonymous):
    event = EventFactory(slug="kigali", name_en="Kigali roundtable",
                         name_translations={"fr": "Table ronde"})
    PledgeFactory(published=True, financial=True, event=event, title="Announced in Kigali")
    PledgeFactory(published=True, title="Announced elsewhere")
    text = _text(_html(anonymous.get("/en/events/kigali/")))
    assert "Pledges announced at Kigali roundtable" in text
    assert "Announced in Kigali" in text and "Announced elsewhere" not in text
    assert "USD 1 million" in text
    assert "Table ronde" in _html(anonymous.get("/fr/events/kigali/"))


# --- Every page -------------------------------------------------------------------------------


PUBLIC_URLS = ["/en/", "/fr/", "/en/pledges/", "/fr/pledges/?type=financial", "/en/pledges/{pk}/",
               "/fr/pledges/{pk}/", "/en/countries/RWA/", "/en/events/wtdc-22-kigali/",
               "/en/open-data/", "/fr/open-data/", "/en/entities/{entity}/"]


@pytest.fixture
def public_urls(db):
    pledge = PledgeFactory(published=True, financial=True,
                           event=EventFactory(slug="wtdc-22-kigali"))
    return [url.format(pk=pledge.pk, entity=pledge.entity.pk) for url in PUBLIC_URLS]


def test_anonymous_pages_may_be_cached_for_a_quarter_of_a_minute(anonymous, public_urls):
    for url in public_urls[:-1]:  # the entity page belongs to the members app
        response = anonymous.get(url)
        assert response.status_code == 200
        assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=15"}, url
        assert "Cookie" in response["Vary"]


def test_pages_for_signed_in_people_are_never_stored(member_client, public_urls):
    for url in public_urls[:-1]:
        cache_control = member_client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url
        assert "public" not in cache_control


def test_public_pages_have_no_inline_scripts_or_styles(anonymous, public_urls):
    for url in public_urls:
        html = _html(anonymous.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html, url
        assert not re.search(r'\sstyle="', html), url


def test_public_pages_have_one_h1_a_title_and_a_description(anonymous, public_urls):
    for url in public_urls:
        html = _html(anonymous.get(url))
        assert html.count("<h1") == 1, url
        description = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert description and len(description.group(1)) > 30, url
        assert re.search(r"<title>[^<]+ · Partner2Connect</title>", html), url


def test_form_fields_have_labels(anonymous, public_urls):
    PledgeFactory(published=True)
    html = _html(anonymous.get("/en/pledges/"))
    for field_id in re.findall(r'<(?:input|select)[^>]*\sid="([^"]+)"', html):
        assert f'for="{field_id}"' in html, field_id


def test_a_small_start_toward_the_goal_still_shows(anonymous):
    PledgeFactory(published=True, financial=True, usd_amount=Decimal("25000000"))
    assert "0.03 % of the USD 100 billion" in _text(_html(anonymous.get("/en/")))


# --- Whole-page cache -------------------------------------------------------------------------


def test_an_anonymous_visit_within_seconds_of_another_costs_no_query(
    anonymous, public_urls, django_assert_num_queries
):
    for url in public_urls[:-1]:
        first = _html(anonymous.get(url))
        with django_assert_num_queries(0):
            again = _html(anonymous.get(url))
        csrf = r'name="csrfmiddlewaretoken" value="[^"]+"'
        assert re.sub(csrf, "", again) == re.sub(csrf, "", first), url


def test_signed_in_people_and_anonymous_visitors_never_share_a_page(anonymous, member_client,
                                                                     member):
    anonymous.get("/en/")
    html = _html(member_client.get("/en/"))
    assert "Make a pledge" in html and "Sign out" in html
    html = _html(anonymous.get("/en/"))
    assert "Join the coalition" in html and "Sign out" not in html
    assert member.email not in html and "My dashboard" not in html


def test_a_page_with_a_one_time_message_is_not_kept(member_client, anonymous):
    response = member_client.post("/en/accounts/logout/", follow=True)
    assert "You have signed out." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "You have signed out." not in _html(anonymous.get(response.request["PATH_INFO"]))
