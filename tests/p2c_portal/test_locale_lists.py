"""Lists of names joined as each language joins them (CLDR through Babel: "A, B and C",
« A, B et C », "A وB وC", "A、B和C"), headline amounts in words of the language ("USD 2.5 million",
"250万"), and names people wrote isolated from the direction of the sentence around them."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from action_areas.models import ActionArea, Country
from tests.factories import EntityFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "A, B &amp; C and &lt;b&gt;D&lt;/b&gt;"),
    ("fr", "A, B &amp; C et &lt;b&gt;D&lt;/b&gt;"),
    ("ar", "A وB &amp; C و&lt;b&gt;D&lt;/b&gt;"),
    ("zh-hans", "A、B &amp; C和&lt;b&gt;D&lt;/b&gt;"),
    ("ru", "A, B &amp; C и &lt;b&gt;D&lt;/b&gt;"),
    ("es", "A, B &amp; C y &lt;b&gt;D&lt;/b&gt;"),
])
def test_a_list_is_joined_with_the_language_conjunction_and_each_name_escaped(language, expected):
    assert _render("{{ names|local_list }}", language,
                   names=["A", "B & C", "<b>D</b>"]) == expected


def test_names_people_wrote_are_isolated_one_by_one():
    html = _render('{{ names|local_list:"bdi" }}', "ar", names=["Acme (demo)", "<i>Beta</i>"])
    assert html == "<bdi>Acme (demo)</bdi> و<bdi>&lt;i&gt;Beta&lt;/i&gt;</bdi>"


def test_an_empty_list_lets_the_default_show():
    assert _render('{{ names|local_list|default:"—" }}', "fr", names=[]) == "—"


def _area_names(language: str) -> tuple[str, str]:
    with translation.override(language):
        return (ActionArea.objects.get(code="access").name,
                ActionArea.objects.get(code="adoption").name)


@pytest.mark.parametrize(("language", "pattern"), [
    ("en", "{0} and {1}"), ("fr", "{0} et {1}"), ("ar", "{0} و{1}"), ("zh-hans", "{0}和{1}"),
])
def test_a_pledge_card_lists_its_action_areas_as_the_language_does(anonymous, language, pattern):
    pledge = PledgeFactory(published=True)
    pledge.action_areas.set(ActionArea.objects.filter(code__in=["access", "adoption"]))
    html = anonymous.get(f"/{language}/pledges/").content.decode()
    assert pattern.format(*_area_names(language)) in html


@pytest.mark.parametrize(("language", "ending"), [
    ("en", " and <bdi>2 more countries</bdi>"),
    ("fr", " et <bdi>2 autres pays</bdi>"),
    ("zh-hans", "和<bdi>另外2个国家</bdi>"),
])
def test_a_card_names_four_countries_and_counts_the_others_as_the_last_item(
    anonymous, language, ending
):
    pledge = PledgeFactory(published=True, with_defaults=False)
    pledge.countries.set(Country.objects.filter(
        iso3__in=["RWA", "KEN", "GHA", "SEN", "BEN", "TGO"]))
    html = anonymous.get(f"/{language}/pledges/").content.decode()
    assert ending in html
    assert html.count("</bdi>、<bdi>" if language == "zh-hans" else "</bdi>, <bdi>") >= 3


def test_the_pledge_page_lists_advocacy_activities_with_the_conjunction(anonymous):
    pledge = PledgeFactory(published=True, pledge_type="advocacy",
                           advocacy_activities=["campaign", "event"])
    html = anonymous.get(f"/fr/pledges/{pledge.pk}/").content.decode()
    assert " et " in html.split("Activités", 1)[1].split("</dd>", 1)[0]


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "USD 2.5 million"),
    ("fr", "2,5 millions"),
    ("ru", "2,5 миллиона"),
    ("zh-hans", "250万美元"),
    ("ar", "2.5 مليون"),
])
def test_home_writes_headline_amounts_in_the_language_words(anonymous, language, expected):
    PledgeFactory(published=True, financial=True, usd_amount=Decimal("2500000"))
    html = anonymous.get(f"/{language}/").content.decode()
    assert expected in html
    assert "2.5 million" not in html or language == "en"


def test_a_latin_entity_name_in_an_arabic_sentence_is_isolated(anonymous):
    entity = EntityFactory(name="Acme Telecom (demo)")
    pledge = PledgeFactory(published=True, entity=entity)
    html = anonymous.get(f"/ar/pledges/{pledge.pk}/").content.decode()
    assert "<bdi>Acme Telecom (demo)</bdi>" in html
    assert "Acme Telecom (demo)" not in html.replace("<bdi>Acme Telecom (demo)</bdi>", "")\
        .split("<body", 1)[1]


def test_names_in_plain_text_are_isolated_with_unicode_isolates(anonymous):
    """A <title>, a meta description or an alt text allows no <bdi>: FSI … PDI say the same."""
    entity = EntityFactory(name="Acme Telecom (demo)")
    pledge = PledgeFactory(published=True, entity=entity, summary="")
    html = anonymous.get(f"/ar/pledges/{pledge.pk}/").content.decode()
    description = html.split('<meta name="description" content="', 1)[1].split('"', 1)[0]
    assert "\u2068Acme Telecom (demo)\u2069" in description


def test_arabic_counts_one_more_country_in_words(anonymous):
    pledge = PledgeFactory(published=True, with_defaults=False)
    pledge.countries.set(Country.objects.filter(iso3__in=["RWA", "KEN", "GHA", "SEN", "BEN"]))
    html = anonymous.get("/ar/pledges/").content.decode()
    assert " و<bdi>بلد آخر</bdi>" in html


def test_stray_pillars_are_listed_with_the_conjunction_in_the_form_message():
    from action_areas.models import Pillar
    from pledges.forms import AreasForm

    pledge = PledgeFactory()
    access = ActionArea.objects.get(code="access")
    stray = list(Pillar.objects.exclude(action_area=access).order_by("pk")[:2])
    with translation.override("fr"):
        form = AreasForm(instance=pledge, data={"action_areas": [access.pk],
                                                 "pillars": [p.pk for p in stray]})
        assert not form.is_valid()
        message = form.errors["pillars"][0]
        assert f"{stray[0].name} et {stray[1].name}" in message
